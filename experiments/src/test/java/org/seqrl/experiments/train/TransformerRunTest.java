package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model.type: transformer} from the CLI: pre-training then RL with the baselines that need
 * the critic heads (sequence and step values on the transformer's states), attention heatmaps at
 * evaluations, and the checkpoint evaluated with beam search.
 */
class TransformerRunTest {
  @TempDir Path tmp;

  private static Path config(Path dir, String baseline) throws IOException {
    String yaml = """
        experiment: tiny-transformer
        seed: 7
        data:
          task: reverse
          alphabet: 5
          train_lengths: [2, 4]
          train_size: 400
          dev_size: 40
          test_size: 40
        model:
          type: transformer
          transformer:
            encoder_layers: 1
            decoder_layers: 1
            heads: 2
            width: 16
            feed_forward: 32
        pretrain:
          steps: 40
          batch_size: 16
          learning_rate: 0.003
        rl:
          steps: 10
          reward: levenshtein
          baseline: %s
          batch_size: 16
          learning_rate: 0.001
        eval:
          every: 20
          samples: 2
          heatmaps: 1
        """.formatted(baseline);
    Path file = dir.resolve(baseline + ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void trainsWithCriticBaselinesDrawsHeatmapsAndEvaluatesItsCheckpoint() throws IOException {
    for (String baseline : new String[] {"value", "step-value"}) {
      Path run = tmp.resolve(baseline);
      CliRuns.train(config(tmp, baseline), run);
      assertTrue(Files.isRegularFile(run.resolve("metrics.jsonl")), baseline);
      assertTrue(Files.list(run.resolve("heatmaps")).findAny().isPresent(), baseline + ": cross-attention heatmaps are drawn");
      try (var files = Files.walk(run.resolve("checkpoints"))) {
        List<Path> shapes = files.filter(f -> f.getFileName().toString().equals("model.properties")).toList();
        assertTrue(!shapes.isEmpty(), baseline + ": no checkpoint");
        for (Path f : shapes) {
          assertTrue(Files.readString(f).contains("transformer.width=16"), f + " records the transformer's shape");
        }
      }
    }
    Path json = tmp.resolve("eval.json");
    CliRuns.evalOnTest(tmp.resolve("value"), "--beam", "3", "--output", json.toString());
    JsonNode m = TrainingRun.JSON.readTree(json.toFile()).get("metrics");
    assertTrue(m.has("eval/beam/levenshtein") && m.has("eval/exact_match"), m.toString());
  }
}
