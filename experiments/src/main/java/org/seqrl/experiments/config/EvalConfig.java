package org.seqrl.experiments.config;

import java.util.List;
import org.seqrl.rl.Evaluator;
import org.seqrl.rl.MetricDirection;

/**
 * Evaluation on dev every {@code every} steps. {@code devSize} 0 means all of dev; a
 * {@code beamWidth} above 1 also evaluates beam search. The checkpoint with the best
 * {@code bestMetric} is kept; which way is better is the metric's own property
 * ({@link Evaluator#direction}); {@code bestMode} may be given, but only to say the same.
 */
public record EvalConfig(int every, int devSize, int beamWidth, String bestMetric, MetricDirection bestMode,
                         int samples, int heatmaps) {
  /** The metrics a run evaluates besides the evaluator's standard ones: its reward, chrF and sacreBLEU. */
  public static final List<String> EXTRA_METRICS = List.of("reward", "chrf", "sacrebleu");

  public EvalConfig {
    Checks.atLeast("eval.every", every, 1);
    Checks.atLeast("eval.dev_size", devSize, 0);
    Checks.between("eval.beam_width", beamWidth, 1, 64);
    List<String> produced = Evaluator.metricKeys(EXTRA_METRICS, beamWidth);
    if (bestMetric == null || !produced.contains(bestMetric)) {
      boolean beamOnly = bestMetric != null && Evaluator.metricKeys(EXTRA_METRICS, 2).contains(bestMetric);
      throw (beamOnly ? InvalidConfigException.conflict("eval.best_metric", "'" + bestMetric + "' is only reported "
          + "with beam search, but eval.beam_width is " + beamWidth + "; expected eval.beam_width >= 2 or one of "
          + String.join(", ", produced))
          : new InvalidConfigException("eval.best_metric", (bestMetric == null ? "an empty value" : "'" + bestMetric + "'")
          + " is not a metric an evaluation reports; expected one of " + String.join(", ", produced)));
    }
    MetricDirection direction = Evaluator.direction(bestMetric).orElseThrow();
    if (bestMode != null && bestMode != direction) {
      throw InvalidConfigException.conflict("eval.best_mode", "'" + ConfigChoice.spelling(bestMode) + "' contradicts "
          + bestMetric + ", which is better when " + (direction == MetricDirection.MAX ? "higher" : "lower")
          + "; expected " + ConfigChoice.spelling(direction) + ", or leave eval.best_mode out");
    }
    Checks.atLeast("eval.samples", samples, 0);
    Checks.atLeast("eval.heatmaps", heatmaps, 0);
  }

  public static EvalConfig defaults() {
    return new EvalConfig(200, 0, 1, "eval/levenshtein_rate", null, 8, 4);
  }

  /** Which way {@link #bestMetric} improves. */
  public MetricDirection bestDirection() {
    return Evaluator.direction(bestMetric).orElseThrow();
  }
}
