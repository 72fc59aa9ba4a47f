package org.seqrl.experiments.config;

/**
 * Gradient diagnostics (docs/configuration.md, "Gradient diagnostics"): every {@code every} RL steps
 * (0 = off), {@code estimates} policy gradients of the step's batch on fresh samples, logged as
 * {@code diag/grad_variance}, {@code diag/grad_snr} and {@code diag/grad_norm}.
 */
public record DiagConfig(int every, int estimates) {
  /** Each estimate costs about one RL step; past a few dozen, more estimates cost far more than they add. */
  static final int MAX_ESTIMATES = 64;

  public DiagConfig {
    Checks.atLeast("diag.every", every, 0);
    if (estimates < 2 || estimates > MAX_ESTIMATES) {
      throw new InvalidConfigException("diag.estimates", estimates + " is out of range; expected an integer from 2 "
          + "(a variance needs two gradients) to " + MAX_ESTIMATES);
    }
  }

  /** Off: each estimate costs about a sample and a backward pass, so a run pays only when asked. */
  public static DiagConfig defaults() {
    return new DiagConfig(0, 4);
  }

  /** The trainer's settings, with the diagnostics' own seed. */
  public org.seqrl.rl.GradientDiagnostics settings(long seed) {
    return new org.seqrl.rl.GradientDiagnostics(every, estimates, seed);
  }
}
