package org.seqrl.agents;

/**
 * Multi-head scaled dot-product attention of one query row over {@code n} keys: what a decoding
 * step runs, one new position per row, where {@link AttentionBlock}'s matrix products would cost
 * more in calls than they save. Key u's row starts at {@code kv[rowOff[u]]}: its key at
 * {@code + kOff}, its value at {@code + vOff}; rows are listed rather than found at a stride so
 * that the key cache, which beam search reorders through a row map instead of copying it, and
 * source rows shared by k samples or beams are read where they are. Head h is columns
 * {@code [h*dh, (h+1)*dh)} of q, k, v and the context.
 */
final class AttentionKernel {
  private AttentionKernel() {}

  /**
   * For each head: {@code p_u = softmax_u(scale q_h . k_u)} into {@code p} (head h at
   * {@code po + h*pStride}), {@code ctx_h = sum_u p_u v_u}. With {@code n == 0} the context is zero.
   */
  static void forward(float[] q, int qo, float[] kv, int[] rowOff, int kOff, int vOff, int n, int heads, int dh,
      float scale, float[] p, int po, int pStride, float[] ctx, int co) {
    for (int h = 0; h < heads; h++) {
      int pb = po + h * pStride;
      int hc = co + h * dh;
      int hq = qo + h * dh;
      int hk = kOff + h * dh;
      int hv = vOff + h * dh;
      java.util.Arrays.fill(ctx, hc, hc + dh, 0f);
      if (n == 0) {
        continue;
      }
      float max = Float.NEGATIVE_INFINITY;
      for (int u = 0; u < n; u++) {
        float s = scale * Mat.dot(q, hq, kv, rowOff[u] + hk, dh);
        p[pb + u] = s;
        max = Math.max(max, s);
      }
      float sum = 0f;
      for (int u = 0; u < n; u++) {
        float e = (float) Math.exp(p[pb + u] - max);
        p[pb + u] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (int u = 0; u < n; u++) {
        p[pb + u] *= inv;
        Mat.axpy(p[pb + u], kv, rowOff[u] + hv, ctx, hc, dh);
      }
    }
  }
}
