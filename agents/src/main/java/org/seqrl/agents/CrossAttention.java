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
  private final AttentionBlock block;

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
    block = new AttentionBlock(blas, heads, dh, scale);
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
   * {@code rowSource[source0 + j]}, whose keys are rows {@code src*s ..} of {@code kv} at column
   * {@code off}. Probabilities [., H, s].
   */
  void attend(float[] q, int row0, int rows, int[] rowSource, int source0, int[] lengths, int s, float[] kv, int off,
      int ld, float[] probs, float[] ctx) {
    Groups g = Groups.of(rowSource, source0, rows, lengths.length);
    if (g.worthProducts()) {
      // a group's rows read only their source and write only themselves: groups run on the threads
      RowSplit.run(g.count, 1, (a, b) -> {
        int[] keyRows = new int[s];
        int[] groupRows = new int[rows];
        for (int k = a; k < b; k++) {
          int src = g.source[k];
          int n = sourceRows(src, s, lengths[src], off, ld, keyRows);
          g.rowsOf(k, row0, groupRows);
          block.forward(q, d, 0, groupRows, g.size(k), kv, keyRows, 0, d, n, false, probs, s, ctx, d);
        }
      });
      return;
    }
    RowSplit.run(rows, SelfAttention.ROWS_PER_THREAD, (a, b) -> {
      int[] keyRows = new int[s];
      int last = -1;
      for (int j = a; j < b; j++) {
        int row = row0 + j;
        int src = rowSource[source0 + j];
        if (src != last) {
          sourceRows(src, s, lengths[src], off, ld, keyRows);
          last = src;
        }
        AttentionKernel.forward(q, row * d, kv, keyRows, 0, d, lengths[src], heads, dh, scale, probs, row * heads * s, s,
            ctx, row * d);
      }
    });
  }

  /** Where source {@code src}'s keys sit in {@code kv}: row {@code src*s + u}, from column {@code off}; returns n. */
  private static int sourceRows(int src, int s, int n, int off, int ld, int[] keyRows) {
    for (int u = 0; u < n; u++) {
      keyRows[u] = (src * s + u) * ld + off;
    }
    return n;
  }

  /** Backward of {@link #attend} over rows {@code [0, rows)} (row j reads {@code rowSource[j]}): returns dQ and adds into {@code dKv} (the layout of kv). */
  float[] attendBackward(float[] q, int rows, int[] rowSource, int[] lengths, int s, float[] kv, int off, int ld,
      float[] probs, float[] dCtx, float[] dKv) {
    float[] dQ = new float[rows * d];
    Groups g = Groups.of(rowSource, 0, rows, lengths.length);
    // one group per source: its keys' gradients are written by its group alone
    RowSplit.run(g.count, 1, (a, b) -> {
      int[] keyRows = new int[s];
      int[] groupRows = new int[rows];
      for (int k = a; k < b; k++) {
        int src = g.source[k];
        int n = sourceRows(src, s, lengths[src], off, ld, keyRows);
        g.rowsOf(k, 0, groupRows);
        block.backward(q, d, 0, groupRows, g.size(k), kv, keyRows, 0, d, n, false, probs, s, dCtx, d, dQ, dKv);
      }
    });
    return dQ;
  }

  /** Rows grouped by the source they read: group k is source {@code source[k]}, its rows {@code all[first[k] .. first[k+1])}. */
  private static final class Groups {
    int count;
    int[] source;
    int[] first;
    private int[] all;

    /** Rows j in [0, n) of source {@code rowSource[source0 + j]}, in row order within a source. */
    static Groups of(int[] rowSource, int source0, int n, int sources) {
      int[] countOf = new int[sources + 1];
      for (int j = 0; j < n; j++) {
        countOf[rowSource[source0 + j] + 1]++;
      }
      Groups g = new Groups();
      g.source = new int[sources];
      g.first = new int[sources + 1];
      for (int src = 0; src < sources; src++) {
        if (countOf[src + 1] > 0) {
          g.source[g.count] = src;
          g.first[g.count + 1] = g.first[g.count] + countOf[src + 1];
          g.count++;
        }
        countOf[src + 1] += countOf[src];
      }
      g.all = new int[n];
      for (int j = 0; j < n; j++) {
        g.all[countOf[rowSource[source0 + j]]++] = j;
      }
      return g;
    }

    int size(int k) {
      return first[k + 1] - first[k];
    }

    /** Puts group k's rows, plus {@code row0}, at the start of {@code into}. */
    void rowsOf(int k, int row0, int[] into) {
      for (int a = 0; a < size(k); a++) {
        into[a] = all[first[k] + a] + row0;
      }
    }

    /** Matrix products pay for their calls when a source has several queries (a teacher-forced block), not one per step. */
    boolean worthProducts() {
      return count > 0 && all.length >= 8 * count;
    }
  }
}
