package org.seqrl.agents;

/**
 * Multi-head scaled dot-product attention of a group of queries over the same keys (a source's
 * positions in the encoder; one decoder row's positions, over its own earlier ones or over its
 * source, in a teacher-forced block), as two matrix products per head forward and four backward.
 * {@link AttentionKernel} does the same one query at a time in scalar loops (a dot product and an
 * axpy per key and head); for the 20-30 queries of a group the products run several times faster,
 * while for the single query of a decoding step the per-row loops cost less than the calls.
 *
 * <p>Query a's row starts at {@code q[qr[a] * ldq + qCol]}, its probabilities at
 * {@code p[qr[a] * heads * pStride]} (head h at {@code + h * pStride}) and its context at
 * {@code ctx[qr[a] * ldc]}; key u's row starts at {@code kv[kr[u]]}, its key at {@code + kOff}, its
 * value at {@code + vOff}, as in {@link AttentionKernel}. Causal: query a sees keys 0..a; else
 * all n. Each head's operands are gathered into contiguous scratch that this object keeps.
 *
 * <p>One per attention part; groups may run on the {@link RowSplit} threads at once (each has its scratch).
 */
final class AttentionBlock {
  private final Blas blas;
  private final int heads;
  private final int dh;
  private final float scale;
  /** Scratch of one worker thread ({@link RowSplit#worker}): slot w is only ever touched by worker w. */
  private final Scratch[] scratch = new Scratch[RowSplit.MAX_THREADS];

  AttentionBlock(Blas blas, int heads, int dh, float scale) {
    this.blas = blas;
    this.heads = heads;
    this.dh = dh;
    this.scale = scale;
  }

  /** Each head's operands, gathered contiguous, for m queries over n keys. */
  private static final class Scratch {
    float[] qg = new float[0];
    float[] kg = new float[0];
    float[] vg = new float[0];
    float[] cg = new float[0];
    float[] sg = new float[0];
    float[] dsg = new float[0];
    float[] gk = new float[0];
    float[] gq = new float[0];
  }

  private Scratch ensure(int m, int n) {
    int w = RowSplit.worker();
    Scratch x = scratch[w];
    if (x == null) {
      x = new Scratch();
      scratch[w] = x;
    }
    if (x.qg.length < m * dh || x.sg.length < m * n || x.kg.length < n * dh) {
      int mm = Math.max(m, x.qg.length / dh);
      int nn = Math.max(n, x.kg.length / dh);
      x.qg = new float[mm * dh];
      x.cg = new float[mm * dh];
      x.gq = new float[mm * dh];
      x.kg = new float[nn * dh];
      x.vg = new float[nn * dh];
      x.gk = new float[nn * dh];
      x.sg = new float[mm * nn];
      x.dsg = new float[mm * nn];
    }
    return x;
  }

  private static void gather(float[] src, int[] rows, int stride, int off, int count, int width, float[] dst) {
    for (int a = 0; a < count; a++) {
      System.arraycopy(src, rows[a] * stride + off, dst, a * width, width);
    }
  }

  private static void scatterAdd(float[] src, int[] rows, int stride, int off, int count, int width, float[] dst) {
    for (int a = 0; a < count; a++) {
      Mat.axpy(1f, src, a * width, dst, rows[a] * stride + off, width);
    }
  }

