package org.seqrl.agents;

import org.seqrl.rl.Tokens;

/**
 * The token loss of an objective over a decoder pass's logits: weighted negative log-likelihood
 * minus weighted entropy ({@link LossMath#weightedNllWithEntropy}), and its gradient.
 */
final class SequenceLoss {
  private SequenceLoss() {}

  /** Weighted NLL, the entropy term subtracted from it, the sum of entropies over live tokens, their count, and d(loss)/d(logits). */
  record Result(double nll, double entropyTerm, double entropySum, int tokens, float[] dLogits) {}

  /** For {@code logits} [tt*r, V] (time-major) of rows that decoded {@code o.tokens()}. */
  static Result compute(float[] logits, int vocab, int r, int tt, Objective o) {
    int rows = tt * r;
    int[] outIds = new int[rows];
    double[] w = new double[rows];
    double[] ew = new double[rows];
    int tokens = 0;
    for (int i = 0; i < r; i++) {
      tokens += o.lengths()[i];
      for (int t = 0; t < tt; t++) {
        int idx = t * r + i;
        boolean live = t < o.lengths()[i];
        outIds[idx] = live ? o.tokens()[i][t] : Tokens.END;
        w[idx] = live ? o.weight()[i][t] : 0;
        ew[idx] = live && o.entropyWeight() != null ? o.entropyWeight()[i][t] : 0;
      }
    }
    double[][] lg = new double[rows][];
    for (int i = 0; i < rows; i++) {
      lg[i] = Mat.toDouble(logits, i * vocab, vocab);
    }
    double[][] dl = new double[rows][vocab];
    double[] parts = LossMath.weightedNllWithEntropy(lg, outIds, w, ew, dl);
    double entSum = 0;
    double[] lp = new double[vocab];
    for (int i = 0; i < rows; i++) {
      if (i / r < o.lengths()[i % r]) {
        LossMath.logSoftmax(lg[i], 1.0, lp);
        entSum += LossMath.entropy(lp);
      }
    }
    float[] dLogits = new float[rows * vocab];
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < vocab; k++) {
        dLogits[i * vocab + k] = (float) dl[i][k];
      }
    }
    return new Result(parts[0], parts[1], entSum, tokens, dLogits);
  }

  /**
   * {@code out[i][t] = log softmax(logits of row i, step t)[tokens[i][t]]} over the actions for
   * {@code t < lengths[i]}, 0 after; {@code logits} [tt*r, V] time-major. Allocates nothing.
   */
  static void logProbs(float[] logits, int vocab, int r, int tt, int[][] tokens, int[] lengths, double[][] out) {
    for (int i = 0; i < r; i++) {
      java.util.Arrays.fill(out[i], 0);
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
