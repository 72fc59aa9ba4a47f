package org.seqrl.experiments.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.seqrl.agents.Engine;
import org.seqrl.agents.RightToLeftPolicy;
import org.seqrl.agents.Seq2SeqConfig;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.agents.Seq2SeqConfig.ModelType;
import org.seqrl.agents.Seq2SeqPolicy;
import org.seqrl.experiments.config.EvalConfig;
import org.seqrl.experiments.config.InvalidConfigException;
import org.seqrl.experiments.config.ModelConfig;
import org.seqrl.experiments.config.Plugins;
import org.seqrl.experiments.config.RlObjective;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.experiments.data.BatchIterator;
import org.seqrl.experiments.data.Dataset;
import org.seqrl.experiments.data.Datasets;
import org.seqrl.experiments.data.EncodedSplit;
import org.seqrl.experiments.data.Example;
import org.seqrl.experiments.data.LengthCurriculum;
import org.seqrl.experiments.data.Seeds;
import org.seqrl.experiments.data.TokenLevel;
import org.seqrl.experiments.data.Vocabulary;
import org.seqrl.metrics.NltkSmoothing;
import org.seqrl.rl.BaselineStrategy;
import org.seqrl.rl.EvaluationEvent;
import org.seqrl.rl.Evaluator;
import org.seqrl.rl.NamedMetric;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.Reward;
import org.seqrl.rl.RewardKind;
import org.seqrl.rl.Rewards;
import org.seqrl.rl.MetricNames;
import org.seqrl.rl.Trainer;
import org.seqrl.rl.TrainerSettings;

/**
 * The parts of a run built from its config: data, vocabularies, policy, reward, baseline,
 * trainer and evaluator. Config strings are turned into types here, once.
 */
public final class RunComponents implements AutoCloseable {

  private final SeqrlConfig config;
  private final Dataset dataset;
  private final EncodedSplit train;
  private final EncodedSplit dev;
  private final EncodedSplit test;
  private final SequencePolicy policy;
  private final Reward reward;
  private final BaselineStrategy baseline;
  private final Trainer trainer;
  private final int maxLength;
  private final IntFunction<String> targetText;
  private final boolean characterLevel;
  private final DetokenizedReward.Words words;
  /** {@code data.test_lengths_each}: one test set per length, in the order listed. */
  private final Map<Integer, EncodedSplit> testsAtLengths = new LinkedHashMap<>();
  private final LengthCurriculum curriculum;

  private RunComponents(SeqrlConfig config, Dataset dataset, DetokenizedReward.Words words, SequencePolicy policy,
      Reward reward, BaselineStrategy baseline, Trainer trainer, int maxLength, Map<Integer, List<Example>> atLengths) {
    this.config = config;
    this.dataset = dataset;
    this.train = dataset.encode(dataset.train());
    List<Example> devExamples = limit(dataset.dev(), config.eval().devSize());
    this.dev = dataset.encode(devExamples);
    this.test = dataset.encode(dataset.test());
    atLengths.forEach((length, examples) -> testsAtLengths.put(length, dataset.encode(examples)));
    this.curriculum = new LengthCurriculum(config.data(), dataset.train(), devExamples);
    this.policy = policy;
    this.reward = reward;
    this.baseline = baseline;
    this.trainer = trainer;
    this.maxLength = maxLength;
    this.words = words;
    this.targetText = words != null ? words::text : dataset.targetVocab()::token;
    this.characterLevel = dataset.level() == TokenLevel.CHAR;
  }

  public static RunComponents build(SeqrlConfig config, Path configBaseDir, org.seqrl.rl.RunListener listener) {
    return build(config, configBaseDir, listener, null);
  }

