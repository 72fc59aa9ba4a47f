package org.seqrl.experiments.report;

/** Summary statistics over seeds. */
public final class Stats {
  private Stats() {}

  public static double mean(double[] xs) {
    if (xs.length == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (double x : xs) {
      s += x;
    }
    return s / xs.length;
  }

  /** Sample standard deviation (n - 1 in the denominator, as across seeds); 0 for a single value. */
  public static double sampleStd(double[] xs) {
    if (xs.length < 2) {
      return xs.length == 1 ? 0.0 : Double.NaN;
    }
    double m = mean(xs);
    double ss = 0;
    for (double x : xs) {
      ss += (x - m) * (x - m);
    }
    return Math.sqrt(ss / (xs.length - 1));
  }
}
