package org.seqrl.agents;

/**
 * Luong attention: e = keys . h from the cell output h, keys = encoder outputs Wk. The output
 * combination {@code tanh(Wc [context, h] + bc)} stays with the policy, which batches it over steps.
 */
final class DotAttention {
  private DotAttention() {}

  /** Weights [R*S] and context [R*D] of one step. */
  static final class Step {
    float[] alpha;
    float[] ctx;
  }

  /** From the cell outputs {@code h} [R, H] at {@code hOff}. */
  static Step forward(SourceRows src, float[] h, int hOff) {
    int rows = src.rows;
    int s = src.len;
    int hd = src.keyWidth;
    float[] e = new float[rows * s];
    for (int r = 0; r < rows; r++) {
      for (int p = 0; p < src.lengths[r]; p++) {
        e[r * s + p] = Mat.dot(src.keys, (r * s + p) * hd, h, hOff + r * hd, hd);
      }
    }
    src.softmax(e);
    Step st = new Step();
    st.alpha = e;
    st.ctx = src.context(e);
    return st;
  }

  /**
   * Backward for the context gradient ({@code dCtx} rows at {@code dOff}, leading dimension
   * {@code ld}): adds into the source rows' gradients and into {@code dh} [R, H] at {@code hOff}.
   */
  static void backward(SourceRows src, Step st, float[] dCtx, int dOff, int ld, float[] h, float[] dh, int hOff) {
    int s = src.len;
    int hd = src.keyWidth;
    float[] de = src.contextBackward(st.alpha, dCtx, dOff, ld);
    for (int r = 0; r < src.rows; r++) {
      int ho = hOff + r * hd;
      for (int p = 0; p < src.lengths[r]; p++) {
        float g = de[r * s + p];
        int ko = (r * s + p) * hd;
        Mat.axpy(g, h, ho, src.dKeys, ko, hd);
        Mat.axpy(g, src.keys, ko, dh, ho, hd);
      }
    }
  }
}
