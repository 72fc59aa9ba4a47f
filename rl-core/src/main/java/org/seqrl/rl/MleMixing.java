package org.seqrl.rl;

/**
 * MIXER-style mixing of maximum likelihood into RL (after Ranzato et al. 2016): each RL update
 * minimises {@code lambda * L_mle + (1 - lambda) * L_rl} on the same batch, the MLE part on the
 * inputs' first references, with lambda moving linearly from {@code start} to {@code end} over the
 * first {@code steps} RL steps and staying at {@code end} after.
 *
 * @param start lambda at the first RL step, in [0, 1]
 * @param end lambda from RL step {@code steps} on, in [0, 1]
 * @param steps RL steps of the linear anneal, >= 0 (0: {@code end} from the start)
 */
public record MleMixing(double start, double end, long steps) {
  /** Plain RL. */
  public static final MleMixing OFF = new MleMixing(0, 0, 0);

  public MleMixing {
    if (!(start >= 0 && start <= 1) || !(end >= 0 && end <= 1)) {
      throw new IllegalArgumentException("MLE weights must be in [0, 1], got start " + start + " and end " + end);
    }
    if (steps < 0) {
      throw new IllegalArgumentException("MLE weight anneal steps must be >= 0, got " + steps);
    }
  }

  public boolean enabled() {
    return start > 0 || end > 0;
  }

  /** Lambda at 0-based RL step {@code step}: {@code start + (end - start) * min(1, step / steps)}. */
  public double weight(long step) {
    if (steps == 0) {
      return end;
    }
    return start + (end - start) * Math.min(1.0, (double) step / steps);
  }
}
