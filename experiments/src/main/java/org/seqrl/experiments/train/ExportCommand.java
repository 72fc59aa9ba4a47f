package org.seqrl.experiments.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.seqrl.agents.SameDiffExport;
import org.seqrl.agents.Seq2SeqConfig;
import org.seqrl.agents.Seq2SeqPolicy;
import org.seqrl.agents.SameDiffPolicy;
import org.seqrl.agents.SameDiffSeq2Seq;
import org.seqrl.agents.SameDiffStepGraph;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.GraphConfig;
import org.seqrl.rl.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seqrl export}: a trained policy as a folder a plain DL4J program can load (docs/export.md):
 * the SameDiff graph ({@value #GRAPH_FILE}), both vocabularies and {@value #MANIFEST}, which names the
 * graph's inputs and outputs, its unrolled lengths and the reserved token ids.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export a trained policy (fast or samediff engine) as a SameDiff graph with its vocabularies.")
public final class ExportCommand implements Callable<Integer> {
  /** The graph file inside the export folder. */
  public static final String GRAPH_FILE = "model.sd";
  /** The manifest inside the export folder (java.util.Properties, so that a JDK-only reader needs no parser). */
  public static final String MANIFEST = "export.properties";
  /** The manifest's format; a reader checks it. */
  public static final String FORMAT = "seqrl-samediff-export-1";

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
      description = "A run directory (its best checkpoint, else its latest) or a checkpoint folder.")
  Path checkpoint;

  @Option(names = "--format", defaultValue = "samediff", paramLabel = "FORMAT",
      description = "Export format; samediff (the default) is the only one.")
  String format;

  @Option(names = "--output", required = true, paramLabel = "DIR",
      description = "The folder to write (created; files of an earlier export in it are replaced).")
  Path output;

  @Option(names = "--max-source-length", paramLabel = "N",
      description = "Longest source the exported graph takes (default: the run's longest source).")
  Integer maxSourceLength;

  @Option(names = "--max-length", paramLabel = "N",
      description = "Most tokens a reader decodes; the graph is unrolled to it (default: the run's decoding length).")
  Integer maxLength;

  @Override
  public Integer call() {
    for (var o : new Object[][] {{"--max-source-length", maxSourceLength}, {"--max-length", maxLength}}) {
      if (o[1] != null && (Integer) o[1] < 1) {
        throw new UserInputException(o[0] + ": " + o[1] + " is not a length; expected an integer >= 1");
      }
    }
    if (!format.equals("samediff")) {
      throw new UserInputException("--format: '" + format + "' is not an export format; expected samediff");
    }
    if (Files.isRegularFile(output)) {
      throw new UserInputException("--output " + output + ": is a file; expected a folder to write the export into");
    }
    Path ckpt = EvalCommand.resolveCheckpoint(checkpoint);
    try (RunComponents parts = EvalCommand.open(ckpt, List.of())) {
      // the shipped model's graph carries the default names (model.graph_names apply to a model.graph only)
      GraphConfig user = parts.config().model().graph().file() != null ? parts.config().model().graph()
          : GraphConfig.defaults();
      if (user.file() != null && (maxSourceLength != null || maxLength != null)) {
        throw new UserInputException("--max-source-length, --max-length: a model.graph run exports its own graph, whose"
            + " lengths are its own; expected neither option");
      }
      int decodeSteps = maxLength != null ? maxLength : parts.maxLength();
      Graph g = user.file() != null ? userGraph(parts, user) : shippedModel(parts, ckpt, maxSourceLength, maxLength);
      SameDiff graph = g.graph();
      String engine = g.engine();
      int sourcePositions = g.sourcePositions();
      int decoderPositions = g.decoderPositions();
      Files.createDirectories(output);
      SameDiffExport.write(graph, output.resolve(GRAPH_FILE));
      parts.saveVocabularies(output);
      Properties m = new Properties();
      m.setProperty("format", FORMAT);
      m.setProperty("graph", GRAPH_FILE);
      m.setProperty("source_vocab", "source-vocab.txt");
      m.setProperty("target_vocab", "target-vocab.txt");
      m.setProperty("input.source_ids", user.sourceIds());
      m.setProperty("input.source_mask", user.sourceMask());
      m.setProperty("input.decoder_input", user.decoderInput());
      m.setProperty("output.logits", user.logits());
      writeStep(m, g.step());
      m.setProperty("source_positions", Integer.toString(sourcePositions));
      m.setProperty("decoder_positions", Integer.toString(decoderPositions));
      m.setProperty("max_length", Integer.toString(decodeSteps));
      m.setProperty("token.pad", Integer.toString(Tokens.PAD));
      m.setProperty("token.start", Integer.toString(Tokens.START));
      m.setProperty("token.end", Integer.toString(Tokens.END));
      m.setProperty("token.unknown", Integer.toString(Tokens.UNKNOWN));
      m.setProperty("token_level", parts.dataset().level().name().toLowerCase(Locale.ROOT));
      m.setProperty("trained_engine", engine);
      m.setProperty("model", g.description());
      m.setProperty("checkpoint", ckpt.toAbsolutePath().normalize().toString());
      try (var out = Files.newBufferedWriter(output.resolve(MANIFEST))) {
        m.store(out, "seqrl export: a SameDiff graph and how to feed it (docs/export.md)");
      }
      System.out.printf(Locale.ROOT, "exported %s (%s engine) to %s: %s, %d source and %d decoder positions%n", ckpt, engine,
          output, GRAPH_FILE, sourcePositions, decoderPositions);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the export to " + output + ": " + e.getMessage(), e);
    }
    return 0;
  }

  /** The graph to write, how it was trained, the lengths to feed it and what it is. */
  private record Graph(SameDiff graph, String engine, int sourcePositions, int decoderPositions, String description,
                       SameDiffStepGraph step) {}

  /**
   * The step graph's names, if the graph has one: {@code step.previous}, {@code step.logits},
   * {@code step.states} (the state placeholders, comma-separated) and per state
   * {@code step.state.NAME.initial} and, for a state that changes, {@code step.state.NAME.next}.
   */
  private static void writeStep(Properties m, SameDiffStepGraph step) {
    if (step == null) {
      return;
    }
    m.setProperty("step.previous", step.previousTokens());
    m.setProperty("step.logits", step.logits());
    m.setProperty("step.states", String.join(",", step.states().stream().map(SameDiffStepGraph.State::input).toList()));
    for (SameDiffStepGraph.State st : step.states()) {
      m.setProperty("step.state." + st.input() + ".initial", st.initial());
      if (st.next() != null) {
        m.setProperty("step.state." + st.input() + ".next", st.next());
      }
    }
  }

  /** A model.graph run's step graph, from its {@code model.graph_names.step_*}, or null. */
  private static SameDiffStepGraph userStep(GraphConfig user) {
    if (user.stepPrevious() == null) {
      return null;
    }
    List<SameDiffStepGraph.State> states = new java.util.ArrayList<>();
    user.stepStates().forEach((input, st) -> states.add(new SameDiffStepGraph.State(input, st.initial(), st.next())));
    return new SameDiffStepGraph(user.stepPrevious(), user.stepLogits(), states);
  }

  /** The shipped recurrent model of either engine, rebuilt as a SameDiff graph holding the trained weights. */
  private static Graph shippedModel(RunComponents parts, Path ckpt, Integer maxSourceLength, Integer maxLength) {
    Seq2SeqConfig cfg = RunComponents.modelConfig(parts.config(), parts.dataset(), parts.baseline());
    String engine;
    if (parts.policy() instanceof Seq2SeqPolicy) {
      engine = "fast";
    } else if (parts.policy() instanceof SameDiffPolicy) {
      engine = "samediff";
    } else {
      throw new UserInputException("--checkpoint " + ckpt + ": a " + parts.policy().getClass().getSimpleName()
          + " cannot be exported; expected a policy of the fast or samediff engine");
    }
    String why = SameDiffExport.unsupported(cfg);
    if (why != null) {
      throw new UserInputException("--checkpoint " + ckpt + ": " + why);
    }
    // a reader only decodes, so with --max-length the graph needs no room for the references
    int s = maxSourceLength != null ? maxSourceLength : RunComponents.graphSourceLength(parts.dataset());
    int t = maxLength != null ? maxLength : RunComponents.graphTargetLength(parts.dataset(), parts.maxLength());
    String what = String.format(Locale.ROOT, "%s encoder-decoder, attention %s, embedding %d, hidden %d",
        cfg.cell().name().toLowerCase(Locale.ROOT), cfg.attention().name().toLowerCase(Locale.ROOT), cfg.embedding(),
        cfg.hidden());
    return new Graph(SameDiffExport.inferenceGraph(cfg, parts.policy(), s, t), engine, s, t, what,
        SameDiffSeq2Seq.stepGraph(cfg));
  }

  /** A model.graph run: the user's graph file, loaded again, holding the trained values; its own fixed lengths if it has them. */
  private static Graph userGraph(RunComponents parts, GraphConfig user) {
    SameDiff sd = SameDiffExport.userGraph(user.file(), (SameDiffPolicy) parts.policy());
    int s = fixedLength(sd, user.sourceIds(), RunComponents.graphSourceLength(parts.dataset()));
    int t = fixedLength(sd, user.decoderInput(), RunComponents.graphTargetLength(parts.dataset(), parts.maxLength()));
    return new Graph(sd, "samediff", s, t, "user graph " + user.file().getFileName(), userStep(user));
  }

  private static int fixedLength(SameDiff sd, String placeholder, int otherwise) {
    long[] shape = sd.getVariable(placeholder).getShape();
    return shape != null && shape.length >= 2 && shape[1] > 0 ? (int) shape[1] : otherwise;
  }
}
