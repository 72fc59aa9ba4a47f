package org.seqrl.rl;

/**
 * When and how the trainer measures the policy gradient's noise (docs/configuration.md, {@code diag.*}):
 * every {@code every} RL steps (0 = never), {@code estimates} independent gradients of the current
 * batch, each on its own fresh samples, drawn from generators seeded by {@code seed} and the RL step
 * so that training's own samples never shift and a resumed run draws the same ones.
 *
 * @param every RL steps between measurements, counted from RL step 0 (the model RL starts from); 0 = off
 * @param estimates gradient estimates per measurement, at least 2 when on (a variance needs two)
 * @param seed the diagnostics' own seed, derived from the run seed
 */
public record GradientDiagnostics(int every, int estimates, long seed) {

  public static final GradientDiagnostics OFF = new GradientDiagnostics(0, 0, 0);

  public GradientDiagnostics {
    if (every < 0) {
      throw new IllegalArgumentException("every must be >= 0 (0 = off), got " + every);
    }
    if (every > 0 && estimates < 2) {
      throw new IllegalArgumentException("estimates must be >= 2 when diagnostics are on (a variance needs two), got "
          + estimates);
    }
  }

  public boolean enabled() {
    return every > 0;
  }

  /** Whether RL step {@code rlStep} (0-based: the steps taken before it) measures. */
  public boolean due(long rlStep) {
    return every > 0 && rlStep % every == 0;
  }

  /**
   * The sampling seed of estimate {@code k} at RL step {@code rlStep}: SplitMix64's finalizer over
   * both, so that nearby steps and estimates get unrelated streams (a SplitMix generator seeded
   * s and s + its increment would draw the same numbers one step apart).
   */
  public long sampleSeed(long rlStep, int k) {
    return mix(seed ^ mix(rlStep * 0x9E3779B97F4A7C15L + k + 1));
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
