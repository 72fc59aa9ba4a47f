package org.seqrl.agents;

/**
 * Multi-head scaled dot-product attention of one query row over {@code n} keys, and its backward.
 * Keys and values sit in one array at a fixed stride ({@code step} floats from one key to the
 * next), so that the encoder (batch-major, padded), the decoder's causal self-attention
 * (time-major, a key cache) and cross-attention (source rows shared by k samples or beams) all
 * call the same loops. Head h is columns {@code [h*dh, (h+1)*dh)} of q, k, v and the context.
 */
final class AttentionKernel {
  private AttentionKernel() {}

  /**
   * For each head: {@code p_u = softmax_u(scale q_h . k_u)} into {@code p} (head h at
   * {@code po + h*pStride}), {@code ctx_h = sum_u p_u v_u}. With {@code n == 0} the context is zero.
   */
  static void forward(float[] q, int qo, float[] kv, int ko, int vo, int step, int n, int heads, int dh, float scale,
      float[] p, int po, int pStride, float[] ctx, int co) {
    for (int h = 0; h < heads; h++) {
      int pb = po + h * pStride;
      int hc = co + h * dh;
      java.util.Arrays.fill(ctx, hc, hc + dh, 0f);
      if (n == 0) {
        continue;
      }
      float max = Float.NEGATIVE_INFINITY;
      for (int u = 0; u < n; u++) {
        float s = scale * Mat.dot(q, qo + h * dh, kv, ko + u * step + h * dh, dh);
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
        Mat.axpy(p[pb + u], kv, vo + u * step + h * dh, ctx, hc, dh);
      }
    }
  }

  /**
   * Backward of {@link #forward} from the context gradient {@code dCtx} at {@code dco}: adds into
   * {@code dq} at {@code dqo} and into {@code dkv} (the layout of {@code kv}) at {@code dko} /
   * {@code dvo}. {@code dp} is scratch of at least {@code n} floats.
   */
  static void backward(float[] q, int qo, float[] kv, int ko, int vo, int step, int n, int heads, int dh, float scale,
      float[] p, int po, int pStride, float[] dCtx, int dco, float[] dq, int dqo, float[] dkv, int dko, int dvo,
      float[] dp) {
    for (int h = 0; h < heads; h++) {
      int pb = po + h * pStride;
      int hc = dco + h * dh;
      float inner = 0f;
      for (int u = 0; u < n; u++) {
        float pu = p[pb + u];
        float g = Mat.dot(dCtx, hc, kv, vo + u * step + h * dh, dh);
        Mat.axpy(pu, dCtx, hc, dkv, dvo + u * step + h * dh, dh);
        dp[u] = g;
        inner += pu * g;
      }
      for (int u = 0; u < n; u++) {
        float ds = p[pb + u] * (dp[u] - inner) * scale;
        Mat.axpy(ds, kv, ko + u * step + h * dh, dq, dqo + h * dh, dh);
        Mat.axpy(ds, q, qo + h * dh, dkv, dko + u * step + h * dh, dh);
      }
    }
  }
}