  /**
   * @param tokenizerDir where a bpe run keeps its tokenizers: loaded from there when present, trained into it
   *     otherwise (null: a temporary folder)
   */
  public static RunComponents build(SeqrlConfig config, Path configBaseDir, org.seqrl.rl.RunListener listener,
      Path tokenizerDir) {
    long seed = config.seed();
    Dataset dataset = Datasets.load(config.data(), configBaseDir, Seeds.derive(seed, "data"), tokenizerDir);
    // Subword runs are scored on the words of their detokenized output, like word-level runs.
    DetokenizedReward.Words words = dataset.level() == TokenLevel.BPE
        ? new DetokenizedReward.Words(dataset::targetText) : null;
    ClassLoader plugins = Plugins.loader(config.plugins().path());
    BaselineStrategy baseline = config.rl().baselinePlugin() != null
        ? Plugins.create(config.rl().baselinePlugin(), BaselineStrategy.class, plugins, "rl.baseline", config.plugins().path())
        : config.rl().baseline().create(config.rl().movingAverageDecay());
    int maxLength = config.rl().maxLength() > 0 ? config.rl().maxLength() : longestReference(dataset) + 2;
    Map<Integer, List<Example>> atLengths = Datasets.testsAtLengths(config.data(), Seeds.derive(seed, "data"), dataset);
    SequencePolicy policy = policy(config, dataset, baseline, maxLength, atLengths);
    IntFunction<String> text = words != null ? words::text : dataset.targetVocab()::token;
    Reward reward = detokenized(config.rl().rewardPlugin() != null
        ? Plugins.create(config.rl().rewardPlugin(), Reward.class, plugins, "rl.reward", config.plugins().path())
        : reward(config, text, dataset.level() == TokenLevel.CHAR, plugins), words);
    TrainerSettings settings = new TrainerSettings(
        config.rl().samples(),
        config.rl().temperature(),
        maxLength,
        config.rl().entropy(),
        config.rl().criticLossCoefficient(),
        new OptimizerSettings(config.rl().learningRate(), config.rl().maxGradNorm()),
        new OptimizerSettings(config.pretrain().learningRate(), config.pretrain().maxGradNorm()),
        config.rl().schedule(), config.pretrain().schedule())
        .with(config.rl().klPenalty(), config.rl().mleMixing(), config.rl().ppo(Seeds.derive(seed, "ppo")))
        .with(config.diag().settings(Seeds.derive(seed, "diag")))
        .withCriticWarmup(config.rl().criticWarmupSteps());
    Trainer trainer;
    try {
      trainer = new Trainer(policy, reward, baseline, settings, List.of(listener));
    } catch (IllegalArgumentException e) {
      // Only a plug-in baseline can ask for what the config does not give (built-ins are checked on load).
      throw new InvalidConfigException("rl.baseline", config.rl().baselineLabel() + ": " + e.getMessage());
    }
    return new RunComponents(config, dataset, words, policy, reward, baseline, trainer, maxLength, atLengths);
  }

  private static Reward detokenized(Reward reward, DetokenizedReward.Words words) {
    return words == null ? reward : new DetokenizedReward(reward, words);
  }

  /**
   * The policy on the configured engine. A SameDiff graph is unrolled to the longest source and to
   * the most decoder steps a run takes (decoding, or a reference and its end token), and carries only
   * the critic heads the baseline needs.
   */
  private static SequencePolicy policy(SeqrlConfig config, Dataset dataset, BaselineStrategy baseline, int maxLength,
      Map<Integer, List<Example>> atLengths) {
    Engine engine = config.model().engine();
    Seq2SeqConfig cfg = modelConfig(config, dataset, baseline);
    if (engine == Engine.FAST) {
      SequencePolicy fast = engine.create(cfg, 0, 0);
      return config.model().outputOrder() == ModelConfig.OutputOrder.RIGHT_TO_LEFT ? new RightToLeftPolicy(fast) : fast;
    }
    var rl = config.rl();
    if (rl.klCoefficient() > 0 || rl.mleWeightStart() > 0 || rl.mleWeightEnd() > 0
        || rl.objective() != RlObjective.POLICY_GRADIENT) {
      throw new InvalidConfigException("model.engine", "samediff does not do the KL penalty, MLE mixing or PPO-clip yet"
          + " (rl.kl_coefficient, rl.mle_weight_*, rl.objective); expected model.engine fast for those recipes");
    }
    if (config.model().graph().file() != null) {
      return UserGraph.policy(config.model().graph(), config.rl().baselineLabel(), baseline.requirements().criticHeads(),
          dataset.targetVocab().size(), graphSourceLength(dataset, atLengths), graphTargetLength(dataset, maxLength, atLengths),
          Seeds.derive(config.seed(), "init"));
    }
    cfg = cfg.toBuilder().criticHeads(baseline.requirements().criticHeads()).build();
    String why = engine.unsupported(cfg);
    if (why != null) {
      throw new InvalidConfigException("model.engine", why);
    }
    return engine.create(cfg, graphSourceLength(dataset, atLengths), graphTargetLength(dataset, maxLength, atLengths));
  }

