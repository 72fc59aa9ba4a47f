package org.seqrl.rl;

/**
 * Settings of one optimizer step. The policy owns its optimizer state (e.g. Adam moments);
 * the trainer says how large a step to take, so that pre-training and RL can differ.
 *
 * @param learningRate the step size, > 0
 * @param maxGradNorm global L2 norm the gradient is clipped to; {@code <= 0} or infinite disables clipping
 */
public record OptimizerSettings(double learningRate, double maxGradNorm) {
  public OptimizerSettings {
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be a positive finite number, got " + learningRate);
    }
  }

  public boolean clips() {
    return maxGradNorm > 0 && !Double.isInfinite(maxGradNorm);
  }

  /** The same step with the learning rate scaled by {@code factor} (a schedule's value at this step). */
  public OptimizerSettings scaled(double factor) {
    return new OptimizerSettings(learningRate * factor, maxGradNorm);
  }
}
