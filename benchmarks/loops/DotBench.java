/**
 * Nanoseconds per dot product of Mat.dot's loop with four partial sums (as it was) and eight (as it is
 * now; BENCHMARKS.md, "Eight partial sums in Mat.dot"), in the access pattern of AttentionKernel's
 * scores (5 query rows, one source's beams, against 25 keys of a [., 2 x 256] key/value cache, 4 heads
 * of 64) and of LayerNorm (one row of 256), plus Mat.sum's four and eight. Five rounds, the kinds
 * interleaved within each. Run: taskset -c 1 java benchmarks/loops/DotBench.java
 */
public class DotBench {
  static final int R = 5, N = 25, H = 4, DH = 64, D = H * DH, LD = 2 * D;

  static float dot4(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += a[ao + j] * b[bo + j];
      s1 += a[ao + j + 1] * b[bo + j + 1];
      s2 += a[ao + j + 2] * b[bo + j + 2];
      s3 += a[ao + j + 3] * b[bo + j + 3];
    }
    for (; j < n; j++) {
      s0 += a[ao + j] * b[bo + j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  static float dot8(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
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

  static float sum4(float[] a, int ao, int n) {
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += a[ao + j];
      s1 += a[ao + j + 1];
      s2 += a[ao + j + 2];
      s3 += a[ao + j + 3];
    }
    for (; j < n; j++) {
      s0 += a[ao + j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  static float sum8(float[] a, int ao, int n) {
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
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

  /** Attention scores of R queries against N keys, every head; eight = which dot. */
  static float scores(boolean eight, float[] q, float[] kv, int[] rowOff, float[] p) {
    for (int r = 0; r < R; r++) {
      for (int h = 0; h < H; h++) {
        int hq = r * D + h * DH;
        int pb = (r * H + h) * N;
        for (int u = 0; u < N; u++) {
          p[pb + u] = eight ? dot8(q, hq, kv, rowOff[u] + h * DH, DH) : dot4(q, hq, kv, rowOff[u] + h * DH, DH);
        }
      }
    }
    return p[7];
  }

  /** A layer norm's two reductions over each of R x N rows of D: the sum and the sum of squares. */
  static float norms(boolean eight, float[] x) {
    float t = 0;
    for (int i = 0; i < R * N; i++) {
      t += eight ? sum8(x, i * D, D) + dot8(x, i * D, x, i * D, D) : sum4(x, i * D, D) + dot4(x, i * D, x, i * D, D);
    }
    return t;
  }

  public static void main(String[] args) {
    java.util.Random rnd = new java.util.Random(1);
    float[] q = new float[R * D];
    float[] kv = new float[N * LD];
    float[] x = new float[R * N * D];
    for (int i = 0; i < q.length; i++) {
      q[i] = rnd.nextFloat() - 0.5f;
    }
    for (int i = 0; i < kv.length; i++) {
      kv[i] = rnd.nextFloat() - 0.5f;
    }
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat() - 0.5f;
    }
    int[] rowOff = new int[N];
    for (int u = 0; u < N; u++) {
      rowOff[u] = u * LD;
    }
    float[] p = new float[R * H * N];
    int calls = 40000;
    float sink = 0;
    for (int round = 0; round < 5; round++) {
      StringBuilder b = new StringBuilder("round " + round + ": ns per dot of 64 (attention scores) / per row of 256 (layer norm's two sums)");
      for (boolean eight : new boolean[] {false, true}) {
        long t0 = System.nanoTime();
        for (int c = 0; c < calls; c++) {
          sink += scores(eight, q, kv, rowOff, p);
        }
        double attention = (System.nanoTime() - t0) / ((double) calls * R * H * N);
        t0 = System.nanoTime();
        for (int c = 0; c < calls / 4; c++) {
          sink += norms(eight, x);
        }
        double norm = (System.nanoTime() - t0) / ((double) calls / 4 * R * N);
        b.append(String.format("  %s: %.1f / %.1f", eight ? "eight sums" : "four sums", attention, norm));
      }
      System.out.println(b);
    }
    System.out.println("(checksum " + sink + ")");
  }
}