  /** The source positions a SameDiff graph is unrolled to: the longest source of any split. */
  static int graphSourceLength(Dataset dataset) {
    return graphSourceLength(dataset, Map.of());
  }

  /** The same, counting the {@code data.test_lengths_each} sets too. */
  static int graphSourceLength(Dataset dataset, Map<Integer, List<Example>> atLengths) {
    int longestSource = 1;
    List<List<Example>> splits = new ArrayList<>(List.of(dataset.train(), dataset.dev(), dataset.test()));
    splits.addAll(atLengths.values());
    for (var split : splits) {
      for (var ex : split) {
        longestSource = Math.max(longestSource, ex.source().size());
      }
    }
    return longestSource;
  }

  /** The decoder positions a SameDiff graph is unrolled to: decoding, or a reference and its end token. */
  static int graphTargetLength(Dataset dataset, int maxLength) {
    return graphTargetLength(dataset, maxLength, Map.of());
  }

  /** The same; the fixed-length test sets decode up to their own longest reference (evaluateTestLengths). */
  static int graphTargetLength(Dataset dataset, int maxLength, Map<Integer, List<Example>> atLengths) {
    int longestTarget = Math.max(maxLength, longestReference(dataset) + 1);
    for (var split : atLengths.values()) {
      for (var ex : split) {
        longestTarget = Math.max(longestTarget, ex.references().stream().mapToInt(List::size).max().orElse(0) + 2);
      }
    }
    return longestTarget;
  }

  static Seq2SeqConfig modelConfig(SeqrlConfig config, Dataset dataset, BaselineStrategy baseline) {
    var m = config.model();
    return Seq2SeqConfig.builder(dataset.sourceVocab().size(), dataset.targetVocab().size())
        .embedding(m.embedding())
        .hidden(m.hidden())
        .cell(m.cell())
        .encoderLayers(m.encoderLayers())
        .bidirectional(m.bidirectional())
        .dropout(m.dropout())
        .embeddingDropout(m.embeddingDropout())
        .outputDropout(m.outputDropout())
        .attention(m.attention())
        .attentionSize(m.attentionSize())
        .criticHeads(criticHeads(config, baseline))
        .criticTrunk(m.criticTrunk())
        .init(m.initialisation())
        .decoderLayers(m.decoderLayers())
        .layerConnections(m.layerConnections())
        .skipDistance(m.skipDistance())
        .skipCarries(m.skipCarries())
        .normStabilizer(m.normStabilizer())
        .normStabilizerOn(m.normStabilizerOn())
        .labelSmoothing(config.pretrain().labelSmoothing())
        .initStateMeanRatio(m.initStateMeanRatio())
        .carryCellState(m.carryCellState())
        .memory(m.memory().spec())
        .seed(Seeds.derive(config.seed(), "init"))
        .transformer(m.type() == ModelType.TRANSFORMER ? m.transformer().shape() : null)
        .build();
  }

  /**
   * The baseline's heads; but a pre-training-only run, and a run that starts from a checkpoint,
   * carry both heads, so that one pre-trained model can start RL with any baseline.
   */
  static java.util.Set<org.seqrl.rl.CriticHead> criticHeads(SeqrlConfig config, BaselineStrategy baseline) {
    if (config.rl().steps() == 0 || config.rl().initCheckpoint() != null) {
      return java.util.EnumSet.allOf(org.seqrl.rl.CriticHead.class);
    }
    return baseline.requirements().criticHeads();
  }

  /** The configured reward: one kind, or a weighted sum when several are named. */
  static Reward reward(SeqrlConfig config, IntFunction<String> text, boolean characterLevel, ClassLoader plugins) {
    NltkSmoothing smoothing = config.rl().bleuSmoothing();
    RewardKind single = config.rl().singleReward();
    if (single != null) {
      return single(single, smoothing, text, characterLevel);
    }
    Map<Reward, Double> parts = new LinkedHashMap<>();
    config.rl().reward().forEach((kind, w) -> parts.put(single(kind, smoothing, text, characterLevel), w));
    // Terms that are not built in (plug-in classes, ServiceLoader rewards) follow, as SeqrlConfig.rewardName names them.
    for (var term : config.rl().rewardPlugins()) {
      parts.put(Plugins.reward(term, plugins, config.plugins().path()), term.weight());
    }
    if (parts.size() == 1 && parts.values().iterator().next() == 1.0) {
      return parts.keySet().iterator().next();
    }
    return Rewards.weightedSum(parts);
  }

