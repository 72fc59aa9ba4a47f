package org.seqrl.agents;

/** Small loops on row-major float arrays; each inner loop runs over a row so that it vectorises. */
final class Mat {
  private Mat() {}

  /** {@code g[j] += sum_i a[i, j]} over {@code rows x cols}. */
  static void addColumnSums(float[] g, float[] a, int rows, int cols) {
    // column ranges on the threads, each column summed in row order: the same bits on any thread count
    RowSplit.run(cols, rows >= 64 ? 64 : cols, (from, to) -> {
      for (int i = 0; i < rows; i++) {
        int o = i * cols;
        for (int j = from; j < to; j++) {
          g[j] += a[o + j];
        }
      }
    });
  }

  /** {@code a[i, j] += v[j]} for rows {@code [0, rows)} of width {@code cols} starting at {@code off}. */
  static void addRowVector(float[] a, int off, int rows, int cols, float[] v) {
    for (int i = 0; i < rows; i++) {
      int o = off + i * cols;
      for (int j = 0; j < cols; j++) {
        a[o + j] += v[j];
      }
    }
  }

  /** Row {@code i} of the result is row {@code index[i]} of {@code src} ({@code cols} wide). */
  static float[] gatherRows(float[] src, int cols, int[] index) {
    float[] out = new float[index.length * cols];
    for (int i = 0; i < index.length; i++) {
      System.arraycopy(src, index[i] * cols, out, i * cols, cols);
    }
    return out;
  }

  /** {@code dst[index[i]] += src[i]}, rows of width {@code cols}: the backward of {@link #gatherRows}. */
  static void scatterAddRows(float[] dst, int dstOff, int cols, float[] src, int srcOff, int[] index, int rows) {
    for (int i = 0; i < rows; i++) {
      int s = srcOff + i * cols;
      int d = dstOff + index[i] * cols;
      for (int j = 0; j < cols; j++) {
        dst[d + j] += src[s + j];
      }
    }
  }

  /** {@code a[i] *= (1 - y[i]^2)}: the backward of an elementwise tanh whose output is {@code y}. */
  static void tanhBackward(float[] a, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      a[i] *= 1f - y[i] * y[i];
    }
  }

  /**
   * Eight partial sums: a float sum that must keep its order cannot be vectorised, and its adds wait on
   * each other; eight independent chains keep both of an AVX2 core's FMA units busy (four measured
   * 1.5-2x slower: benchmarks/loops/DotBench.java).
   */
  static float dot(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    float s4 = 0f;
    float s5 = 0f;
    float s6 = 0f;
    float s7 = 0f;
    int j = 0;
    for (; j + 7 < n; j += 8) {
      s0 += a[ao + j] * b[bo + j];
      s1 += a[ao + j + 1] * b[bo + j + 1];
      s2 += a[ao + j + 2] * b[bo + j + 2];
      s3 += a[ao + j + 3] * b[bo + j + 3];
      s4 += a[ao + j + 4] * b[bo + j + 4];
      s5 += a[ao + j + 5] * b[bo + j + 5];
      s6 += a[ao + j + 6] * b[bo + j + 6];
      s7 += a[ao + j + 7] * b[bo + j + 7];
    }
    for (; j < n; j++) {
      s0 += a[ao + j] * b[bo + j];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /** {@code sum_j a[ao + j]} in eight partial sums, as {@link #dot}. */
  static float sum(float[] a, int ao, int n) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    float s4 = 0f;
    float s5 = 0f;
    float s6 = 0f;
    float s7 = 0f;
    int j = 0;
    for (; j + 7 < n; j += 8) {
      s0 += a[ao + j];
      s1 += a[ao + j + 1];
      s2 += a[ao + j + 2];
      s3 += a[ao + j + 3];
      s4 += a[ao + j + 4];
      s5 += a[ao + j + 5];
      s6 += a[ao + j + 6];
      s7 += a[ao + j + 7];
    }
    for (; j < n; j++) {
      s0 += a[ao + j];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /** {@code y[yo + j] += alpha x[xo + j]}. */
  static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
    for (int j = 0; j < n; j++) {
      y[yo + j] += alpha * x[xo + j];
    }
  }

  static double[] toDouble(float[] a, int off, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = a[off + i];
    }
    return d;
  }
}
