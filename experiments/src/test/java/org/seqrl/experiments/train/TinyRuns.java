package org.seqrl.experiments.train;

import java.io.IOException;
import java.nio.file.Path;

/** Small, fast configs for end-to-end tests: reversing 2-4 symbols over an alphabet of 5. */
final class TinyRuns {
  private TinyRuns() {}

  static Path config(Path dir, String name, int pretrainSteps, int rlSteps, String extraYaml) throws IOException {
    String yaml = """
        experiment: tiny-tests
        seed: 7
        data:
          task: reverse
          alphabet: 5
          train_lengths: [2, 4]
          train_size: 400
          dev_size: 40
          test_size: 40
        model:
          embedding: 16
          hidden: 32
          attention: additive
        pretrain:
          steps: %d
          batch_size: 16
          learning_rate: 0.01
        rl:
          steps: %d
          reward: levenshtein
          baseline: scst
          batch_size: 16
          learning_rate: 0.003
        eval:
          every: 20
          samples: 2
          heatmaps: 1
        """.formatted(pretrainSteps, rlSteps) + extraYaml;
    return CliRuns.writeConfig(dir, name, yaml);
  }
}
