package org.seqrl.rl;

/**
 * Which way a metric improves. The evaluator defines it for every metric it reports
 * ({@link Evaluator#direction}); best-checkpoint selection, reports and summaries all ask there,
 * so that they cannot disagree.
 */
public enum MetricDirection {
  /** Higher is better (BLEU, exact match, chrF, every reward). */
  MAX,
  /** Lower is better (edit distances and error rates). */
  MIN;

  /** True when {@code candidate} is strictly better than {@code incumbent}; NaN is never better, anything beats NaN. */
  public boolean isBetter(double candidate, double incumbent) {
    if (Double.isNaN(candidate)) {
      return false;
    }
    if (Double.isNaN(incumbent)) {
      return true;
    }
    return this == MAX ? candidate > incumbent : candidate < incumbent;
  }

  /** The better of the finite values, or NaN when there is none. */
  public double best(double[] values) {
    double best = Double.NaN;
    for (double v : values) {
      if (Double.isFinite(v) && isBetter(v, best)) {
        best = v;
      }
    }
    return best;
  }
}
