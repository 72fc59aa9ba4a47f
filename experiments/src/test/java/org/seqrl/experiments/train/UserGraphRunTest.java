package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.seqrl.examples.PlainDl4jDecodeExample;
import org.seqrl.examples.SameDiffScstExample;
import org.seqrl.experiments.cli.SeqrlCli;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.StepEvent;

/** {@code model.graph}: a SameDiff graph built in Java and saved trains from a config, checkpoints and resumes exactly. */
class UserGraphRunTest {
  @TempDir Path tmp;

  private record Result(int code, String out) {}

  private static Result seqrl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      var cli = SeqrlCli.commandLine();
      cli.setErr(new PrintWriter(out, true, StandardCharsets.UTF_8));
      int code = cli.execute(args);
      return new Result(code, out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
    }
  }

  /**
   * The example's LSTM encoder-decoder over the reverse task with an alphabet of 3 (7 ids with the
   * reserved ones), unrolled to 3 source and 5 decoder positions, saved with two of its names changed.
   */
  private Path config() throws IOException {
    SameDiff g = SameDiffScstExample.lstmEncoderDecoder(7, 8, 12, 3, 5, 3);
    g.renameVariable("logits", "next_token_scores");
    Files.createDirectories(tmp.resolve("graphs"));
    g.save(tmp.resolve("graphs/my-decoder.sd").toFile(), false);
    Path cfg = tmp.resolve("graph.yaml");
    Files.writeString(cfg, """
        experiment: tiny-user-graph
        seed: 3
        data:
          task: reverse
          alphabet: 3
          train_lengths: [1, 3]
          train_size: 100
          dev_size: 8
          test_size: 8
        model:
          engine: samediff
          graph: graphs/my-decoder.sd
          graph_names:
            logits: next_token_scores
        pretrain:
          steps: 8
          batch_size: 16
          learning_rate: 0.03
        rl:
          steps: 4
          reward: levenshtein
          baseline: scst
          batch_size: 8
          learning_rate: 0.003
        eval:
          every: 4
          samples: 0
          heatmaps: 0
        """);
    return cfg;
  }

  @Test
  void aSavedGraphTrainsFromTheCliAndResumesExactly() throws IOException {
    Path cfg = config();
    Path straight = tmp.resolve("straight");
    Result r = seqrl("train", cfg.toString(), "--no-tracking", "--output", straight.toString(), "--progress", "lines");
    assertEquals(0, r.code(), r.out());
    String saved = Files.readString(straight.resolve("config.yaml"));
    assertTrue(saved.contains("my-decoder.sd") && saved.contains("logits: next_token_scores"), saved);
    JsonNode s = TrainingRun.JSON.readTree(straight.resolve("summary.json").toFile());
    assertEquals(12, s.get("steps").get("total").asLong());
    assertTrue(Files.isRegularFile(straight.resolve("checkpoints/latest/policy/params.bin")));

    Path stopped = tmp.resolve("stopped");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, stopped)) {
      run.addListener(new RunListener() {
        @Override
        public void onStep(StepEvent e) {
          if (e.step() == 6) {
            run.requestStop(); // during pre-training, between evaluations
          }
        }
      });
      assertEquals(TrainingRun.Outcome.INTERRUPTED, run.run());
    }
    Result resumed = seqrl("train", "--resume", stopped.toString(), "--no-tracking", "--progress", "lines");
    assertEquals(0, resumed.code(), resumed.out());
    JsonNode a = TrainingRun.JSON.readTree(straight.resolve("summary.json").toFile());
    JsonNode b = TrainingRun.JSON.readTree(stopped.resolve("summary.json").toFile());
    assertEquals(a.get("final"), b.get("final"));
    TrainingRunTest.assertSameFiles(straight.resolve("checkpoints/latest/policy"), stopped.resolve("checkpoints/latest/policy"));

    // the trained graph exports and decodes in the plain DL4J program as seqrl eval decodes it
    Path predictions = tmp.resolve("predictions.tsv");
    Result e = seqrl("eval", "--checkpoint", straight.toString(), "--split", "test", "--predictions", predictions.toString());
    assertEquals(0, e.code(), e.out());
    assertTrue(e.out().contains("eval/exact_match"), e.out());
    Path export = tmp.resolve("export");
    Result x = seqrl("export", "--checkpoint", straight.toString(), "--output", export.toString());
    assertEquals(0, x.code(), x.out());
    assertTrue(Files.readString(export.resolve(ExportCommand.MANIFEST)).contains("output.logits=next_token_scores"));
    List<String> lines = Files.readAllLines(predictions, StandardCharsets.UTF_8);
    List<String> expected = new ArrayList<>();
    lines.forEach(l -> expected.add(l.substring(l.indexOf('\t') + 1)));
    assertEquals(expected, new PlainDl4jDecodeExample(export).decodeLines(lines));
  }

  @Test
  void graphSettingsThatDoNotFitAreNamedWithTheirValues() throws IOException {
    Path cfg = config();
    List<String[]> cases = new ArrayList<>();
    // a --set path is relative to the working directory, a config file's to the file
    cases.add(new String[] {"model.graph=" + tmp.resolve("graphs/missing.sd"), "model.graph: '" + tmp.resolve("graphs/missing.sd")
        + "' does not exist or is not a file; expected a SameDiff graph file"});
    cases.add(new String[] {"model.graph_names.logits=nope", "model.graph_names.logits: 'nope' is not a variable of"});
    cases.add(new String[] {"model.graph_names.source_mask=mask", "model.graph_names.source_mask: 'mask' is not a placeholder"});
    cases.add(new String[] {"model.engine=fast", "model.graph: '" + tmp.resolve("graphs/my-decoder.sd")
        + "' is a SameDiff graph, which model.engine fast cannot run; expected model.engine samediff"});
    cases.add(new String[] {"rl.baseline=value", "model.graph_names.sequence_value: null, but rl.baseline value needs"});
    cases.add(new String[] {"data.train_lengths=[1, 4]", "placeholder 'source_ids' takes 3 positions, but the data's longest"
        + " source needs 4"});
    int i = 0;
    for (String[] c : cases) {
      Result r = seqrl("train", cfg.toString(), "--no-tracking", "--output", tmp.resolve("bad-" + i++).toString(),
          "--set", c[0]);
      assertEquals(SeqrlCli.EXIT_USAGE, r.code(), c[0] + ": " + r.out());
      assertTrue(r.out().contains(c[1]), c[0] + ": expected '" + c[1] + "' in\n" + r.out());
    }
  }
}
