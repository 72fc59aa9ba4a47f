package org.seqrl.agents;

import org.seqrl.rl.Rollout;

/**
 * The kept decoder pass of the last sample. An update on that very rollout starts its backward pass
 * from it instead of running the decoder again (what autograd's kept graph gives the peer): same
 * parameters, same tokens, so the same forward, up to float rounding.
 */
final class KeptSample {
  /**
   * Largest rows x steps x floats-per-row-step of a sample whose pass is kept: an eighth of the heap.
   * A fixed 2M floats left out every transformer sample of a usual size (32 rows x 35 steps x ~10k
   * floats), so its SCST update ran the decoder forward again; the peer's autograd keeps that graph.
   */
  static final long LIMIT = Runtime.getRuntime().maxMemory() / (8L * Float.BYTES);

  private Rollout rollout;
  private Decoder.Pass pass;
  private long version;
  private int reused;

  /** Whether a sample of that size is kept. */
  static boolean fits(int rows, int maxLength, int width) {
    return (long) rows * maxLength * width <= LIMIT;
  }

  void keep(Rollout rollout, Decoder.Pass pass, long version) {
    this.rollout = rollout;
    this.pass = pass;
    this.version = version;
  }

  void clear() {
    rollout = null;
    pass = null;
  }

  /**
   * The kept pass, if {@code rollout} is the sample it was made by, under parameter version
   * {@code version}, and the update's own forward would be the same ({@code sameForward}); the
   * pass is given out once.
   */
  Decoder.Pass take(Rollout rollout, long version, boolean sameForward) {
    Decoder.Pass p = this.rollout == rollout && this.version == version && sameForward ? pass : null;
    clear();
    if (p != null) {
      reused++;
    }
    return p;
  }

  /** Updates that started from a kept pass (for tests). */
  int reused() {
    return reused;
  }
}
