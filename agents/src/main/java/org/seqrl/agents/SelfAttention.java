package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/**
 * Multi-head self-attention: queries, keys and values from one product {@code x Wqkv + bqkv}
 * ({@code [rows, 3D]}: q, then k, then v), attention, then {@code ctx Wo + bo}. Two layouts: the
 * encoder's (batch-major {@code [B*S]}, padded keys masked out) and the decoder's (time-major
 * {@code [T*R]}, causal: position t sees positions 0..t of its own row, whose keys and values are
 * the decoding cache).
 */
final class SelfAttention {
  private final Blas blas;
  private final Param wqkv;
  private final Param bqkv;
  private final Param wo;
  private final Param bo;
  final int d;
  final int heads;
  private final int dh;
  private final float scale;

  /** Adds {@code prefix.Wqkv}, {@code .bqkv}, {@code .Wo}, {@code .bo}. */
  SelfAttention(Blas blas, Params params, String prefix, int width, int heads, Rng init) {
    this.blas = blas;
    this.d = width;
    this.heads = heads;
    this.dh = width / heads;
    this.scale = (float) (1 / Math.sqrt(dh));
    double s = 1 / Math.sqrt(width);
    wqkv = params.add(prefix + ".Wqkv", width, 3 * width, init, s, false);
    bqkv = params.add(prefix + ".bqkv", 1, 3 * width, init, 0, false);
    wo = params.add(prefix + ".Wo", width, width, init, s, false);
    bo = params.add(prefix + ".bo", 1, width, init, 0, false);
  }

  /** {@code qkv} rows from {@code qkvRow0} = rows of {@code in} from {@code inRow0} times Wqkv plus bias. */
  void project(float[] in, int inRow0, int rows, float[] qkv, int qkvRow0) {
    int o = qkvRow0 * 3 * d;
    blas.gemm(false, false, rows, 3 * d, d, 1f, in, inRow0 * d, d, wqkv, 0, 0f, qkv, o, 3 * d);
    Mat.addRowVector(qkv, o, rows, 3 * d, bqkv.value);
  }

  /** Adds Wqkv's gradients for rows {@code [0, rows)} and adds {@code dQkv Wqkv^T} into {@code dIn}. */
  void projectBackward(float[] in, float[] dQkv, int rows, float[] dIn) {
    blas.gemm(true, false, d, 3 * d, rows, 1f, in, 0, d, dQkv, 0, 3 * d, 1f, wqkv.grad, 0, 3 * d);
    Mat.addColumnSums(bqkv.grad, dQkv, rows, 3 * d);
    // the key bias moves every score of a query by the same q.b, which softmax ignores: its true
    // gradient is zero, and its float rounding, which Adam would scale up to full steps, is dropped
    java.util.Arrays.fill(bqkv.grad, d, 2 * d, 0f);
    blas.gemm(false, true, rows, d, 3 * d, 1f, dQkv, 0, 3 * d, wqkv, 0, 1f, dIn, 0, d);
  }

  /** {@code s = ctx Wo + bo} for rows from {@code row0}. */
  void output(float[] ctx, int row0, int rows, float[] s) {
    blas.gemm(false, false, rows, d, d, 1f, ctx, row0 * d, d, wo, 0, 0f, s, row0 * d, d);
    Mat.addRowVector(s, row0 * d, rows, d, bo.value);
  }

  /** Adds Wo's gradients and returns the gradient of the context. */
  float[] outputBackward(float[] ctx, float[] dS, int rows) {
    blas.gemm(true, false, d, d, rows, 1f, ctx, 0, d, dS, 0, d, 1f, wo.grad, 0, d);
    Mat.addColumnSums(bo.grad, dS, rows, d);
    float[] dCtx = new float[rows * d];
    blas.gemm(false, true, rows, d, d, 1f, dS, 0, d, wo, 0, 0f, dCtx, 0, d);
    return dCtx;
  }

  /** Encoder: batch-major {@code qkv} [B*S, 3D]; source i's queries see its first {@code lengths[i]} keys. Probabilities [B*S, H, S]. */
  void padded(float[] qkv, int b, int s, int[] lengths, float[] probs, float[] ctx) {
    int w = 3 * d;
    for (int i = 0; i < b; i++) {
      int base = i * s * w;
      for (int t = 0; t < s; t++) {
        int row = i * s + t;
        AttentionKernel.forward(qkv, row * w, qkv, base + d, base + 2 * d, w, lengths[i], heads, dh, scale,
            probs, row * heads * s, s, ctx, row * d);
      }
    }
  }

  /** Backward of {@link #padded}: the gradient of qkv [B*S, 3D]. */
  float[] paddedBackward(float[] qkv, int b, int s, int[] lengths, float[] probs, float[] dCtx) {
    int w = 3 * d;
    float[] dQkv = new float[b * s * w];
    float[] dp = new float[s];
    for (int i = 0; i < b; i++) {
      int base = i * s * w;
      for (int t = 0; t < s; t++) {
        int row = i * s + t;
        AttentionKernel.backward(qkv, row * w, qkv, base + d, base + 2 * d, w, lengths[i], heads, dh, scale,
            probs, row * heads * s, s, dCtx, row * d, dQkv, row * w, dQkv, base + d, base + 2 * d, dp);
      }
    }
    return dQkv;
  }

  /**
   * Decoder: positions {@code [t0, t0 + n)} of {@code r} rows; {@code qkv} is indexed by absolute
   * row {@code t*r + i} (the cache), probabilities [., H, cap] and context by row from {@code slotRow0}.
   */
  void causal(float[] qkv, int t0, int n, int r, int slotRow0, float[] probs, int cap, float[] ctx) {
    int w = 3 * d;
    for (int t = t0; t < t0 + n; t++) {
      for (int i = 0; i < r; i++) {
        int q = t * r + i;
        int row = slotRow0 + (t - t0) * r + i;
        AttentionKernel.forward(qkv, q * w, qkv, i * w + d, i * w + 2 * d, r * w, t + 1, heads, dh, scale,
            probs, row * heads * cap, cap, ctx, row * d);
      }
    }
  }

  /** Backward of {@link #causal} over all {@code steps} kept positions: the gradient of qkv [steps*r, 3D]. */
  float[] causalBackward(float[] qkv, int steps, int r, float[] probs, int cap, float[] dCtx) {
    int w = 3 * d;
    float[] dQkv = new float[steps * r * w];
    float[] dp = new float[steps];
    for (int t = 0; t < steps; t++) {
      for (int i = 0; i < r; i++) {
        int row = t * r + i;
        AttentionKernel.backward(qkv, row * w, qkv, i * w + d, i * w + 2 * d, r * w, t + 1, heads, dh, scale,
            probs, row * heads * cap, cap, dCtx, row * d, dQkv, row * w, dQkv, i * w + d, i * w + 2 * d, dp);
      }
    }
    return dQkv;
  }
}
