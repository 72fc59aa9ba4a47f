package org.seqrl.rl;

/**
 * How the learning rate of one phase follows the phase's step: an optional linear warm-up, then
 * constant, linear decay or cosine decay to zero at the end of the phase (the schedules of
 * HuggingFace's {@code get_linear_schedule_with_warmup} and {@code get_cosine_schedule_with_warmup},
 * except that warm-up starts at 1/warmup rather than at 0, so that no step is wasted).
 *
 * @param shape what follows the warm-up
 * @param warmupSteps steps of linear warm-up, >= 0
 * @param totalSteps the phase's planned steps (decay reaches zero there), >= 0
 */
public record LearningRateSchedule(Shape shape, long warmupSteps, long totalSteps) {
  /** What the learning rate does after the warm-up. */
  public enum Shape { CONSTANT, LINEAR, COSINE }

  /** The base learning rate at every step. */
  public static final LearningRateSchedule CONSTANT = new LearningRateSchedule(Shape.CONSTANT, 0, 0);

  public LearningRateSchedule {
    if (shape == null) {
      throw new IllegalArgumentException("shape is missing");
    }
    if (warmupSteps < 0 || totalSteps < 0) {
      throw new IllegalArgumentException("warmupSteps and totalSteps must be >= 0, got " + warmupSteps + ", " + totalSteps);
    }
  }

  /**
   * The multiplier of the base learning rate for the update at 0-based phase step {@code step}:
   * {@code (step+1)/warmup} during warm-up; then 1 (constant), {@code (total-step)/(total-warmup)}
   * (linear) or {@code (1+cos(pi*(step-warmup)/(total-warmup)))/2} (cosine); never below 0.
   */
  public double factor(long step) {
    if (step < warmupSteps) {
      return (step + 1.0) / warmupSteps;
    }
    long decaySteps = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
    return switch (shape) {
      case CONSTANT -> 1.0;
      case LINEAR -> Math.max(0.0, (double) (totalSteps - step) / decaySteps);
      case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
    };
  }
}
