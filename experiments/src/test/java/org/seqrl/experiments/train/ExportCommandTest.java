package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.seqrl.experiments.train.CliRuns.evalOnTest;
import static org.seqrl.experiments.train.CliRuns.predictedOutputs;
import static org.seqrl.experiments.train.CliRuns.seqrl;
import static org.seqrl.experiments.train.CliRuns.train;
import static org.seqrl.experiments.train.CliRuns.writeConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.examples.PlainDl4jDecodeExample;
import org.seqrl.experiments.cli.SeqrlCli;
import org.seqrl.experiments.train.CliRuns.Result;

/** {@code seqrl export}: a SameDiff-engine checkpoint exports too, and what cannot be exported is named. */
class ExportCommandTest {
  @TempDir Path tmp;

  private Path tinyConfig(String engine) throws IOException {
    return writeConfig(tmp, engine, """
        experiment: tiny-export
        seed: 5
        data:
          task: reverse
          alphabet: 3
          train_lengths: [1, 3]
          train_size: 100
          dev_size: 16
          test_size: 16
        model:
          engine: %s
          embedding: 8
          hidden: 12
          attention: additive
        pretrain:
          steps: 30
          batch_size: 16
          learning_rate: 0.03
        rl:
          steps: 0
        eval:
          every: 30
          samples: 0
          heatmaps: 0
        """.formatted(engine));
  }

  /** A policy trained by the SameDiff engine exports to the same kind of folder and decodes as seqrl eval does. */
  @Test
  void aSamediffEngineCheckpointExportsAndDecodesAsEvalDoes() throws IOException {
    Path run = tmp.resolve("sd-run");
    train(tinyConfig("samediff"), run);
    Path export = tmp.resolve("sd-export");
    Result x = seqrl("export", "--checkpoint", run.toString(), "--output", export.toString());
    assertEquals(0, x.code(), x.all());
    Properties manifest = new Properties();
    try (var r = Files.newBufferedReader(export.resolve(ExportCommand.MANIFEST))) {
      manifest.load(r);
    }
    assertEquals("samediff", manifest.getProperty("trained_engine"));
    assertEquals("3", manifest.getProperty("source_positions"));
    Path predictions = tmp.resolve("predictions.tsv");
    evalOnTest(run, "--predictions", predictions.toString());
    List<String> lines = Files.readAllLines(predictions, StandardCharsets.UTF_8);
    List<String> expected = predictedOutputs(lines);
    assertEquals(16, expected.size());
    assertEquals(expected, new PlainDl4jDecodeExample(export).decodeLines(lines));

    // a graph unrolled further takes longer sources and decodes the same sources the same way
    Path wider = tmp.resolve("sd-export-wider");
    Result w = seqrl("export", "--checkpoint", run.toString(), "--output", wider.toString(), "--max-source-length", "6",
        "--max-length", "5");
    assertEquals(0, w.code(), w.all());
    String wm = Files.readString(wider.resolve(ExportCommand.MANIFEST));
    assertTrue(wm.contains("source_positions=6") && wm.contains("decoder_positions=5") && wm.contains("max_length=5"), wm);
    PlainDl4jDecodeExample plain = new PlainDl4jDecodeExample(wider);
    assertEquals(expected, plain.decodeLines(lines));
    assertEquals(1, plain.decodeLines(List.of("a b c a b c")).size());
    Result bad = seqrl("export", "--checkpoint", run.toString(), "--output", wider.toString(), "--max-length", "0");
    assertEquals(SeqrlCli.EXIT_USAGE, bad.code(), bad.all());
    assertTrue(bad.all().contains("--max-length: 0 is not a length; expected an integer >= 1"), bad.all());
  }

  /** Architectures the SameDiff graph does not build, and formats that do not exist, are refused by name. */
  @Test
  void whatCannotBeExportedIsNamed() throws IOException {
    Path run = tmp.resolve("dot-run");
    train(tinyConfig("fast"), run, "--set", "model.attention=dot", "--set", "model.bidirectional=true",
        "--set", "pretrain.steps=2", "--set", "eval.every=2");
    Path export = tmp.resolve("dot-export");
    Result x = seqrl("export", "--checkpoint", run.toString(), "--format", "samediff", "--output", export.toString());
    assertEquals(SeqrlCli.EXIT_USAGE, x.code(), x.all());
    assertTrue(x.all().contains("export --format samediff does not build model.bidirectional, model.attention dot"), x.all());
    assertTrue(Files.notExists(export.resolve(ExportCommand.GRAPH_FILE)), "nothing is written");
    Result f = seqrl("export", "--checkpoint", run.toString(), "--format", "onnx", "--output", export.toString());
    assertEquals(SeqrlCli.EXIT_USAGE, f.code(), f.all());
    assertTrue(f.all().contains("--format: 'onnx' is not an export format; expected samediff"), f.all());
  }
}
