package org.seqrl.experiments.config;

import org.seqrl.rl.Evaluator;
import org.seqrl.rl.MetricDirection;

/**
 * {@code data.curriculum.*}: a curriculum over lengths (issue 17). Training starts on the lengths
 * {@code [train_lengths.min, start]}; whenever an evaluation finds {@code metric}, measured on the dev
 * examples of those lengths, past {@code threshold} (at least it for a metric that improves upwards,
 * at most it for one that improves downwards), the longest length grows by {@code step}, until it
 * reaches {@code train_lengths.max}. {@code start} 0 turns the curriculum off.
 */
public record CurriculumConfig(int start, int step, String metric, double threshold) {

  public CurriculumConfig {
    Checks.atLeast("data.curriculum.start", start, 0);
    Checks.atLeast("data.curriculum.step", step, 1);
    // Greedy metrics only: the stage's dev subset is decoded greedily (no beam), once per evaluation.
    if (metric == null || !metric.matches("eval/[A-Za-z0-9_.+-]+")) {
      throw new InvalidConfigException("data.curriculum.metric", (metric == null ? "an empty value" : "'" + metric + "'")
          + " is not a greedy evaluation metric; expected eval/<name>, e.g. eval/exact_match");
    }
    if (!Double.isFinite(threshold)) {
      throw new InvalidConfigException("data.curriculum.threshold", threshold + " is not a finite number; expected "
          + "e.g. 0.9 for eval/exact_match");
    }
  }

  public static CurriculumConfig defaults() {
    return new CurriculumConfig(0, 2, "eval/exact_match", 0.9);
  }

  public boolean enabled() {
    return start > 0;
  }

  /** Whether {@code value} of {@link #metric} passes the threshold, in the metric's own direction. */
  public boolean passes(double value) {
    MetricDirection direction = Evaluator.direction(metric).orElseThrow();
    return direction == MetricDirection.MAX ? value >= threshold : value <= threshold;
  }
}
