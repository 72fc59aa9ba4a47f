package org.seqrl.experiments.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.rl.EvaluationEvent;
import org.seqrl.rl.RunListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqrl eval}: scores a checkpoint on a split, greedy and optionally with beam search. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluate a checkpoint on dev or test data and print every metric.")
public final class EvalCommand implements Callable<Integer> {

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
      description = "A run directory (its best checkpoint, else its latest) or a checkpoint folder.")
  Path checkpoint;

  @Option(names = "--split", defaultValue = "test", description = "dev or test (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--beam", paramLabel = "N", description = "Also decode with beam search of width N (default: the run's eval.beam_width).")
  Integer beam;

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
    Path ckpt = resolveCheckpoint(checkpoint);
    try (RunComponents parts = open(ckpt, beam == null ? List.of() : List.of("eval.beam_width=" + beam))) {
      EvaluationEvent e = parts.evaluate(split, -1);
      Map<String, Double> m = new LinkedHashMap<>(e.metrics());
      if (split.equals("test")) {
        // data.test_lengths_each: one set per length, test/len<L>/<metric>, after the test split's own metrics.
        m.putAll(parts.evaluateTestLengths(-1));
      }
      System.out.printf(Locale.ROOT, "checkpoint %s, split %s (%d examples)%n", ckpt, split,
          split.equals("dev") ? parts.dev().sources().length : parts.dataset().test().size());
      System.out.printf(Locale.ROOT, "%-32s %14s%n", "metric", "value");
      m.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-32s %14.6f%n", k, v));
      if (output != null) {
        ObjectNode o = TrainingRun.JSON.createObjectNode();
        o.put("checkpoint", ckpt.toString());
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
          Files.write(predictions, parts.predictions(split), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException ex) {
          throw new UserInputException("--predictions " + predictions + ": cannot write (" + ex.getMessage() + ")");
        }
      }
    }
    return 0;
  }

  /** The run's parts built from its saved config, with the checkpoint's policy loaded. */
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
