package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.seqrl.experiments.train.CliRuns.evalOnTest;
import static org.seqrl.experiments.train.CliRuns.predictedOutputs;
import static org.seqrl.experiments.train.CliRuns.resume;
import static org.seqrl.experiments.train.CliRuns.seqrl;
import static org.seqrl.experiments.train.CliRuns.stopAt;
import static org.seqrl.experiments.train.CliRuns.summary;
import static org.seqrl.experiments.train.CliRuns.train;
import static org.seqrl.experiments.train.CliRuns.writeConfig;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
import org.seqrl.experiments.train.CliRuns.Result;

/** {@code model.graph}: a SameDiff graph built in Java and saved trains from a config, checkpoints and resumes exactly. */
class UserGraphRunTest {
  @TempDir Path tmp;

  /**
   * The example's LSTM encoder-decoder over the reverse task with an alphabet of 3 (7 ids with the
   * reserved ones), unrolled to 3 source and 5 decoder positions, saved with two of its names changed.
   */
  private Path config() throws IOException {
    SameDiff g = SameDiffScstExample.lstmEncoderDecoder(7, 8, 12, 3, 5, 3);
    g.renameVariable("logits", "next_token_scores");
    Files.createDirectories(tmp.resolve("graphs"));
    g.save(tmp.resolve("graphs/my-decoder.sd").toFile(), false);
    return writeConfig(tmp, "graph", """
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
  }

  @Test
  void aSavedGraphTrainsFromTheCliAndResumesExactly() throws IOException {
    Path cfg = config();
    Path straight = tmp.resolve("straight");
    train(cfg, straight);
    String saved = Files.readString(straight.resolve("config.yaml"));
    assertTrue(saved.contains("my-decoder.sd") && saved.contains("logits: next_token_scores"), saved);
    assertEquals(12, summary(straight).get("steps").get("total").asLong());
    assertTrue(Files.isRegularFile(straight.resolve("checkpoints/latest/policy/params.bin")));

    Path stopped = tmp.resolve("stopped");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, stopped)) {
      run.addListener(stopAt(run, 6)); // during pre-training, between evaluations
      assertEquals(TrainingRun.Outcome.INTERRUPTED, run.run());
    }
    resume(stopped);
    JsonNode a = summary(straight);
    JsonNode b = summary(stopped);
    assertEquals(a.get("final"), b.get("final"));
    TrainingRunTest.assertSameFiles(straight.resolve("checkpoints/latest/policy"), stopped.resolve("checkpoints/latest/policy"));

    // the trained graph exports and decodes in the plain DL4J program as seqrl eval decodes it
    Path predictions = tmp.resolve("predictions.tsv");
    Result e = evalOnTest(straight, "--predictions", predictions.toString());
    assertTrue(e.all().contains("eval/exact_match"), e.all());
    Path export = tmp.resolve("export");
    Result x = seqrl("export", "--checkpoint", straight.toString(), "--output", export.toString());
    assertEquals(0, x.code(), x.all());
    assertTrue(Files.readString(export.resolve(ExportCommand.MANIFEST)).contains("output.logits=next_token_scores"));
    List<String> lines = Files.readAllLines(predictions, StandardCharsets.UTF_8);
    assertEquals(predictedOutputs(lines), new PlainDl4jDecodeExample(export).decodeLines(lines));
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
      assertEquals(SeqrlCli.EXIT_USAGE, r.code(), c[0] + ": " + r.all());
      assertTrue(r.all().contains(c[1]), c[0] + ": expected '" + c[1] + "' in\n" + r.all());
    }
  }
}
