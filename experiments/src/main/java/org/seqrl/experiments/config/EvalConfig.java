package org.seqrl.experiments.config;

/**
 * Evaluation on dev every {@code every} steps. {@code devSize} 0 means all of dev; a
 * {@code beamWidth} above 1 also evaluates beam search. The checkpoint with the best
 * {@code bestMetric} (by {@code bestMode}) is kept.
 */
public record EvalConfig(int every, int devSize, int beamWidth, String bestMetric, BestMode bestMode, int samples,
                         int heatmaps) {
  public EvalConfig {
    Checks.atLeast("eval.every", every, 1);
    Checks.atLeast("eval.dev_size", devSize, 0);
    Checks.between("eval.beam_width", beamWidth, 1, 64);
    if (bestMetric == null || !bestMetric.matches("[A-Za-z0-9_./-]+")) {
      throw new InvalidConfigException("eval.best_metric", "'" + bestMetric + "' is not a metric name; expected a "
          + "namespaced name such as eval/levenshtein_rate");
    }
    Checks.required("eval.best_mode", bestMode);
    Checks.atLeast("eval.samples", samples, 0);
    Checks.atLeast("eval.heatmaps", heatmaps, 0);
  }

  public static EvalConfig defaults() {
    return new EvalConfig(200, 0, 1, "eval/levenshtein_rate", BestMode.MIN, 8, 4);
  }
}
