package org.seqrl.rl;

/**
 * A penalty on the KL divergence between the policy and its frozen reference (the model RL started
 * from), subtracted from the reward as TRL and RL4LMs do: each sampled token contributes the estimate
 * {@code log pi(y_t) - log pi_ref(y_t)}, and a row's reward becomes {@code R - beta * sum_t kl_t}.
 * With a {@code target} the coefficient beta adapts (Ziegler et al. 2019, TRL's
 * {@code AdaptiveKLController}): after each step,
 * {@code beta *= 1 + clip(KL / target - 1, -0.2, 0.2) * n / horizon}, KL the batch's mean of
 * {@code sum_t kl_t} and n the rows sampled in the step.
 *
 * @param coefficient beta, or its starting value when adaptive; 0 turns the penalty off
 * @param target the KL the adaptive controller aims at, or 0 for a fixed coefficient
 * @param horizon how many sampled rows the controller takes to move beta by the clipped error
 */
public record KlPenalty(double coefficient, double target, double horizon) {
  /** No penalty. */
  public static final KlPenalty OFF = new KlPenalty(0, 0, 10000);

  public KlPenalty {
    if (!(coefficient >= 0) || Double.isInfinite(coefficient)) {
      throw new IllegalArgumentException("KL coefficient must be >= 0 and finite, got " + coefficient);
    }
    if (!(target >= 0) || Double.isInfinite(target)) {
      throw new IllegalArgumentException("KL target must be >= 0 and finite, got " + target);
    }
    if (!(horizon > 0) || Double.isInfinite(horizon)) {
      throw new IllegalArgumentException("KL horizon must be > 0 and finite, got " + horizon);
    }
  }

  public boolean enabled() {
    return coefficient > 0;
  }

  public boolean adaptive() {
    return target > 0;
  }

  /** The coefficient after a step whose mean sequence KL was {@code kl} over {@code rows} sampled rows. */
  public double nextCoefficient(double current, double kl, int rows) {
    if (!adaptive()) {
      return current;
    }
    double error = Math.max(-0.2, Math.min(0.2, kl / target - 1));
    return current * (1 + error * rows / horizon);
  }

  /**
   * Per-token KL estimates {@code logProbs - referenceLogProbs} of the unmasked steps into
   * {@code perToken} (0 where masked), and each row's sum into {@code perRow}.
   */
  public static void estimate(Rollout rollout, double[][] referenceLogProbs, double[][] perToken, double[] perRow) {
    for (int r = 0; r < rollout.rows(); r++) {
      double s = 0;
      double[] lp = rollout.logProbs()[r];
      double[] ref = referenceLogProbs[r];
      double[] out = perToken[r];
      int n = rollout.lengths()[r];
      for (int t = 0; t < out.length; t++) {
        out[t] = t < n ? lp[t] - ref[t] : 0;
        s += out[t];
      }
      perRow[r] = s;
    }
  }
}
