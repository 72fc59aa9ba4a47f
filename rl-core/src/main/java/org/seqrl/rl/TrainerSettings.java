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
 */
public record TrainerSettings(int samplesPerInput, double temperature, int maxLength, double entropyCoefficient,
    double criticLossCoefficient, OptimizerSettings rl, OptimizerSettings mle) {
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
  }
}
