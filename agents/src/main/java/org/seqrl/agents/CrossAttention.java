package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/**
 * Multi-head attention of decoder rows over their source's encoder outputs, padding masked out:
 * queries {@code x Wq + bq}, keys and values {@code enc Wkv + bkv} (computed once per encoding for
 * every source, shared by the k samples or beams of a source), output {@code ctx Wo + bo}.
 */
final class CrossAttention {
  private final Blas blas;
  private final Param wq;
  private final Param bq;
  private final Param wkv;
  private final Param bkv;
  private final Param wo;
  private final Param bo;
  private final int d;
  final int heads;
  private final int dh;
  private final float scale;

  /** Adds {@code prefix.Wq}, {@code .bq}, {@code .Wkv}, {@code .bkv}, {@code .Wo}, {@code .bo}. */
  CrossAttention(Blas blas, Params params, String prefix, int width, int heads, Rng init) {
    this.blas = blas;
    this.d = width;
    this.heads = heads;
    this.dh = width / heads;
    this.scale = (float) (1 / Math.sqrt(dh));
    double s = 1 / Math.sqrt(width);
    wq = params.add(prefix + ".Wq", width, width, init, s, false);
    bq = params.add(prefix + ".bq", 1, width, init, 0, false);
    wkv = params.add(prefix + ".Wkv", width, 2 * width, init, s, false);
    bkv = params.add(prefix + ".bkv", 1, 2 * width, init, 0, false);
    wo = params.add(prefix + ".Wo", width, width, init, s, false);
    bo = params.add(prefix + ".bo", 1, width, init, 0, false);
  }

  /** Keys and values of the encoder outputs {@code enc} [rows, D] into columns {@code [off, off + 2D)} of {@code kv} (leading dimension {@code ld}). */
  void keys(float[] enc, int rows, float[] kv, int off, int ld) {
    blas.gemm(false, false, rows, 2 * d, d, 1f, enc, 0, d, wkv, 0, 0f, kv, off, ld);
    for (int i = 0; i < rows; i++) {
      Mat.axpy(1f, bkv.value, 0, kv, off + i * ld, 2 * d);
    }
  }

  /** Backward of {@link #keys}: adds Wkv's gradients and {@code dKv Wkv^T} into {@code dEnc}. */
  void keysBackward(float[] enc, int rows, float[] dKv, int off, int ld, float[] dEnc) {
    blas.gemm(true, false, d, 2 * d, rows, 1f, enc, 0, d, dKv, off, ld, 1f, wkv.grad, 0, 2 * d);
    for (int i = 0; i < rows; i++) {
      Mat.axpy(1f, dKv, off + i * ld + d, bkv.grad, d, d);
    }
    // no key bias gradient: it moves every score of a query by the same q.b, which softmax ignores
    // (a true gradient of zero whose float rounding Adam would scale up to full steps)
    blas.gemm(false, true, rows, d, 2 * d, 1f, dKv, off, ld, wkv, 0, 1f, dEnc, 0, d);
  }

  /** {@code q = in Wq + bq} for rows from {@code row0}. */
  void query(float[] in, int row0, int rows, float[] q) {
    blas.gemm(false, false, rows, d, d, 1f, in, row0 * d, d, wq, 0, 0f, q, row0 * d, d);
    Mat.addRowVector(q, row0 * d, rows, d, bq.value);
  }

  /** Adds Wq's gradients and adds {@code dQ Wq^T} into {@code dIn}. */
  void queryBackward(float[] in, float[] dQ, int rows, float[] dIn) {
    blas.gemm(true, false, d, d, rows, 1f, in, 0, d, dQ, 0, d, 1f, wq.grad, 0, d);
    Mat.addColumnSums(bq.grad, dQ, rows, d);
    blas.gemm(false, true, rows, d, d, 1f, dQ, 0, d, wq, 0, 1f, dIn, 0, d);
  }

  void output(float[] ctx, int row0, int rows, float[] s) {
    blas.gemm(false, false, rows, d, d, 1f, ctx, row0 * d, d, wo, 0, 0f, s, row0 * d, d);
    Mat.addRowVector(s, row0 * d, rows, d, bo.value);
  }

  float[] outputBackward(float[] ctx, float[] dS, int rows) {
    blas.gemm(true, false, d, d, rows, 1f, ctx, 0, d, dS, 0, d, 1f, wo.grad, 0, d);
    Mat.addColumnSums(bo.grad, dS, rows, d);
    float[] dCtx = new float[rows * d];
    blas.gemm(false, true, rows, d, d, 1f, dS, 0, d, wo, 0, 0f, dCtx, 0, d);
    return dCtx;
  }

  /**
   * Rows {@code [row0, row0 + rows)} of {@code q}; row {@code row0 + j} reads source
   * {@code srcOf[j % r]} (rows are time-major over {@code r} decoder rows), whose keys are rows
   * {@code src*s ..} of {@code kv} at column {@code off}. Probabilities [., H, s].
   */
  void attend(float[] q, int row0, int rows, int r, int[] srcOf, int[] lengths, int s, float[] kv, int off, int ld,
      float[] probs, float[] ctx) {
    for (int j = 0; j < rows; j++) {
      int row = row0 + j;
      int src = srcOf[j % r];
      int ko = src * s * ld + off;
      AttentionKernel.forward(q, row * d, kv, ko, ko + d, ld, lengths[src], heads, dh, scale, probs, row * heads * s, s,
          ctx, row * d);
    }
  }

  /** Backward of {@link #attend} over rows {@code [0, rows)}: returns dQ and adds into {@code dKv} (the layout of kv). */
  float[] attendBackward(float[] q, int rows, int r, int[] srcOf, int[] lengths, int s, float[] kv, int off, int ld,
      float[] probs, float[] dCtx, float[] dKv) {
    float[] dQ = new float[rows * d];
    float[] dp = new float[s];
    for (int row = 0; row < rows; row++) {
      int src = srcOf[row % r];
      int ko = src * s * ld + off;
      AttentionKernel.backward(q, row * d, kv, ko, ko + d, ld, lengths[src], heads, dh, scale, probs, row * heads * s, s,
          dCtx, row * d, dQ, row * d, dKv, ko, ko + d, dp);
    }
    return dQ;
  }
}
