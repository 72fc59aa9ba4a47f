package org.seqrl.rl;

/**
 * Everything one policy-gradient update needs.
 *
 * <p>The loss the policy minimises (B = number of inputs, rows r, steps t, mask m):
 * <pre>
 *   L = -(1/N) sum_r sum_t m_rt * A_rt * log pi(y_rt | y_r&lt;t, x_r)
 *       - entropyCoefficient * (1/N) sum_r sum_t m_rt * H_rt
 *       + criticLossCoefficient * criticLoss
 *   criticLoss = (1/N) sum_r (V(x_r) - sequenceTarget_r)^2            (SEQUENCE head)
 *              + (1/N) sum_r sum_t m_rt (V(s_rt) - stepTarget_rt)^2   (STEP head)
 * </pre>
 * with N = B·k the number of rows (k samples per input): a sum over steps, a mean over rows.
 * Advantages and targets are constants: no gradient flows into them.
 *
 * @param rollout the sampled sequences the advantages refer to
 * @param advantages {@code [rows][maxLength]}, zero where masked
 * @param sequenceTargets {@code [rows]} targets of the SEQUENCE head, or null
 * @param stepTargets {@code [rows][maxLength]} targets of the STEP head, or null
 * @param ppo null for the loss above; else PPO-clip's loss ({@link PpoClip}), whose token weights
 *     come from importance ratios against the rollout's own log-probabilities
 */
public record PolicyGradientBatch(
    Rollout rollout,
    double[][] advantages,
    double[] sequenceTargets,
    double[][] stepTargets,
    double entropyCoefficient,
    double criticLossCoefficient,
    PpoClip ppo) {

  /** The plain policy-gradient loss (no PPO clipping). */
  public PolicyGradientBatch(Rollout rollout, double[][] advantages, double[] sequenceTargets, double[][] stepTargets,
      double entropyCoefficient, double criticLossCoefficient) {
    this(rollout, advantages, sequenceTargets, stepTargets, entropyCoefficient, criticLossCoefficient, null);
  }

  public PolicyGradientBatch {
    if (advantages.length != rollout.rows()) {
      throw new IllegalArgumentException(
          "advantages must have one row per rollout row (" + rollout.rows() + "), got " + advantages.length);
    }
    if (ppo != null && ppo.currentLogProbs().length != rollout.rows()) {
      throw new IllegalArgumentException("ppo.currentLogProbs must have one row per rollout row (" + rollout.rows()
          + "), got " + ppo.currentLogProbs().length);
    }
  }
}
