package org.seqrl.agents;

/**
 * Inverted dropout at one place of a recurrent model (the embeddings' outputs, what the output layer
 * reads), forward and backward side by side: while training each entry is kept with probability
 * 1 − p and scaled by 1/(1 − p), else zeroed, so that decoding, which never drops, sees the same
 * expected values. The masks come from the policy's dropout generator, one draw per entry in
 * order, so a seed (and a checkpoint's generator state) gives the same masks again.
 */
final class Dropout {
  private final double rate;
  private final Rng rng;

  Dropout(double rate, Rng rng) {
    this.rate = rate;
    this.rng = rng;
  }

  /** Whether a pass with this {@code training} flag draws a mask here. */
  boolean active(boolean training) {
    return training && rate > 0;
  }

  /**
   * Forward: draws the mask of {@code x[off, off + n)} and multiplies those entries by it in place;
   * returns the mask [n] (entries 1/(1 − p) or 0), which {@link #backward} needs.
   */
  float[] forward(float[] x, int off, int n) {
    float keep = (float) (1 - rate);
    float scale = 1f / keep;
    float[] mask = new float[n];
    for (int i = 0; i < n; i++) {
      mask[i] = rng.nextDouble() < keep ? scale : 0f;
      x[off + i] *= mask[i];
    }
    return mask;
  }

  /** Backward: the gradient of the entries before dropout, {@code dx[off + i] *= mask[i]} in place. */
  static void backward(float[] mask, float[] dx, int off) {
    for (int i = 0; i < mask.length; i++) {
      dx[off + i] *= mask[i];
    }
  }
}
