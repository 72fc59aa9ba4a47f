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
 */
public record TrainerSettings(int samplesPerInput, double temperature, int maxLength, double entropyCoefficient,
    double criticLossCoefficient, OptimizerSettings rl, OptimizerSettings mle, LearningRateSchedule rlSchedule,
    LearningRateSchedule mleSchedule) {

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
  }
}