  /** The reward as configs write it: a name, or weighted names joined by '+'. */
  public static String rewardLabel(SeqrlConfig config) {
    // A plug-in is labelled by its class; built-in rewards by the name the reward reports.
    return config.rl().rewardPlugin() != null ? config.rl().rewardPlugin().className() : config.rewardName();
  }

  private static Reward single(RewardKind kind, NltkSmoothing smoothing, IntFunction<String> text, boolean charLevel) {
    return switch (kind) {
      case BLEU -> Rewards.bleu(smoothing);
      case LEVENSHTEIN -> Rewards.levenshtein();
      case LEVENSHTEIN_NORMALIZED -> Rewards.levenshteinNormalized();
      case CHRF -> Rewards.chrf(text, charLevel);
      case EXACT_MATCH -> Rewards.exactMatch();
      case SACREBLEU -> Rewards.sacrebleu(text, charLevel);
      case LENGTH_PENALTY -> Rewards.lengthPenalty();
      case REPETITION_PENALTY -> Rewards.repetitionPenalty();
      case SYMBOL_ERROR -> Rewards.symbolError();
    };
  }

  private static int longestReference(Dataset d) {
    int longest = 1;
    for (var split : List.of(d.train(), d.dev(), d.test())) {
      for (var ex : split) {
        for (var ref : ex.references()) {
          longest = Math.max(longest, ref.size());
        }
      }
    }
    return longest;
  }

  private static <T> List<T> limit(List<T> list, int n) {
    return n > 0 && n < list.size() ? list.subList(0, n) : list;
  }

