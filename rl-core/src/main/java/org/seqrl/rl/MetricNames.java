package org.seqrl.rl;

/**
 * The keys the trainer reports its step metrics under. Each phase has its own namespace
 * ({@code pretrain/...}, {@code rl/...}) so that a chart never draws a likelihood loss and a
 * policy-gradient loss as one curve, and reward-valued metrics carry the reward's name
 * ({@code rl/reward_levenshtein}) so that runs with different rewards never share an axis.
 */
public final class MetricNames {
  public static final String PRETRAIN = "pretrain/";
  public static final String RL = "rl/";
  public static final String PERF = "perf/";
  /** Mean over sampled rows of the summed per-token KL estimate to the reference policy. */
  public static final String RL_KL = RL + "kl";
  /** The KL penalty's coefficient used in the step. */
  public static final String RL_KL_COEFFICIENT = RL + "kl_coefficient";
  /** Lambda of MLE mixing in the step. */
  public static final String RL_MLE_WEIGHT = RL + "mle_weight";
  /** PPO: the fraction of tokens whose importance ratio was outside the clip range. */
  public static final String RL_CLIP_FRACTION = RL + "clip_fraction";
  /** PPO: the mean over tokens of (rho - 1) - log rho, an estimate of KL(old || new). */
  public static final String RL_APPROX_KL = RL + "approx_kl";

  /** Gradient diagnostics ({@link GradientDiagnostics}, {@link GradientVariance}). */
  public static final String DIAG = "diag/";
  /** Trace of the covariance of one policy-gradient estimate on the step's batch. */
  public static final String DIAG_GRAD_VARIANCE = DIAG + "grad_variance";
  /** ‖mean of the estimates‖² / {@link #DIAG_GRAD_VARIANCE}. */
  public static final String DIAG_GRAD_SNR = DIAG + "grad_snr";
  /** ‖mean of the estimates‖. */
  public static final String DIAG_GRAD_NORM = DIAG + "grad_norm";
  /** Seconds the diagnostics took in the step (left out of {@code perf/rl_steps_per_s}). */
  public static final String DIAG_SECONDS = PERF + "diag_seconds";

  private MetricNames() {}

  /**
   * A reward's name as one key segment. Tracking servers such as MLflow allow letters, digits and
   * {@code _ - . / : space} in keys; a weighted sum's name ({@code 0.5*bleu+1.0*exact-match})
   * becomes {@code 0.5xbleu_1.0xexact-match}.
   */
  public static String rewardSegment(String rewardName) {
    return rewardName.replace('*', 'x').replace('+', '_').replaceAll("[^A-Za-z0-9_.\\-]", "_");
  }

  /**
   * The mean reward of the sampled sequences, e.g. {@code rl/reward_bleu}. An underscore, not a
   * slash: MLflow's UI makes a chart section of everything before a key's last slash, and the
   * reward charts belong in the {@code rl} section with the rest of the phase.
   */
  public static String rlReward(String rewardName) {
    return RL + "reward_" + rewardSegment(rewardName);
  }
}
