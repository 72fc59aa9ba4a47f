package org.seqrl.agents;

import java.util.Arrays;

/**
 * The token loss of an objective over a decoder pass's logits: weighted negative log-likelihood
 * minus weighted entropy (the loss of {@link LossMath#weightedNllWithEntropy}), and its gradient.
 *
 * <p>At a large vocabulary this and the output layer are most of a step, so {@link #compute} makes
 * three passes over each live row's float logits (max, exponentials, gradient) with one exponential
 * per entry and writes d(loss)/d(logits) into a buffer this object keeps, growing it when a pass
 * has more rows; it allocates nothing else. One instance per policy; not thread-safe.
 */
final class SequenceLoss {
  /** {@code exp(z_k - max)} of the row being computed, read again by its gradient pass. */
  private double[] exps = new double[0];
  private float[] dLogits = new float[0];

  /**
   * Weighted NLL, the entropy term subtracted from it, the sum of entropies over live tokens, their
   * count, d(loss)/d(logits) [tt*r, V] in the first tt*r*V entries of {@code dLogits} (this
   * object's buffer, which may be longer (kept from a larger pass), valid until its next compute),
   * and the weighted cross-entropy against the smoothed targets that the gradient belongs to (the
   * NLL itself without label smoothing).
   */
  record Result(double nll, double entropyTerm, double entropySum, int tokens, float[] dLogits, double crossEntropy) {
    /** Without label smoothing: the cross-entropy is the NLL. */
    Result(double nll, double entropyTerm, double entropySum, int tokens, float[] dLogits) {
      this(nll, entropyTerm, entropySum, tokens, dLogits, nll);
    }
  }

  /**
   * For {@code logits} [tt*r, V] (time-major) of rows that decoded {@code o.tokens()}: row i's step t
   * is live while {@code t < o.lengths()[i]}; dead steps get no loss and a zero gradient. With label
   * smoothing ε the NLL term of a live step becomes {@code -w ((1 − ε) log p_y + ε/K Σ_a log p_a)} over
   * the K actions a, whose gradient is {@code w (p_k − (1 − ε) [k=y] − ε/K)}.
   */
  Result compute(float[] logits, int vocab, int r, int tt, Objective o) {
    int rows = tt * r;
    if (dLogits.length < rows * vocab) {
      dLogits = new float[rows * vocab];
    }
    if (exps.length < vocab) {
      exps = new double[vocab];
    }
    int tokens = 0;
    for (int i = 0; i < r; i++) {
      tokens += o.lengths()[i];
    }
    double eps = o.labelSmoothing();
    int actions = 0;
    for (int k = 0; k < vocab; k++) {
      actions += LossMath.isAction(k) ? 1 : 0;
    }
    double spread = eps / actions; // the smoothed target's mass on each action
    double crossEntropy = 0;
    double nll = 0;
    double entropyTerm = 0;
    double entropySum = 0;
    for (int row = 0; row < rows; row++) {
      int t = row / r;
      int i = row % r;
      int at = row * vocab;
      if (t >= o.lengths()[i]) {
        Arrays.fill(dLogits, at, at + vocab, 0f);
        continue;
      }
      double w = o.weight()[i][t];
      double ew = o.entropyWeight() != null ? o.entropyWeight()[i][t] : 0;
      int y = o.tokens()[i][t];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < vocab; k++) {
        if (LossMath.isAction(k)) {
          max = Math.max(max, logits[at + k]);
        }
      }
      // sum = sum_k e_k and dot = sum_k e_k (z_k - max), e_k = exp(z_k - max): log p_k = z_k - lse
      // with lse = max + log(sum), and H = log(sum) - dot / sum, both terms >= 0 (no cancellation)
      double sum = 0;
      double dot = 0;
      for (int k = 0; k < vocab; k++) {
        if (LossMath.isAction(k)) {
          double d = logits[at + k] - max;
          double e = Math.exp(d);
          exps[k] = e;
          sum += e;
          if (e != 0) {
            dot += e * d;
          }
        }
      }
      double logSum = Math.log(sum);
      double lse = max + logSum;
      double h = logSum - dot / sum;
      double logpY = LossMath.isAction(y) ? logits[at + y] - lse : Double.NEGATIVE_INFINITY;
      entropySum += h;
      if (w == 0 && ew == 0) {
        Arrays.fill(dLogits, at, at + vocab, 0f);
        continue;
      }
      nll -= w * logpY;
      if (eps == 0) {
        crossEntropy -= w * logpY;
      } else {
        double sumD = 0; // sum_a (z_a - max), so that sum_a log p_a = sumD - K log(sum); a pass of its own, off the plain path
        for (int k = 0; k < vocab; k++) {
          if (LossMath.isAction(k)) {
            sumD += logits[at + k] - max;
          }
        }
        crossEntropy -= w * ((1 - eps) * logpY + spread * (sumD - actions * logSum));
      }
      entropyTerm += ew * h;
      // d(-w log p_y)/dz_k = w (p_k - [k=y]); d(-e H)/dz_k = e p_k (log p_k + H); PAD and START get 0;
      // smoothing moves w eps of the target's mass from y to spread on every action
      double off = w * spread;
      if (off == 0) {
        for (int k = 0; k < vocab; k++) {
          dLogits[at + k] = LossMath.isAction(k) ? (float) gradient(exps[k] / sum, logits[at + k] - lse, h, w, ew) : 0f;
        }
      } else {
        for (int k = 0; k < vocab; k++) {
          dLogits[at + k] = LossMath.isAction(k)
              ? (float) (gradient(exps[k] / sum, logits[at + k] - lse, h, w, ew) - off) : 0f;
        }
      }
      double gy = LossMath.isAction(y) ? gradient(exps[y] / sum, logpY, h, w, ew) - off : 0;
      dLogits[at + y] = (float) (gy - w * (1 - eps));
    }
    return new Result(nll, entropyTerm, entropySum, tokens, dLogits, crossEntropy);
  }

  /** {@code w p + e p (log p + H)}, 0 where p is (e.g. underflowed to) 0. */
  private static double gradient(double p, double logp, double h, double w, double ew) {
    if (p == 0) {
      return 0;
    }
    return ew == 0 ? w * p : w * p + ew * p * (logp + h);
  }

  /**
   * {@code out[i][t] = log softmax(logits of row i, step t)[tokens[i][t]]} over the actions for
   * {@code t < lengths[i]}, 0 after; {@code logits} [tt*r, V] time-major. Allocates nothing.
   */
  static void logProbs(float[] logits, int vocab, int r, int tt, int[][] tokens, int[] lengths, double[][] out) {
    for (int i = 0; i < r; i++) {
      Arrays.fill(out[i], 0);
      int n = Math.min(lengths[i], tt);
      for (int t = 0; t < n; t++) {
        int at = (t * r + i) * vocab;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < vocab; k++) {
          if (LossMath.isAction(k)) {
            max = Math.max(max, logits[at + k]);
          }
        }
        double sum = 0;
        for (int k = 0; k < vocab; k++) {
          if (LossMath.isAction(k)) {
            sum += Math.exp(logits[at + k] - max);
          }
        }
        out[i][t] = logits[at + tokens[i][t]] - max - Math.log(sum);
      }
    }
  }
}
