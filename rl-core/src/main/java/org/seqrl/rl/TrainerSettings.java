package org.seqrl.rl;

/**
 * How the trainer samples and updates.
 *
 * @param samplesPerInput k samples of every input per RL step
 * @param temperature sampling temperature
 * @param maxLength the longest sequence to decode
 * @param entropyCoefficient β of the entropy bonus
 * @param criticLossCoefficient weight of the critic loss in the total loss
 * @param rl optimizer step of RL updates
 * @param mle optimizer step of MLE (pre-training) updates
 * @param rlSchedule how the RL learning rate follows the RL step
 * @param mleSchedule how the MLE learning rate follows the pre-training step
 * @param kl the KL penalty to the reference policy ({@link KlPenalty#OFF}: none)
 * @param mixing MLE mixed into RL updates ({@link MleMixing#OFF}: none)
 * @param ppo PPO-clip updates, or null for one plain policy-gradient update per sampled batch
 * @param diagnostics gradient-variance measurements ({@link GradientDiagnostics#OFF}: none)
 * @param criticWarmupSteps the first RL steps that train the critic heads alone: their updates carry the critic
 *     loss but no policy-gradient or entropy term (Bahdanau et al. 2017 pre-train the critic with the actor
 *     fixed), so that the first advantages do not come from an untrained critic; 0 = none
 */
public record TrainerSettings(int samplesPerInput, double temperature, int maxLength, double entropyCoefficient,
    double criticLossCoefficient, OptimizerSettings rl, OptimizerSettings mle, LearningRateSchedule rlSchedule,
    LearningRateSchedule mleSchedule, KlPenalty kl, MleMixing mixing, PpoSettings ppo, GradientDiagnostics diagnostics,
    int criticWarmupSteps) {

  /** Settings without a critic warm-up. */
  public TrainerSettings(int samplesPerInput, double temperature, int maxLength, double entropyCoefficient,
      double criticLossCoefficient, OptimizerSettings rl, OptimizerSettings mle, LearningRateSchedule rlSchedule,
      LearningRateSchedule mleSchedule, KlPenalty kl, MleMixing mixing, PpoSettings ppo, GradientDiagnostics diagnostics) {
    this(samplesPerInput, temperature, maxLength, entropyCoefficient, criticLossCoefficient, rl, mle, rlSchedule,
        mleSchedule, kl, mixing, ppo, diagnostics, 0);
  }

  /** Settings without gradient diagnostics. */
  public TrainerSettings(int samplesPerInput, double temperature, int maxLength, double entropyCoefficient,
      double criticLossCoefficient, OptimizerSettings rl, OptimizerSettings mle, LearningRateSchedule rlSchedule,
      LearningRateSchedule mleSchedule, KlPenalty kl, MleMixing mixing, PpoSettings ppo) {
    this(samplesPerInput, temperature, maxLength, entropyCoefficient, criticLossCoefficient, rl, mle, rlSchedule,
        mleSchedule, kl, mixing, ppo, GradientDiagnostics.OFF);
  }

  /** Settings without KL penalty, MLE mixing or PPO. */
  public TrainerSettings(int samplesPerInput, double temperature, int maxLength, double entropyCoefficient,
      double criticLossCoefficient, OptimizerSettings rl, OptimizerSettings mle, LearningRateSchedule rlSchedule,
      LearningRateSchedule mleSchedule) {
    this(samplesPerInput, temperature, maxLength, entropyCoefficient, criticLossCoefficient, rl, mle, rlSchedule,
        mleSchedule, KlPenalty.OFF, MleMixing.OFF, null);
  }

  /** The same settings with the given KL penalty, MLE mixing and PPO. */
  public TrainerSettings with(KlPenalty kl, MleMixing mixing, PpoSettings ppo) {
    return new TrainerSettings(samplesPerInput, temperature, maxLength, entropyCoefficient, criticLossCoefficient, rl,
        mle, rlSchedule, mleSchedule, kl, mixing, ppo, diagnostics, criticWarmupSteps);
  }

  /** The same settings with the given gradient diagnostics. */
  public TrainerSettings with(GradientDiagnostics diagnostics) {
    return new TrainerSettings(samplesPerInput, temperature, maxLength, entropyCoefficient, criticLossCoefficient, rl,
        mle, rlSchedule, mleSchedule, kl, mixing, ppo, diagnostics, criticWarmupSteps);
  }

  /** The same settings with {@code steps} RL steps of critic warm-up. */
  public TrainerSettings withCriticWarmup(int steps) {
    return new TrainerSettings(samplesPerInput, temperature, maxLength, entropyCoefficient, criticLossCoefficient, rl,
        mle, rlSchedule, mleSchedule, kl, mixing, ppo, diagnostics, steps);
  }

  /** Whether RL step {@code rlStep} (0-based) trains the critic alone. */
  public boolean warmsUpCritic(long rlStep) {
    return rlStep < criticWarmupSteps;
  }

  /** Settings with constant learning rates in both phases. */
  public TrainerSettings(int samplesPerInput, double temperature, int maxLength, double entropyCoefficient,
      double criticLossCoefficient, OptimizerSettings rl, OptimizerSettings mle) {
    this(samplesPerInput, temperature, maxLength, entropyCoefficient, criticLossCoefficient, rl, mle,
        LearningRateSchedule.CONSTANT, LearningRateSchedule.CONSTANT);
  }

  public TrainerSettings {
    if (samplesPerInput < 1) {
      throw new IllegalArgumentException("samplesPerInput must be >= 1, got " + samplesPerInput);
    }
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
    }
    if (rlSchedule == null || mleSchedule == null) {
      throw new IllegalArgumentException("learning-rate schedules are missing; use LearningRateSchedule.CONSTANT");
    }
    if (kl == null || mixing == null) {
      throw new IllegalArgumentException("kl and mixing are missing; use KlPenalty.OFF and MleMixing.OFF");
    }
    if (diagnostics == null) {
      throw new IllegalArgumentException("diagnostics are missing; use GradientDiagnostics.OFF");
    }
    if (criticWarmupSteps < 0) {
      throw new IllegalArgumentException("criticWarmupSteps must be >= 0, got " + criticWarmupSteps);
    }
    if (ppo != null && mixing.enabled()) {
      throw new IllegalArgumentException("MLE mixing is not combined with PPO updates; use one or the other");
    }
  }
}
