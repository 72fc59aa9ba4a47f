package org.seqrl.rl;

/**
 * The noise of a stochastic gradient, from K independent estimates g_1..g_K of the same expected
 * gradient (P parameters each), mean ḡ = (1/K) Σ_k g_k:
 * <pre>
 *   variance = (1/(K-1)) Σ_k ‖g_k − ḡ‖²      trace of the sample covariance of ONE estimate (unbiased)
 *   snr      = ‖ḡ‖² / variance               signal-to-noise ratio
 *   meanNorm = ‖ḡ‖
 * </pre>
 * E‖ḡ‖² = ‖E g‖² + variance / K, so a pure-noise gradient still shows an snr near 1/K; compare
 * snr values measured with the same K. snr is NaN when the variance is 0 (all estimates equal).
 *
 * @param variance trace of the covariance of one estimate
 * @param snr {@code ‖ḡ‖² / variance}
 * @param meanNorm {@code ‖ḡ‖}
 * @param estimates K
 */
public record GradientVariance(double variance, double snr, double meanNorm, int estimates) {

  /** The statistics of {@code estimates} (K rows of equal length, K >= 2). */
  public static GradientVariance of(double[][] estimates) {
    int k = estimates.length;
    if (k < 2) {
      throw new IllegalArgumentException("a variance needs at least 2 gradient estimates, got " + k);
    }
    int p = estimates[0].length;
    for (double[] g : estimates) {
      if (g.length != p) {
        throw new IllegalArgumentException("gradient estimates differ in length: " + p + " and " + g.length);
      }
    }
    double squaredDeviations = 0;
    double meanSquared = 0;
    for (int i = 0; i < p; i++) {
      double m = 0;
      for (double[] g : estimates) {
        m += g[i];
      }
      m /= k;
      meanSquared += m * m;
      for (double[] g : estimates) {
        double d = g[i] - m;
        squaredDeviations += d * d;
      }
    }
    double variance = squaredDeviations / (k - 1);
    double snr = variance > 0 ? meanSquared / variance : Double.NaN;
    return new GradientVariance(variance, snr, Math.sqrt(meanSquared), k);
  }
}
