package org.seqrl.rl;

/**
 * The per-token math of PPO-clip ({@link PpoClip}) as pure functions, shared by every policy so that
 * the objective is written once and tested exactly ({@code PpoMathTest}).
 */
public final class PpoMath {
  private PpoMath() {}

  /** {@code min(rho A, clip(rho, 1-eps, 1+eps) A)}: one token's clipped surrogate (to be maximised). */
  public static double surrogate(double ratio, double advantage, double eps) {
    return Math.min(ratio * advantage, clamp(ratio, 1 - eps, 1 + eps) * advantage);
  }

  /**
   * {@code d surrogate / d log pi}: {@code rho A} where the unclipped term is the minimum, 0 where the
   * clipped one is (the clip has cut the gradient). A policy minimises {@code -w log pi} with this as
   * the constant token weight {@code w}, which has the surrogate's gradient at the current parameters.
   */
  public static double tokenWeight(double ratio, double advantage, double eps) {
    double unclipped = ratio * advantage;
    return unclipped <= clamp(ratio, 1 - eps, 1 + eps) * advantage ? unclipped : 0;
  }

  /** PPO's critic loss for one value: {@code max((v-t)^2, (vOld + clip(v - vOld, -eps, eps) - t)^2)}. */
  public static double clippedValueLoss(double value, double oldValue, double target, double eps) {
    double d = value - target;
    double c = oldValue + clamp(value - oldValue, -eps, eps) - target;
    return Math.max(d * d, c * c);
  }

  /**
   * {@code d clippedValueLoss / d value}: {@code 2 (v - t)} where the unclipped error is the larger
   * (inside the clip range both are the same), 0 where the clipped one is (it does not move with v).
   */
  public static double clippedValueGradient(double value, double oldValue, double target, double eps) {
    double d = value - target;
    double c = oldValue + clamp(value - oldValue, -eps, eps) - target;
    return d * d >= c * c ? 2 * d : 0;
  }

  /** Whether a token's ratio is outside {@code [1-eps, 1+eps]} (what {@code rl/clip_fraction} counts). */
  public static boolean clipped(double ratio, double eps) {
    return Math.abs(ratio - 1) > eps;
  }

  /**
   * The low-variance estimator of KL(pi_old || pi) from one token sampled from pi_old:
   * {@code (rho - 1) - log rho} (Schulman's k3; what CleanRL and TRL log as {@code approx_kl}); >= 0.
   */
  public static double approxKl(double logRatio) {
    return Math.expm1(logRatio) - logRatio;
  }

  /**
   * The surrogate loss {@code -(1/N) sum_r sum_t m_rt min(...)} of a batch whose policy has written
   * {@link PpoClip#currentLogProbs}, N the number of rows.
   */
  public static double surrogateLoss(PolicyGradientBatch batch) {
    Rollout ro = batch.rollout();
    double[][] now = batch.ppo().currentLogProbs();
    double eps = batch.ppo().clipRange();
    double s = 0;
    for (int r = 0; r < ro.rows(); r++) {
      for (int t = 0; t < ro.lengths()[r]; t++) {
        s += surrogate(Math.exp(now[r][t] - ro.logProbs()[r][t]), batch.advantages()[r][t], eps);
      }
    }
    return ro.rows() == 0 ? 0 : -s / ro.rows();
  }

  static double clamp(double x, double lo, double hi) {
    return Math.max(lo, Math.min(hi, x));
  }
}
