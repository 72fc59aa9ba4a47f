package org.seqrl.rl;

/**
 * The PPO-clip part of a {@link PolicyGradientBatch} (Schulman et al. 2017): the policy's token
 * weights come from the importance ratio {@code rho = exp(log pi(y) - log pi_old(y))} between its
 * current parameters and those that sampled the rollout ({@link Rollout#logProbs}), and the loss is
 * <pre>
 *   L = -(1/N) sum_r sum_t m_rt min(rho_rt A_rt, clip(rho_rt, 1-eps, 1+eps) A_rt)  - entropy term
 *       + c * L_critic,   each squared critic error replaced by max((V-T)^2, (V_clip-T)^2),
 *   V_clip = V_old + clip(V - V_old, -valueEps, valueEps)
 * </pre>
 * with V_old the critic outputs recorded in the rollout. The math is {@link PpoMath}.
 *
 * @param clipRange eps, > 0
 * @param valueClipRange valueEps, or 0 for an unclipped critic loss
 * @param currentLogProbs {@code [rows][maxLength]}, written by the policy's update: log pi(y_rt) under
 *     the parameters before the step, so that the caller can report clip fraction and approximate KL
 *     without a second forward pass
 */
public record PpoClip(double clipRange, double valueClipRange, double[][] currentLogProbs) {
  public PpoClip {
    if (!(clipRange > 0) || Double.isInfinite(clipRange)) {
      throw new IllegalArgumentException("clipRange must be a positive finite number, got " + clipRange);
    }
    if (!(valueClipRange >= 0) || Double.isInfinite(valueClipRange)) {
      throw new IllegalArgumentException("valueClipRange must be >= 0 and finite, got " + valueClipRange);
    }
  }

  /** Whether the critic loss is clipped. */
  public boolean clipsValues() {
    return valueClipRange > 0;
  }
}
