package org.seqrl.agents;

/**
 * The norm-stabilizer of Krueger & Memisevic (2016), "Regularizing RNNs by stabilizing
 * activations": β · mean over t of (‖a_t‖ − ‖a_{t−1}‖)², per row, over the steps a row decodes,
 * then the objective's mean over rows (the same 1 / rowsNorm the token loss uses). Its forward and
 * backward side by side; {@code a} is a planar, time-major sequence ({@code [steps*R, W]}, step t
 * of row r at {@code (t*R + r)*W}) and a_{t−1} is read from {@code prev} at the same place plus
 * {@code prevShift} (the cell's {@code hPrev}, or the same array one step back).
 */
final class NormStabilizer {
  private NormStabilizer() {}

  /**
   * Adds the penalty's gradient into {@code dCur} and {@code dPrev} (same layouts as {@code cur},
   * {@code prev}) and returns the penalty. Row r contributes steps {@code [from, min(count[r],
   * steps))}, averaged over their number; a zero vector has no direction, so its norm's gradient is
   * taken as 0 there.
   */
  static double apply(double beta, double rowsNorm, float[] cur, float[] prev, int prevShift, int from, int steps,
      int rows, int width, int[] count, float[] dCur, float[] dPrev) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int end = Math.min(count[r], steps);
      int n = end - from;
      if (n <= 0) {
        continue;
      }
      double w = beta / (rowsNorm * n);
      for (int t = from; t < end; t++) {
        int o = (t * rows + r) * width;
        int p = o + prevShift;
        double a = norm(cur, o, width);
        double b = norm(prev, p, width);
        double diff = a - b;
        total += w * diff * diff;
        double g = 2 * w * diff;
        if (a > 0) {
          Mat.axpy((float) (g / a), cur, o, dCur, o, width);
        }
        if (b > 0) {
          Mat.axpy((float) (-g / b), prev, p, dPrev, p, width);
        }
      }
    }
    return total;
  }

  private static double norm(float[] a, int off, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) a[off + i] * a[off + i];
    }
    return Math.sqrt(s);
  }
}
