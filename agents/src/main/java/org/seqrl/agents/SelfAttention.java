package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/**
 * Multi-head self-attention: queries, keys and values from one product {@code x Wqkv + bqkv}
 * ({@code [rows, 3D]}: q, then k, then v), attention, then {@code ctx Wo + bo}. Two layouts: the
 * encoder's (sources packed one after another, each row seeing its own source's rows) and the decoder's (time-major
 * {@code [T*R]}, causal: position t sees positions 0..t of its own row, whose keys and values are
 * the decoding cache).
 */
final class SelfAttention {
  /** Decoding positions a thread takes at least (a position's attention costs a few microseconds, a hand-over about one). */
  static final int ROWS_PER_THREAD = 4;
  private final Blas blas;
  private final Param wqkv;
  private final Param bqkv;
  private final Param wo;
  private final Param bo;
  final int d;
  final int heads;
  private final int dh;
  private final float scale;
  private final AttentionBlock block;

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
    block = new AttentionBlock(blas, heads, dh, scale);
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

  /**
   * Encoder: source i's rows are {@code [starts[i], starts[i] + lengths[i])} of {@code qkv} (rows
   * [., 3D], the sources packed one after another, no padding rows), and each of them sees the
   * source's own rows. Probabilities [rows, H, s] with {@code s} at least the longest length.
   */
  void packed(float[] qkv, int[] starts, int[] lengths, int s, float[] probs, float[] ctx) {
    int w = 3 * d;
    RowSplit.run(starts.length, 1, (a, b) -> {
      int[] rows = new int[s];
      int[] keyRows = new int[s];
      for (int i = a; i < b; i++) {
        int n = sourceRows(starts[i], lengths[i], w, rows, keyRows);
        block.forward(qkv, w, 0, rows, n, qkv, keyRows, d, 2 * d, n, false, probs, s, ctx, d);
      }
    });
  }

  /** Source rows {@code [start, start + n)} and where their rows start in a [., w] array; returns n. */
  private static int sourceRows(int start, int n, int w, int[] rows, int[] keyRows) {
    for (int u = 0; u < n; u++) {
      rows[u] = start + u;
      keyRows[u] = (start + u) * w;
    }
    return n;
  }

  /** Backward of {@link #packed}: the gradient of qkv [rows, 3D]. */
  float[] packedBackward(float[] qkv, int rows, int[] starts, int[] lengths, int s, float[] probs, float[] dCtx) {
    int w = 3 * d;
    float[] dQkv = new float[rows * w];
    RowSplit.run(starts.length, 1, (a, b) -> {
      int[] qr = new int[s];
      int[] keyRows = new int[s];
      for (int i = a; i < b; i++) {
        int n = sourceRows(starts[i], lengths[i], w, qr, keyRows);
        block.backward(qkv, w, 0, qr, n, qkv, keyRows, d, 2 * d, n, false, probs, s, dCtx, d, dQkv, dQkv);
      }
    });
    return dQkv;
  }

  /**
   * Decoder: the queries of slots {@code [from, to)} of {@code rows} (time-major, causal: a row's
   * position t sees its positions 0..t). {@code qkv} is indexed by slot and is the cache: row i's
   * position u is slot {@code rows.slot[u*R + i]}. Probabilities [., H, cap] and context by slot
   * minus {@code slotBase}.
   */
  void causal(float[] qkv, DecoderRows rows, int from, int to, int slotBase, float[] probs, int cap, float[] ctx) {
    int w = 3 * d;
    if (from == 0 && slotBase == 0 && to == rows.slots() && to > rows.rows) {
      // a whole teacher-forced block: each decoder row's positions attend to its own, as products
      RowSplit.run(rows.rows, 1, (a, b) -> {
        int[] qr = new int[cap];
        int[] keyRows = new int[cap];
        for (int i = a; i < b; i++) {
          int n = decoderRowSlots(rows, i, rows.start.length - 1, w, qr, keyRows);
          block.forward(qkv, w, 0, qr, n, qkv, keyRows, d, 2 * d, n, true, probs, cap, ctx, d);
        }
      });
      return;
    }
    RowSplit.run(to - from, ROWS_PER_THREAD, (a, b) -> {
      int[] keyRows = new int[cap];
      for (int p = from + a; p < from + b; p++) {
        int n = cacheRows(rows, p, w, keyRows);
        int row = p - slotBase;
        AttentionKernel.forward(qkv, p * w, qkv, keyRows, d, 2 * d, n, heads, dh, scale, probs, row * heads * cap, cap,
            ctx, row * d);
      }
    });
  }

  /** Row i's slots of the first {@code positions} in position order, and where they start in a [., w] array; returns how many. */
  private static int decoderRowSlots(DecoderRows rows, int i, int positions, int w, int[] slots, int[] starts) {
    int n = 0;
    while (n < positions && rows.slot[n * rows.rows + i] >= 0) {
      slots[n] = rows.slot[n * rows.rows + i];
      starts[n] = slots[n] * w;
      n++;
    }
    return n;
  }

  /** Where the keys slot {@code p} sees start in a [., 3D] cache; returns how many it sees. */
  private static int cacheRows(DecoderRows rows, int p, int w, int[] keyRows) {
    int i = rows.rowAt[p];
    int t = rows.timeAt[p];
    for (int u = 0; u <= t; u++) {
      keyRows[u] = rows.slot[u * rows.rows + i] * w;
    }
    return t + 1;
  }

  /** Backward of {@link #causal} over the first {@code steps} positions of a pass never reordered: the gradient of qkv [their slots, 3D]. */
  float[] causalBackward(float[] qkv, DecoderRows rows, int steps, float[] probs, int cap, float[] dCtx) {
    int w = 3 * d;
    float[] dQkv = new float[rows.start[steps] * w];
    RowSplit.run(rows.rows, 1, (a, b) -> {
      int[] qr = new int[cap];
      int[] keyRows = new int[cap];
      for (int i = a; i < b; i++) {
        int n = decoderRowSlots(rows, i, steps, w, qr, keyRows);
        block.backward(qkv, w, 0, qr, n, qkv, keyRows, d, 2 * d, n, true, probs, cap, dCtx, d, dQkv, dQkv);
      }
    });
    return dQkv;
  }
}
