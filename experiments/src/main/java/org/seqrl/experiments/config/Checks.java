package org.seqrl.experiments.config;

/** Range checks shared by the config records; each error names the key, the value and the allowed range. */
final class Checks {
  private Checks() {}

  static int atLeast(String key, int value, int min) {
    if (value < min) {
      throw new InvalidConfigException(key, value + " is out of range; expected an integer >= " + min);
    }
    return value;
  }

  static int between(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new InvalidConfigException(key,
          value + " is out of range; expected an integer from " + min + " to " + max);
    }
    return value;
  }

  static double positive(String key, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new InvalidConfigException(key, value + " is out of range; expected a number > 0");
    }
    return value;
  }

  static double nonNegative(String key, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new InvalidConfigException(key, value + " is out of range; expected a number >= 0");
    }
    return value;
  }

  /** Half-open at the top: a fraction of 1 would leave nothing to train on. */
  static double fraction(String key, double value, boolean allowOne) {
    boolean ok = value >= 0 && (allowOne ? value <= 1 : value < 1);
    if (!ok) {
      throw new InvalidConfigException(key, value + " is out of range; expected a number from 0 to 1"
          + (allowOne ? "" : " (exclusive)"));
    }
    return value;
  }

  static <T> T required(String key, T value) {
    if (value == null) {
      throw new InvalidConfigException(key, "is missing");
    }
    return value;
  }

  /** A phase's learning-rate schedule: a shape, and a warm-up no longer than the phase. */
  static void schedule(String phase, org.seqrl.rl.LearningRateSchedule.Shape shape, int warmupSteps, int steps) {
    required(phase + ".lr_schedule", shape);
    atLeast(phase + ".warmup_steps", warmupSteps, 0);
    if (warmupSteps > steps) {
      throw InvalidConfigException.conflict(phase + ".warmup_steps", warmupSteps + " is longer than the phase ("
          + phase + ".steps " + steps + "); expected at most " + steps);
    }
  }
}