  /**
   * A deterministic minibatch order over some training rows (a curriculum stage's, else all), seeded
   * per purpose: positions index {@code rows}. With
   * {@code data.length_pool} batches hold rows of similar length, by source length and then the first
   * reference's.
   */
  BatchIterator batches(String purpose, int batchSize, int[] rows) {
    long seed = Seeds.derive(config.seed(), "batches-" + purpose);
    int pool = config.data().lengthPool();
    if (pool == 0) {
      return new BatchIterator(rows.length, batchSize, seed);
    }
    int[] lengths = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      int[][] refs = train.references()[rows[i]];
      lengths[i] = train.sources()[rows[i]].length * 4096 + (refs.length == 0 ? 0 : Math.min(refs[0].length, 4095));
    }
    return new BatchIterator(rows.length, batchSize, seed, lengths, pool);
  }

  /** Greedy metrics ({@code eval/...}) on some rows of dev or train, e.g. a curriculum stage's; no listeners. */
  Map<String, Double> evaluateRows(LengthCurriculum.Measure measure, long step) {
    EncodedSplit split = measure.split().equals("train") ? train : dev;
    int[] rows = measure.rows();
    int[][] sources = new int[rows.length][];
    int[][][] refs = new int[rows.length][][];
    for (int i = 0; i < rows.length; i++) {
      sources[i] = split.sources()[rows[i]];
      refs[i] = split.references()[rows[i]];
    }
    return evaluator(1, 0, maxLength).evaluate(step, "dev", sources, refs).metrics();
  }

  /** {@code test/len<L>/<metric>} for every fixed test length, greedy only, e.g. {@code test/len30/symbol_error}. */
  public static String testLengthKey(int length, String metric) {
    return "test/len" + length + "/" + metric;
  }

  /**
   * Decodes each {@code data.test_lengths_each} set greedily, with room for its longest reference and
   * an end token, and reports the standard greedy metrics (exact match, symbol error, edit distances,
   * BLEU) under {@link #testLengthKey}; empty when no lengths are set.
   */
  public Map<String, Double> evaluateTestLengths(long step) {
    return evaluateTestLengths(step, policy);
  }

  /** {@link #evaluateTestLengths(long)} decoded by {@code decoding} (an ensemble of this run's policy and others). */
  public Map<String, Double> evaluateTestLengths(long step, SequencePolicy decoding) {
    Map<String, Double> out = new LinkedHashMap<>();
    testsAtLengths.forEach((length, split) -> {
      int longest = 1;
      for (int[][] refs : split.references()) {
        for (int[] r : refs) {
          longest = Math.max(longest, r.length);
        }
      }
      // The standard metrics only: chrF and sacreBLEU of long symbol strings say nothing the others do not.
      var metrics = new Evaluator(decoding, List.of(), longest + 2, 64, 1, 0)
          .evaluate(step, "test", split.sources(), split.references()).metrics();
      metrics.forEach((k, v) -> out.put(testLengthKey(length, k.substring(Evaluator.PREFIX.length())), v));
    });
    return out;
  }

  public LengthCurriculum curriculum() {
    return curriculum;
  }

  private EncodedSplit split(String split) {
    return switch (split) {
      case "dev" -> dev;
      case "test" -> test;
      case "train" -> train;
      default -> throw new IllegalArgumentException("unknown split '" + split + "'; expected dev, test or train");
    };
  }

  /**
   * The split's sources and their greedy outputs as {@link #evaluate} decodes them, one line each:
   * the source's tokens, a tab, the output's tokens (tokens joined by single spaces).
   */
  public List<String> predictions(String split) {
    return predictions(split, policy);
  }

  /** {@link #predictions(String)} decoded by {@code decoding}. */
  public List<String> predictions(String split, SequencePolicy decoding) {
    EncodedSplit data = split(split);
    int[][] greedy = new Evaluator(decoding, List.of(), maxLength, 64, 0, 0).greedy(data.sources());
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < greedy.length; i++) {
      lines.add(String.join(" ", dataset.sourceVocab().decode(data.sources()[i])) + "\t"
          + String.join(" ", dataset.targetVocab().decode(greedy[i])));
    }
    return lines;
  }

  /** Decodes a split greedily (and with beam search when configured) and scores every metric. */
  public EvaluationEvent evaluate(String split, long step) {
    return evaluate(split, step, policy);
  }

  /** {@link #evaluate(String, long)} decoded by {@code decoding} (an ensemble of this run's policy and others). */
  public EvaluationEvent evaluate(String split, long step, SequencePolicy decoding) {
    EncodedSplit data = split(split);
    return evaluator(decoding, config.eval().beamWidth(), config.eval().samples(), maxLength)
        .evaluate(step, split, data.sources(), data.references());
  }

  /** The sources of a split (dev, test or train), encoded. */
  public int[][] sources(String split) {
    return split(split).sources();
  }

  private Evaluator evaluator(int beamWidth, int samples, int decodeLength) {
    return evaluator(policy, beamWidth, samples, decodeLength);
  }

  private Evaluator evaluator(SequencePolicy decoding, int beamWidth, int samples, int decodeLength) {
    List<NamedMetric> metrics = new ArrayList<>();
    // The reward is named by what it is (eval/reward_bleu), so that a sweep over rewards charts them apart.
    metrics.add(new NamedMetric(EvalConfig.rewardMetricName(reward.name()), reward));
    for (String name : EvalConfig.EXTRA_METRICS) {
      metrics.add(new NamedMetric(name, switch (name) {
        case "chrf" -> detokenized(Rewards.chrf(targetText, characterLevel), words);
        case "sacrebleu" -> detokenized(Rewards.sacrebleu(targetText, characterLevel), words);
        default -> throw new IllegalStateException("no scorer for evaluation metric '" + name + "'");
      }));
    }
    return new Evaluator(decoding, metrics, decodeLength, 64, beamWidth, samples, config.eval().coveragePenalty());
  }

  void restorePolicyFrom(Path checkpoint) {
    Path dir = Files.isDirectory(checkpoint.resolve("policy")) ? checkpoint.resolve("policy") : checkpoint;
    try {
      policy.restore(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the policy from " + dir + ": " + e.getMessage(), e);
    }
  }

  void saveVocabularies(Path dir) throws IOException {
    dataset.sourceVocab().save(dir.resolve("source-vocab.txt"));
    dataset.targetVocab().save(dir.resolve("target-vocab.txt"));
    dataset.saveTokenizers(dir);
  }

  public SeqrlConfig config() {
    return config;
  }

  public Dataset dataset() {
    return dataset;
  }

  public EncodedSplit train() {
    return train;
  }

  public EncodedSplit dev() {
    return dev;
  }

  public SequencePolicy policy() {
    return policy;
  }

  public Reward reward() {
    return reward;
  }

  public BaselineStrategy baseline() {
    return baseline;
  }

  public Trainer trainer() {
    return trainer;
  }

  public int maxLength() {
    return maxLength;
  }

  public Vocabulary sourceVocab() {
    return dataset.sourceVocab();
  }

  public Vocabulary targetVocab() {
    return dataset.targetVocab();
  }

  @Override
  public void close() {
    policy.close();
    dataset.close();
  }
}
