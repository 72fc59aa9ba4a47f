package org.seqrl.experiments.report;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;

/** Summary statistics and tests over seeds. */
public final class Stats {
  private Stats() {}

  /** Resamples of a bootstrap interval: enough that the 2.5 % and 97.5 % points move by well under a reported digit. */
  static final int BOOTSTRAP_RESAMPLES = 10_000;

  /** Exact sign-flip tests enumerate all 2^n sign patterns up to this n, and sample them above it. */
  static final int EXACT_SIGN_FLIP_MAX_N = 20;

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

  /**
   * Percentile bootstrap interval of the mean at {@code level} (0.95 for 95 %): {lo, hi}, or
   * {NaN, NaN} for fewer than two values. The resamples come from a fixed seed, so the same runs
   * give the same report. With few seeds the percentile interval is narrower than it should be
   * (its coverage is below the level at n = 3-5); the report says so where it prints one.
   */
  public static double[] bootstrapMeanInterval(double[] xs, double level, long seed) {
    int n = xs.length;
    if (n < 2) {
      return new double[] {Double.NaN, Double.NaN};
    }
    SplittableRandom rng = new SplittableRandom(seed);
    double[] means = new double[BOOTSTRAP_RESAMPLES];
    for (int b = 0; b < means.length; b++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += xs[rng.nextInt(n)];
      }
      means[b] = s / n;
    }
    Arrays.sort(means);
    double tail = (1 - level) / 2;
    return new double[] {quantile(means, tail), quantile(means, 1 - tail)};
  }

  /** Linear interpolation between order statistics of sorted values (type 7, numpy's default). */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * Two-sided p-value of the paired t-test of mean(differences) = 0 (n - 1 degrees of freedom).
   * Differences that are all equal have no spread: p is 1 if they are 0 and 0 otherwise. NaN for
   * fewer than two pairs.
   */
  public static double pairedTTestP(double[] differences) {
    int n = differences.length;
    if (n < 2) {
      return Double.NaN;
    }
    double m = mean(differences);
    double sd = sampleStd(differences);
    if (sd == 0) {
      return m == 0 ? 1.0 : 0.0;
    }
    double t = m / (sd / Math.sqrt(n));
    return 2 * (1 - new TDistribution(n - 1).cumulativeProbability(Math.abs(t)));
  }

  /**
   * Two-sided p-value of the sign-flip (paired permutation) test: the share of sign patterns
   * whose |sum| is at least the observed |sum|. It assumes only that each difference is as likely
   * to be negative as positive under the null, but it cannot go below 2 / 2^n: 0.0625 at n = 5,
   * so five seeds can never pass it at 5 %.
   */
  public static double signFlipP(double[] differences, long seed) {
    int n = differences.length;
    if (n == 0) {
      return Double.NaN;
    }
    double observed = Math.abs(Arrays.stream(differences).sum());
    double tolerance = 1e-12 * (1 + observed);
    if (n <= EXACT_SIGN_FLIP_MAX_N) {
      long atLeast = 0;
      for (long signs = 0; signs < (1L << n); signs++) {
        if (Math.abs(signedSum(differences, signs)) >= observed - tolerance) {
          atLeast++;
        }
      }
      return atLeast / (double) (1L << n);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    int draws = 100_000;
    long atLeast = 1; // the observed pattern itself, so that p is never 0
    for (int d = 0; d < draws; d++) {
      double s = 0;
      for (double x : differences) {
        s += rng.nextBoolean() ? x : -x;
      }
      if (Math.abs(s) >= observed - tolerance) {
        atLeast++;
      }
    }
    return atLeast / (double) (draws + 1);
  }

  private static double signedSum(double[] xs, long signs) {
    double s = 0;
    for (int i = 0; i < xs.length; i++) {
      s += ((signs >>> i) & 1) == 0 ? xs[i] : -xs[i];
    }
    return s;
  }

  /**
   * Holm's step-down adjustment of a family of p-values (controls the family-wise error rate):
   * the i-th smallest p times (m - i), kept monotone and at most 1. NaN stays NaN and does not
   * count towards m.
   */
  public static double[] holm(double[] p) {
    Integer[] order = new Integer[p.length];
    int m = 0;
    for (int i = 0; i < p.length; i++) {
      order[i] = i;
      if (!Double.isNaN(p[i])) {
        m++;
      }
    }
    Arrays.sort(order, (a, b) -> Double.compare(nanLast(p[a]), nanLast(p[b])));
    double[] adjusted = new double[p.length];
    double running = 0;
    for (int rank = 0; rank < p.length; rank++) {
      int i = order[rank];
      if (Double.isNaN(p[i])) {
        adjusted[i] = Double.NaN;
        continue;
      }
      running = Math.max(running, Math.min(1, (m - rank) * p[i]));
      adjusted[i] = running;
    }
    return adjusted;
  }

  private static double nanLast(double p) {
    return Double.isNaN(p) ? Double.POSITIVE_INFINITY : p;
  }
}
