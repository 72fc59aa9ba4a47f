package org.seqrl.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.seqrl.experiments.train.CliRuns;

/**
 * A model trained by {@code seqrl train} (fast engine), exported by {@code seqrl export}, decodes in
 * the plain DL4J program exactly as {@code seqrl eval} decodes it greedily.
 */
class PlainDl4jDecodeExampleTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}, attention {1}")
  @CsvSource({"gru, additive", "lstm, none"})
  void theExportedGraphDecodesAsSeqrlEvalDoes(String cell, String attention) throws IOException {
    Path cfg = tmp.resolve("plain.yaml");
    Files.writeString(cfg, """
        experiment: tiny-export
        seed: 11
        data:
          task: reverse
          alphabet: 5
          train_lengths: [2, 4]
          train_size: 400
          dev_size: 40
          test_size: 40
        model:
          cell: %s
          attention: %s
          embedding: 16
          hidden: 32
        pretrain:
          steps: 120
          batch_size: 16
          learning_rate: 0.01
        rl:
          steps: 10
          reward: levenshtein
          baseline: scst
          batch_size: 16
          learning_rate: 0.003
        eval:
          every: 60
          samples: 0
          heatmaps: 0
        """.formatted(cell, attention));
    Path run = tmp.resolve("run");
    CliRuns.succeeds("train", cfg.toString(), "--no-tracking", "--output", run.toString(), "--progress", "lines");
    Path export = tmp.resolve("export");
    CliRuns.succeeds("export", "--checkpoint", run.toString(), "--format", "samediff", "--output", export.toString());
    Properties manifest = new Properties();
    try (var r = Files.newBufferedReader(export.resolve("export.properties"))) {
      manifest.load(r);
    }
    assertEquals("fast", manifest.getProperty("trained_engine"));
    assertTrue(Files.size(export.resolve("model.sd")) > 1000);
    assertEquals("step_previous", manifest.getProperty("step.previous"));
    assertEquals(attention.equals("none") ? "step_h,step_c" : "step_h,step_encoder_outputs,step_attention_keys",
        manifest.getProperty("step.states"));

    PlainDl4jDecodeExample plain = new PlainDl4jDecodeExample(export);
    for (String split : new String[] {"dev", "test"}) {
      Path predictions = tmp.resolve(split + "-predictions.tsv");
      CliRuns.succeeds("eval", "--checkpoint", run.toString(), "--split", split, "--predictions", predictions.toString());
      List<String> lines = Files.readAllLines(predictions, StandardCharsets.UTF_8);
      assertEquals(40, lines.size(), split);
      List<String> expected = new ArrayList<>();
      for (String line : lines) {
        expected.add(line.substring(line.indexOf('\t') + 1));
      }
      assertTrue(new HashSet<>(expected).size() >= 10, "the model decodes varied outputs, so the comparison means something: "
          + expected);
      assertEquals(expected, plain.decodeLines(lines), split + ": the plain DL4J program's greedy outputs");
      // decodeLines ran the step graph; re-running the whole graph on the prefix gives the same ids
      int[][] sources = lines.stream().map(plain::encode).toArray(int[][]::new);
      assertArrayEquals(plain.greedyByPrefix(sources), plain.greedyByStep(sources), split + ": step and prefix decoding");
      // the program's command line: sources file in, one output line per source out
      Path out = tmp.resolve(split + "-plain.txt");
      PlainDl4jDecodeExample.main(new String[] {export.toString(), predictions.toString(), out.toString()});
      assertEquals(expected, Files.readAllLines(out, StandardCharsets.UTF_8));
    }
  }

  /** The example must stay plain: only the JDK and ND4J, nothing of SeqRL. */
  @org.junit.jupiter.api.Test
  void theExampleImportsNoSeqrlClass() throws IOException {
    Path src = Path.of("src/test/java/org/seqrl/examples/PlainDl4jDecodeExample.java");
    List<String> imports = Files.readAllLines(src).stream().filter(l -> l.startsWith("import ")).toList();
    assertFalse(imports.isEmpty());
    for (String line : imports) {
      assertTrue(line.startsWith("import java.") || line.startsWith("import org.nd4j."), "not plain DL4J/JDK: " + line);
    }
  }
}
