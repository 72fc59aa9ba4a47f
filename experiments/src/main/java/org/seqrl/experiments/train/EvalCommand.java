package org.seqrl.experiments.train;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.seqrl.agents.ChannelScorer;
import org.seqrl.agents.EnsemblePolicy;
import org.seqrl.agents.RescoringPolicy;
import org.seqrl.agents.RightToLeftPolicy;
import org.seqrl.agents.Seq2SeqPolicy;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.ConfigChoice;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.ModelConfig;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.experiments.data.Vocabulary;
import org.seqrl.rl.EvaluationEvent;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seqrl eval}: scores a checkpoint, or an ensemble of several, on a split, greedy and optionally
 * with beam search.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluate a checkpoint on dev or test data and print every metric.")
public final class EvalCommand implements Callable<Integer> {

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
      description = "A run directory (its best checkpoint, else its latest) or a checkpoint folder. Give it more than"
          + " once to decode with an ensemble of the checkpoints: at every step the mean of their probabilities"
          + " (fast-engine models trained on the same data; the first one's config sets the evaluation). With"
          + " checkpoints of both model.output_order values, each order's checkpoints decode and all of them rescore"
          + " what the orders propose: the output with the highest sum of log-probabilities wins (--ensemble-combine"
          + " rescore: every checkpoint proposes).")
  List<Path> checkpoints;

  @Option(names = "--ensemble-combine", paramLabel = "RULE", defaultValue = "mean",
      description = "How an ensemble combines its members' next-token distributions: mean (of the probabilities, a"
          + " mixture) or product (their normalised geometric mean, a product of experts); or rescore: every checkpoint"
          + " proposes its own output and the one with the highest sum of all checkpoints' log-probabilities wins."
          + " Default: ${DEFAULT-VALUE}.")
  String ensembleCombine;

  @Option(names = "--ensemble-weights", paramLabel = "W1,W2,...", split = ",",
      description = "One positive weight per --checkpoint, in their order (normalised to sum to 1); default: equal."
          + " When rescoring, the weights of the checkpoints' log-probabilities too.")
  List<String> ensembleWeights;

  @Option(names = "--channel", paramLabel = "DIR",
      description = "Noisy-channel rescoring: a checkpoint of a model trained the other way round (for pronunciation,"
          + " data.pronunciation.direction: phonemes-to-spelling) also scores every proposal, by its log-probability of"
          + " the source given the proposal. Repeatable. The evaluation then rescores even with one --checkpoint (give"
          + " --nbest above 1 so that there is a choice).")
  List<Path> channels;

  @Option(names = "--channel-weights", paramLabel = "W1,W2,...", split = ",",
      description = "One positive weight per --channel: its log-probability's weight in a proposal's score beside the"
          + " checkpoints' (whose weights sum to 1). Default: each as much as one checkpoint, 1/N for N checkpoints.")
  List<String> channelWeights;

  @Option(names = "--split", defaultValue = "test", description = "dev or test (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--beam", paramLabel = "N", description = "Also decode with beam search of width N (default: the run's eval.beam_width).")
  Integer beam;

  @Option(names = "--coverage-penalty", paramLabel = "BETA",
      description = "Rank beam search's finished hypotheses with GNMT's coverage penalty of this weight (default: the"
          + " run's eval.coverage_penalty; 0 is none).")
  Double coveragePenalty;

  @Option(names = "--nbest", paramLabel = "K",
      description = "When rescoring: each proposer's K best beam hypotheses are proposed (the same output once), not"
          + " only its best; 1 to the beam width. Default: 1.")
  Integer nBest;

  @Option(names = "--length-bonus", paramLabel = "B",
      description = "When rescoring: B is added to a proposal's score per output token (above 0 favours longer"
          + " outputs, below 0 shorter). Default: 0.")
  Double lengthBonus;

  @Option(names = "--proposals", paramLabel = "FILE",
      description = "When rescoring: also write every proposal of the split's greedy and beam decoding, one a line,"
          + " tab-separated with a header: search, source, proposal, rank_1.. (its place in each proposer's list, 0"
          + " where absent; proposers: each output order, left to right first, or with rescore each checkpoint),"
          + " logprob_1.. (each --checkpoint's log-probability of it, end token included), channel_1.. (each --channel's"
          + " log-probability of the source given it), score, chosen (1 or 0).")
  Path proposals;

  @Option(names = "--set", paramLabel = "eval.KEY=VALUE",
      description = "Override an eval key of the checkpoints' config for this evaluation, e.g. eval.dev_size=0 (all of"
          + " dev); repeatable.")
  List<String> evalOverrides;

  @Option(names = "--output", paramLabel = "FILE", description = "Also write the metrics as JSON.")
  Path output;

  @Option(names = "--predictions", paramLabel = "FILE",
      description = "Also write each source and its greedy output, one a line: source tokens, a tab, output tokens"
          + " (tokens joined by spaces).")
  Path predictions;

  @Override
  public Integer call() {
    if (!split.equals("dev") && !split.equals("test")) {
      throw new UserInputException("--split: '" + split + "' is not a split; expected dev or test");
    }
    if (beam != null && beam < 1) {
      throw new UserInputException("--beam: " + beam + " is not a beam width; expected an integer >= 1");
    }
    Rule rule = rule(ensembleCombine);
    double[] weights = weights("--ensemble-weights", ensembleWeights, checkpoints.size(), "--checkpoint");
    if (channelWeights != null && channels == null) {
      throw new UserInputException("--channel-weights: only noisy-channel rescoring uses it; give --channel DIR too");
    }
    double[] chWeights = channels == null ? null : weights("--channel-weights", channelWeights, channels.size(), "--channel");
    List<Path> ckpts = checkpoints.stream().map(EvalCommand::resolveCheckpoint).toList();
    List<String> overrides = new ArrayList<>();
    if (beam != null) {
      overrides.add("eval.beam_width=" + beam);
    }
    if (coveragePenalty != null) {
      overrides.add("eval.coverage_penalty=" + coveragePenalty);
    }
    if (evalOverrides != null) {
      for (String o : evalOverrides) {
        if (!o.startsWith("eval.") || !o.contains("=")) {
          throw new UserInputException("--set " + o + ": expected eval.KEY=VALUE (only the eval section can change"
              + " for an evaluation; the model and data are the checkpoint's)");
        }
        overrides.add(o);
      }
    }
    if (nBest != null && nBest < 1) {
      throw new UserInputException("--nbest: " + nBest + " is not a list size; expected an integer >= 1");
    }
    if (lengthBonus != null && !Double.isFinite(lengthBonus)) {
      throw new UserInputException("--length-bonus: " + lengthBonus + " is not a finite number");
    }
    List<RunComponents> opened = new ArrayList<>();
    List<RunComponents> channelParts = new ArrayList<>();
    try {
      for (Path c : ckpts) {
        opened.add(open(c, overrides));
      }
      List<Path> channelCkpts = channels == null ? List.of() : channels.stream().map(EvalCommand::resolveCheckpoint).toList();
      for (Path c : channelCkpts) {
        channelParts.add(open(c, List.of()));
      }
      List<RescoringPolicy.Scorer> channelScorers = new ArrayList<>();
      for (int i = 0; i < channelParts.size(); i++) {
        channelScorers.add(channelScorer(channelCkpts.get(i), channelParts.get(i), opened.get(0)));
      }
      Channels channel = new Channels(channelCkpts, channelScorers, chWeights);
      try (ProposalWriter writer = proposals == null ? null
          : ProposalWriter.open(proposals, opened.get(0), channelScorers.size())) {
        evaluateAndReport(ckpts, opened, weights, rule, channel, writer);
      }
    } finally {
      opened.forEach(RunComponents::close); // closes every member; the ensemble holds nothing of its own
      channelParts.forEach(RunComponents::close);
    }
    return 0;
  }

  /** The --channel checkpoints, their scorers and weights (null: the default). */
  private record Channels(List<Path> ckpts, List<RescoringPolicy.Scorer> scorers, double[] weights) {}

  /**
   * A channel checkpoint as a scorer of the first checkpoint's proposals: its source vocabulary must hold
   * every token the checkpoints write, its target vocabulary every token they read.
   */
  private static RescoringPolicy.Scorer channelScorer(Path ckpt, RunComponents channel, RunComponents direct) {
    int[] proposalToSource = idMap("--channel " + ckpt, direct.targetVocab(), channel.sourceVocab(), "source",
        "writes");
    int[] sourceToTarget = idMap("--channel " + ckpt, direct.sourceVocab(), channel.targetVocab(), "target", "reads");
    return new ChannelScorer(channel.policy(), proposalToSource, sourceToTarget);
  }

  /** For each id of {@code from}, the same token's id in {@code to}; refuses when a regular token is missing. */
  private static int[] idMap(String which, Vocabulary from, Vocabulary to, String side, String verb) {
    int[] map = new int[from.size()];
    List<String> missing = new ArrayList<>();
    for (int id = 0; id < Tokens.FIRST_REGULAR; id++) {
      map[id] = id; // padding, start, end and unknown have the same ids in every vocabulary
    }
    for (int id = Tokens.FIRST_REGULAR; id < map.length; id++) {
      String token = from.token(id);
      if (to.contains(token)) {
        map[id] = to.id(token);
      } else {
        missing.add(token); // refused below, so the id is never used
      }
    }
    if (!missing.isEmpty()) {
      throw new UserInputException(which + ": its " + side + " vocabulary lacks " + missing.size() + " of the "
          + from.regularTokens().size() + " tokens the --checkpoint " + verb + " (" + String.join(" ", missing.subList(0, Math.min(8,
          missing.size()))) + (missing.size() > 8 ? " ..." : "") + "); a channel model reads what the checkpoints write"
          + " and writes what they read, trained on the same data the other way round (for pronunciation:"
          + " data.pronunciation.direction: phonemes-to-spelling)");
    }
    return map;
  }

  /** Decodes the split with the opened checkpoints, prints the metrics and writes the files asked for. */
  private void evaluateAndReport(List<Path> ckpts, List<RunComponents> opened, double[] weights, Rule rule,
      Channels channel, ProposalWriter writer) {
    RunComponents parts = opened.get(0);
    SequencePolicy decoding = opened.size() == 1 && channel.scorers().isEmpty() ? parts.policy()
        : combined(ckpts, opened, split, weights, rule, channel, rescoringOptions(parts, writer));
    if (!(decoding instanceof RescoringPolicy)) {
      refuseRescoringOptions();
    }
    EvaluationEvent e = parts.evaluate(split, -1, decoding);
    if (writer != null) {
      writer.stop(); // what follows decodes again (test lengths, predictions): not written twice
    }
    Map<String, Double> m = new LinkedHashMap<>(e.metrics());
    if (split.equals("test")) {
      // data.test_lengths_each: one set per length, test/len<L>/<metric>, after the test split's own metrics.
      m.putAll(parts.evaluateTestLengths(-1, decoding));
    }
    String what = !(decoding instanceof RescoringPolicy) && ckpts.size() == 1 ? "checkpoint " + ckpts.get(0)
        : describe(ckpts, opened, decoding, rule, weights, channel);
    System.out.printf(Locale.ROOT, "%s, split %s (%d examples)%n", what, split,
        split.equals("dev") ? parts.dev().sources().length : parts.dataset().test().size());
    System.out.printf(Locale.ROOT, "%-32s %14s%n", "metric", "value");
    m.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-32s %14.6f%n", k, v));
    if (output != null) {
      ObjectNode o = TrainingRun.JSON.createObjectNode();
      o.put("checkpoint", ckpts.get(0).toString());
      ArrayNode all = o.putArray("checkpoints");
      ckpts.forEach(c -> all.add(c.toString()));
      if (inOwnOrder(decoding) instanceof EnsemblePolicy ens) {
        o.put("ensemble_combine", rule.name().toLowerCase(Locale.ROOT));
        ArrayNode w = o.putArray("ensemble_weights");
        for (double x : ens.weights()) {
          w.add(x);
        }
      }
      if (decoding instanceof RescoringPolicy) {
        // each order's checkpoints (or with rescore each checkpoint) propose, every checkpoint scores
        o.put("decoding", "rescoring");
        o.put("ensemble_combine", rule.name().toLowerCase(Locale.ROOT));
        ArrayNode orders = o.putArray("output_orders");
        opened.forEach(member -> orders.add(ConfigChoice.spelling(member.config().model().outputOrder())));
        if (weights != null) {
          ArrayNode w = o.putArray("scoring_weights");
          for (double x : weights) {
            w.add(x);
          }
        }
        if (!channel.ckpts().isEmpty()) {
          ArrayNode chs = o.putArray("channels");
          channel.ckpts().forEach(c -> chs.add(c.toString()));
          ArrayNode cw = o.putArray("channel_weights");
          for (double x : channelWeights(channel, opened.size())) {
            cw.add(x);
          }
        }
        o.put("nbest", nBest == null ? 1 : nBest);
        o.put("length_bonus", lengthBonus == null ? 0 : lengthBonus);
      }
      o.put("split", split);
      ObjectNode metrics = o.putObject("metrics");
      m.forEach(metrics::put);
      try {
        if (output.getParent() != null) {
          Files.createDirectories(output.getParent());
        }
        TrainingRun.JSON.writeValue(output.toFile(), o);
      } catch (IOException ex) {
        throw new UserInputException("--output " + output + ": cannot write (" + ex.getMessage() + ")");
      }
    }
    if (predictions != null) {
      try {
        if (predictions.toAbsolutePath().getParent() != null) {
          Files.createDirectories(predictions.toAbsolutePath().getParent());
        }
        Files.write(predictions, parts.predictions(split, decoding), java.nio.charset.StandardCharsets.UTF_8);
      } catch (IOException ex) {
        throw new UserInputException("--predictions " + predictions + ": cannot write (" + ex.getMessage() + ")");
      }
    }
  }

  /** The rescoring options the flags ask for, checked against the beam width. */
  private RescoringPolicy.Options rescoringOptions(RunComponents parts, ProposalWriter writer) {
    int k = nBest == null ? 1 : nBest;
    int width = parts.config().eval().beamWidth();
    if (k > 1 && k > width) {
      throw new UserInputException("--nbest: " + k + " is more than the beam width " + width + " (--beam or eval.beam_width);"
          + " a beam of width W keeps at most W hypotheses; give --nbest between 1 and " + Math.max(width, 1));
    }
    return new RescoringPolicy.Options(k, lengthBonus == null ? 0 : lengthBonus, writer);
  }

  /** Refuses the rescoring flags when the checkpoints do not rescore (one checkpoint, or an ensemble of one order). */
  private void refuseRescoringOptions() {
    String given = nBest != null ? "--nbest" : lengthBonus != null ? "--length-bonus" : proposals != null ? "--proposals" : null;
    if (given != null) {
      throw new UserInputException(given + ": only rescoring uses it, and these checkpoints do not rescore; give"
          + " checkpoints of both model.output_order values, several with --ensemble-combine rescore, or a --channel");
    }
  }

  /**
   * The opened checkpoints decoding as one, after checking that they can: fast-engine models, the same
   * source and target vocabularies, the same sources in the split. Checkpoints of one output order make
   * an ensemble; of both orders, each order's checkpoints decode (as an ensemble when several) and every
   * checkpoint rescores what they propose ({@link RescoringPolicy}), left to right's first. With the rule
   * rescore, every checkpoint proposes, in the order given.
   */
  private static SequencePolicy combined(List<Path> ckpts, List<RunComponents> opened, String split, double[] weights,
      Rule rule, Channels channel, RescoringPolicy.Options options) {
    RunComponents first = opened.get(0);
    Map<ModelConfig.OutputOrder, List<Integer>> byOrder = new java.util.EnumMap<>(ModelConfig.OutputOrder.class);
    for (int i = 0; i < opened.size(); i++) {
      RunComponents parts = opened.get(i);
      String which = "--checkpoint " + ckpts.get(i);
      if (!(inOwnOrder(parts.policy()) instanceof Seq2SeqPolicy)) {
        throw new UserInputException(which + ": its model.engine is " + parts.config().model().engine().name().toLowerCase(Locale.ROOT)
            + "; an ensemble decodes with models of model.engine fast only");
      }
      if (!parts.sourceVocab().equals(first.sourceVocab()) || !parts.targetVocab().equals(first.targetVocab())) {
        throw new UserInputException(which + ": its vocabularies (" + parts.sourceVocab().size() + " source, "
            + parts.targetVocab().size() + " target tokens) are not those of --checkpoint " + ckpts.get(0) + " ("
            + first.sourceVocab().size() + " source, " + first.targetVocab().size()
            + "); the members of an ensemble must be trained on the same data (compare their config.yaml data sections)");
      }
      if (!Arrays.deepEquals(parts.sources(split), first.sources(split))) {
        throw new UserInputException(which + ": its " + split + " split is not that of --checkpoint " + ckpts.get(0)
            + "; the members of an ensemble must be trained on the same data (compare their config.yaml data sections)");
      }
      byOrder.computeIfAbsent(parts.config().model().outputOrder(), o -> new ArrayList<>()).add(i);
    }
    List<SequencePolicy> decoders = new ArrayList<>();
    if (rule == Rule.RESCORE) {
      opened.forEach(parts -> decoders.add(parts.policy()));
    } else {
      byOrder.forEach((order, members) -> decoders.add(decoder(order, members, opened, weights, rule.combination())));
    }
    if (!channel.scorers().isEmpty()) {
      // noisy-channel rescoring: the checkpoints' own log-probabilities (weights summing to 1), then each channel's
      List<RescoringPolicy.Scorer> scorers = new ArrayList<>();
      opened.forEach(parts -> scorers.add(RescoringPolicy.direct(parts.policy())));
      scorers.addAll(channel.scorers());
      double[] all = new double[scorers.size()];
      for (int i = 0; i < opened.size(); i++) {
        all[i] = weights == null ? 1.0 / opened.size() : weights[i] / Arrays.stream(weights).sum();
      }
      double[] cw = channelWeights(channel, opened.size());
      System.arraycopy(cw, 0, all, opened.size(), cw.length);
      return RescoringPolicy.scoredBy(decoders, scorers, all, options);
    }
    if (decoders.size() == 1) {
      return decoders.get(0);
    }
    return new RescoringPolicy(decoders, opened.stream().map(RunComponents::policy).toList(), weights, options);
  }

  /** The channels' weights as given, else each 1/N for N checkpoints. */
  private static double[] channelWeights(Channels channel, int checkpoints) {
    if (channel.weights() != null) {
      return channel.weights();
    }
    double[] w = new double[channel.scorers().size()];
    Arrays.fill(w, 1.0 / checkpoints);
    return w;
  }

  /** The checkpoints {@code members} of one output order as one decoder: the model itself, or their ensemble. */
  private static SequencePolicy decoder(ModelConfig.OutputOrder order, List<Integer> members, List<RunComponents> opened,
      double[] weights, EnsemblePolicy.Combination combination) {
    if (members.size() == 1) {
      return opened.get(members.get(0)).policy();
    }
    List<Seq2SeqPolicy> models = new ArrayList<>();
    double[] w = weights == null ? null : new double[members.size()];
    for (int j = 0; j < members.size(); j++) {
      models.add((Seq2SeqPolicy) inOwnOrder(opened.get(members.get(j)).policy()));
      if (w != null) {
        w[j] = weights[members.get(j)];
      }
    }
    EnsemblePolicy ensemble = new EnsemblePolicy(models, w, combination, opened.get(members.get(0)).config().seed());
    return order == ModelConfig.OutputOrder.RIGHT_TO_LEFT ? new RightToLeftPolicy(ensemble) : ensemble;
  }

  /** What decodes, for the report's first line. */
  private static String describe(List<Path> ckpts, List<RunComponents> opened, SequencePolicy decoding, Rule rule,
      double[] weights, Channels channel) {
    String paths = ckpts.stream().map(Path::toString).collect(Collectors.joining(", "));
    String name = rule.name().toLowerCase(Locale.ROOT);
    if (decoding instanceof RescoringPolicy rescoring) {
      String orders = opened.stream().map(p -> ConfigChoice.spelling(p.config().model().outputOrder()))
          .collect(Collectors.joining(", "));
      RescoringPolicy.Options options = rescoring.options();
      return "rescoring by " + ckpts.size() + " checkpoint" + (ckpts.size() == 1 ? "" : "s") + " (" + paths + "; orders " + orders + "; proposing: "
          + (rule == Rule.RESCORE ? "each checkpoint" : "each output order (its checkpoints as an ensemble, " + name
              + ", where several)")
          + (options.nBest() == 1 ? "" : ", its " + options.nBest() + " best beam hypotheses")
          + (weights == null ? "" : "; weights " + Arrays.toString(weights))
          + (options.lengthBonus() == 0 ? "" : "; length bonus " + options.lengthBonus())
          + (channel.ckpts().isEmpty() ? "" : "; channel " + channel.ckpts().stream().map(Path::toString)
              .collect(Collectors.joining(", ")) + ", weights " + Arrays.toString(channelWeights(channel, ckpts.size())))
          + ")";
    }
    return "ensemble of " + ckpts.size() + " checkpoints (" + paths + "; " + name
        + ((EnsemblePolicy) inOwnOrder(decoding)).weightsDescription() + ")";
  }

  /** The model a right-to-left policy wraps (which decodes in its own order), or the policy itself. */
  private static SequencePolicy inOwnOrder(SequencePolicy p) {
    return p instanceof RightToLeftPolicy r ? r.inner() : p;
  }

  /** {@code --ensemble-combine}: an ensemble's rule, or rescoring with every checkpoint proposing. */
  private enum Rule {
    MEAN, PRODUCT, RESCORE;

    /** The rule an ensemble of one order's checkpoints uses (rescore proposes with each checkpoint alone). */
    EnsemblePolicy.Combination combination() {
      return this == PRODUCT ? EnsemblePolicy.Combination.PRODUCT : EnsemblePolicy.Combination.MEAN;
    }
  }

  private static Rule rule(String rule) {
    return switch (rule) {
      case "mean" -> Rule.MEAN;
      case "product" -> Rule.PRODUCT;
      case "rescore" -> Rule.RESCORE;
      default -> throw new UserInputException("--ensemble-combine: '" + rule + "' is not a rule; expected mean, product"
          + " or rescore");
    };
  }

  /** The --ensemble-weights as numbers (null when not given), checked against the number of checkpoints. */
  private static double[] weights(String flag, List<String> given, int count, String per) {
    if (given == null) {
      return null;
    }
    if (given.size() != count) {
      throw new UserInputException(flag + ": " + given.size() + " weights (" + String.join(",", given) + ") for "
          + count + " " + per + (count == 1 ? "" : "s") + "; give one weight per " + per + ", in their order");
    }
    double[] w = new double[given.size()];
    for (int i = 0; i < w.length; i++) {
      String text = given.get(i).trim();
      try {
        w[i] = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        w[i] = Double.NaN;
      }
      if (!(w[i] > 0) || Double.isInfinite(w[i])) {
        throw new UserInputException(flag + ": weight " + (i + 1) + " is '" + text
            + "'; a weight must be a positive finite number");
      }
    }
    return w;
  }

  /**
   * The run's parts built from its saved config, with the checkpoint's policy loaded (its weight average
   * swapped in, if it holds one).
   */
  static RunComponents open(Path ckpt, List<String> overrides) {
    Path runDir = ckpt.getParent().getParent();
    SeqrlConfig config = ConfigLoader.load(runDir.resolve(TrainingRun.CONFIG_FILE), overrides);
    Path base = runDir;
    try {
      Path baseFile = runDir.resolve(TrainingRun.BASE_DIR_FILE);
      if (Files.isRegularFile(baseFile)) {
        base = Path.of(Files.readString(baseFile).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // The checkpoint's own tokenizers (bpe) encode the data it is evaluated on; older runs keep them in the run.
    boolean ownTokenizers = Files.isRegularFile(ckpt.resolve("target-tokenizer.json"));
    Path tokenizers = ownTokenizers ? ckpt : runDir.resolve(TrainingRun.TOKENIZER_DIR);
    RunComponents parts = RunComponents.build(config, base, new RunListener() {}, tokenizers);
    try {
      parts.restorePolicyFrom(ckpt);
      if (parts.policy().hasAverage()) {
        // a checkpoint from the middle of pre-training with pretrain.ema_decay: the run evaluates the average
        parts.policy().swapAverage();
      }
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
    return parts;
  }

  /** A checkpoint folder, or a run directory's best (else latest) checkpoint. */
  static Path resolveCheckpoint(Path dir) {
    if (Files.isRegularFile(dir.resolve(TrainingRun.STATE_FILE)) && Files.isDirectory(dir.resolve("policy"))) {
      return dir;
    }
    CheckpointStore store = new CheckpointStore(dir);
    List<String> tried = new ArrayList<>();
    for (String name : new String[] {"best", "latest"}) {
      var found = store.find(name);
      if (found.isPresent()) {
        return found.get();
      }
      tried.add(store.root().resolve(name).toString());
    }
    throw new UserInputException("--checkpoint " + dir + ": not a checkpoint folder (no " + TrainingRun.STATE_FILE
        + " and policy/) and not a run directory with one (looked for " + String.join(", ", tried) + ")");
  }
}
