package org.seqrl.agents;

import org.seqrl.rl.Tokens;

/**
 * The token-level losses on plain arrays: log-softmax over the actions a policy may take,
 * the weighted negative log-likelihood with entropy bonus, and the squared critic loss.
 * Plain double arrays, so that each piece has an exact test against hand-computed values
 * ({@code LossMathTest}); the loss these pieces make up is written out in docs/design.md.
 */
final class LossMath {
  private LossMath() {}

  /** PAD and START are never actions: their log-probability is -infinity. */
  static boolean isAction(int token) {
    return token != Tokens.PAD && token != Tokens.START;
  }

  /** Log-softmax of {@code logits / temperature} over the actions, in place into {@code out}. */
  static void logSoftmax(double[] logits, double temperature, double[] out) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < logits.length; k++) {
      if (isAction(k)) {
        max = Math.max(max, logits[k] / temperature);
      }
    }
    double sum = 0;
    for (int k = 0; k < logits.length; k++) {
      if (isAction(k)) {
        sum += Math.exp(logits[k] / temperature - max);
      }
    }
    double lse = max + Math.log(sum);
    for (int k = 0; k < logits.length; k++) {
      out[k] = isAction(k) ? logits[k] / temperature - lse : Double.NEGATIVE_INFINITY;
    }
  }

  /** Entropy of the distribution with log-probabilities {@code logp} (zero-probability terms contribute 0). */
  static double entropy(double[] logp) {
    double h = 0;
    for (double l : logp) {
      if (l != Double.NEGATIVE_INFINITY) {
        h -= Math.exp(l) * l;
      }
    }
    return h;
  }

  /**
   * Loss {@code sum_i -w_i log p_i(y_i) - e_i H(p_i)} over rows {@code i} of logits, and its gradient with
   * respect to the logits written to {@code grad}. The weights carry mask, advantage and normalisation.
   *
   * @return {@code {policy part, entropy part (sum_i e_i H_i)}}
   */
  static double[] weightedNllWithEntropy(double[][] logits, int[] tokens, double[] weight, double[] entropyWeight,
      double[][] grad) {
    double policy = 0;
    double entropyTerm = 0;
    int v = logits.length == 0 ? 0 : logits[0].length;
    double[] logp = new double[v];
    for (int i = 0; i < logits.length; i++) {
      double[] g = grad[i];
      if (weight[i] == 0 && entropyWeight[i] == 0) {
        java.util.Arrays.fill(g, 0);
        continue;
      }
      logSoftmax(logits[i], 1.0, logp);
      double h = entropy(logp);
      policy -= weight[i] * logp[tokens[i]];
      entropyTerm += entropyWeight[i] * h;
      for (int k = 0; k < v; k++) {
        if (logp[k] == Double.NEGATIVE_INFINITY) {
          g[k] = 0;
          continue;
        }
        double p = Math.exp(logp[k]);
        // d(-w log p_y)/dz_k = w (p_k - [k=y]); d(-e H)/dz_k = e p_k (log p_k + H)
        g[k] = weight[i] * p + entropyWeight[i] * p * (logp[k] + h);
      }
      g[tokens[i]] -= weight[i];
    }
    return new double[] {policy, entropyTerm};
  }

  /** {@code sum_i w_i (v_i - target_i)^2} and its gradient {@code 2 w_i (v_i - target_i)} into {@code grad}. */
  static double squaredError(double[] values, double[] targets, double[] weight, double[] grad) {
    double loss = 0;
    for (int i = 0; i < values.length; i++) {
      double d = values[i] - targets[i];
      loss += weight[i] * d * d;
      grad[i] = 2 * weight[i] * d;
    }
    return loss;
  }

  /**
   * PPO's clipped critic loss {@code sum_i w_i max((v_i - t_i)^2, (old_i + clip(v_i - old_i, -eps, eps) - t_i)^2)}
   * and its gradient into {@code grad} ({@link org.seqrl.rl.PpoMath#clippedValueLoss}).
   */
  static double clippedSquaredError(double[] values, double[] old, double[] targets, double[] weight, double eps,
      double[] grad) {
    double loss = 0;
    for (int i = 0; i < values.length; i++) {
      loss += weight[i] * org.seqrl.rl.PpoMath.clippedValueLoss(values[i], old[i], targets[i], eps);
      grad[i] = weight[i] * org.seqrl.rl.PpoMath.clippedValueGradient(values[i], old[i], targets[i], eps);
    }
    return loss;
  }
}