  void forward(float[] q, int ldq, int qCol, int[] qr, int m, float[] kv, int[] kr, int kOff, int vOff, int n,
      boolean causal, float[] p, int pStride, float[] ctx, int ldc) {
    if (m == 0) {
      return;
    }
    Scratch x = ensure(m, n);
    float[] qg = x.qg;
    float[] kg = x.kg;
    float[] vg = x.vg;
    float[] cg = x.cg;
    float[] sg = x.sg;
    for (int h = 0; h < heads; h++) {
      int hd = h * dh;
      gather(q, qr, ldq, qCol + hd, m, dh, qg);
      gather(kv, kr, 1, kOff + hd, n, dh, kg);
      gather(kv, kr, 1, vOff + hd, n, dh, vg);
      blas.gemm(false, true, m, n, dh, scale, qg, 0, dh, kg, 0, dh, 0f, sg, 0, n);
      for (int a = 0; a < m; a++) {
        int seen = causal ? Math.min(a + 1, n) : n;
        int o = a * n;
        float max = Float.NEGATIVE_INFINITY;
        for (int u = 0; u < seen; u++) {
          max = Math.max(max, sg[o + u]);
        }
        float sum = 0f;
        for (int u = 0; u < seen; u++) {
          float e = (float) Math.exp(sg[o + u] - max);
          sg[o + u] = e;
          sum += e;
        }
        float inv = 1f / sum;
        for (int u = 0; u < seen; u++) {
          sg[o + u] *= inv;
        }
        java.util.Arrays.fill(sg, o + seen, o + n, 0f);
        System.arraycopy(sg, o, p, qr[a] * heads * pStride + h * pStride, seen);
      }
      blas.gemm(false, false, m, dh, n, 1f, sg, 0, n, vg, 0, dh, 0f, cg, 0, dh);
      for (int a = 0; a < m; a++) {
        System.arraycopy(cg, a * dh, ctx, qr[a] * ldc + hd, dh);
      }
    }
  }

  /** Backward of {@link #forward} from {@code dCtx} (the layout of ctx): adds into {@code dq} (the layout of q) and {@code dkv} (of kv). */
  void backward(float[] q, int ldq, int qCol, int[] qr, int m, float[] kv, int[] kr, int kOff, int vOff, int n,
      boolean causal, float[] p, int pStride, float[] dCtx, int ldc, float[] dq, float[] dkv) {
    if (m == 0 || n == 0) {
      return;
    }
    Scratch x = ensure(m, n);
    float[] qg = x.qg;
    float[] kg = x.kg;
    float[] vg = x.vg;
    float[] cg = x.cg;
    float[] sg = x.sg;
    float[] dsg = x.dsg;
    float[] gk = x.gk;
    float[] gq = x.gq;
    for (int h = 0; h < heads; h++) {
      int hd = h * dh;
      gather(q, qr, ldq, qCol + hd, m, dh, qg);
      gather(kv, kr, 1, kOff + hd, n, dh, kg);
      gather(kv, kr, 1, vOff + hd, n, dh, vg);
      gather(dCtx, qr, ldc, hd, m, dh, cg);
      for (int a = 0; a < m; a++) {
        int seen = causal ? Math.min(a + 1, n) : n;
        System.arraycopy(p, qr[a] * heads * pStride + h * pStride, sg, a * n, seen);
        java.util.Arrays.fill(sg, a * n + seen, a * n + n, 0f);
      }
      // dP = dC V^T; dV = P^T dC
      blas.gemm(false, true, m, n, dh, 1f, cg, 0, dh, vg, 0, dh, 0f, dsg, 0, n);
      blas.gemm(true, false, n, dh, m, 1f, sg, 0, n, cg, 0, dh, 0f, gk, 0, dh);
      scatterAdd(gk, kr, 1, vOff + hd, n, dh, dkv);
      // softmax backward: dS = P (dP - sum_u P dP) scale (zero where P is)
      for (int a = 0; a < m; a++) {
        int o = a * n;
        float inner = 0f;
        for (int u = 0; u < n; u++) {
          inner += sg[o + u] * dsg[o + u];
        }
        for (int u = 0; u < n; u++) {
          dsg[o + u] = sg[o + u] * (dsg[o + u] - inner) * scale;
        }
      }
      // dQ = dS K; dK = dS^T Q
      blas.gemm(false, false, m, dh, n, 1f, dsg, 0, n, kg, 0, dh, 0f, gq, 0, dh);
      scatterAdd(gq, qr, ldq, qCol + hd, m, dh, dq);
      blas.gemm(true, false, n, dh, m, 1f, dsg, 0, n, qg, 0, dh, 0f, gk, 0, dh);
      scatterAdd(gk, kr, 1, kOff + hd, n, dh, dkv);
    }
  }
}
