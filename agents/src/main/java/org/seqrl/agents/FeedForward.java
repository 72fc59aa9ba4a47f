package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/**
 * The position-wise feed-forward sublayer {@code gelu(x W1 + b1) W2 + b2}, with GELU's tanh form
 * (as BERT and GPT-2 use it). Smooth, unlike ReLU, so finite differences check it without kinks
 * inside the difference step.
 */
final class FeedForward {
  private final Blas blas;
  private final Param w1;
  private final Param b1;
  private final Param w2;
  private final Param b2;
  private final int d;
  final int hidden;

  /** Adds {@code prefix.W1}, {@code .b1}, {@code .W2}, {@code .b2}. */
  FeedForward(Blas blas, Params params, String prefix, int width, int hidden, Rng init) {
    this.blas = blas;
    this.d = width;
    this.hidden = hidden;
    w1 = params.add(prefix + ".W1", width, hidden, init, 1 / Math.sqrt(width), false);
    b1 = params.add(prefix + ".b1", 1, hidden, init, 0, false);
    w2 = params.add(prefix + ".W2", hidden, width, init, 1 / Math.sqrt(hidden), false);
    b2 = params.add(prefix + ".b2", 1, width, init, 0, false);
  }

  private static final float C = (float) Math.sqrt(2 / Math.PI);
  /** Rows a thread takes at least (a row's GELU at width 1024 costs about a microsecond). */
  private static final int ROWS_PER_THREAD = 4;
  private static final float A = 0.044715f;

  /** Rows from {@code row0}: {@code u = in W1 + b1} and {@code h = gelu(u)} (both kept for backward), {@code s = h W2 + b2}. */
  void forward(float[] in, int row0, int rows, float[] u, float[] h, float[] s) {
    int ho = row0 * hidden;
    blas.gemm(false, false, rows, hidden, d, 1f, in, row0 * d, d, w1, 0, 0f, u, ho, hidden);
    float[] bias = b1.value;
    // Two loops, not one: HotSpot's C2 vectorises each of them but not the fused loop with its two stores
    // (5x faster per element at 160 x 1024; in a profile of transformer decoding the GELU was about a tenth).
    RowSplit.run(rows, ROWS_PER_THREAD, (from, to) -> {
      for (int i = from; i < to; i++) {
        int o = ho + i * hidden;
        for (int j = 0; j < hidden; j++) {
          u[o + j] += bias[j];
        }
        for (int k = o; k < o + hidden; k++) {
          float x = u[k];
          h[k] = 0.5f * x * (1f + Activations.tanh(C * (x + A * x * x * x)));
        }
      }
    });
    blas.gemm(false, false, rows, d, hidden, 1f, h, ho, hidden, w2, 0, 0f, s, row0 * d, d);
    Mat.addRowVector(s, row0 * d, rows, d, b2.value);
  }

  /** Backward over rows {@code [0, rows)}: adds the weights' gradients and {@code d in} into {@code dIn}. */
  void backward(float[] in, float[] u, float[] h, float[] dS, int rows, float[] dIn) {
    blas.gemm(true, false, hidden, d, rows, 1f, h, 0, hidden, dS, 0, d, 1f, w2.grad, 0, d);
    Mat.addColumnSums(b2.grad, dS, rows, d);
    float[] dh = new float[rows * hidden];
    blas.gemm(false, true, rows, hidden, d, 1f, dS, 0, d, w2, 0, 0f, dh, 0, hidden);
    // tanh first, into its own array: C2 vectorises the two loops, not the one that did both (7x per element)
    float[] t = new float[dh.length];
    RowSplit.run(rows, ROWS_PER_THREAD, (from, to) -> {
      int end = to * hidden;
      for (int i = from * hidden; i < end; i++) {
        float x = u[i];
        t[i] = Activations.tanh(C * (x + A * x * x * x));
      }
      for (int i = from * hidden; i < end; i++) {
        float x = u[i];
        float ti = t[i];
        dh[i] *= 0.5f * (1f + ti) + 0.5f * x * (1f - ti * ti) * C * (1f + 3f * A * x * x);
      }
    });
    blas.gemm(true, false, d, hidden, rows, 1f, in, 0, d, dh, 0, hidden, 1f, w1.grad, 0, hidden);
    Mat.addColumnSums(b1.grad, dh, rows, hidden);
    blas.gemm(false, true, rows, d, hidden, 1f, dh, 0, hidden, w1, 0, 1f, dIn, 0, d);
  }
}
