package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Blas#gemm} against a plain triple loop: transposes, offsets, row gaps, beta, parameter operands. */
class BlasTest {
  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  /** c = alpha op(a) op(b) + beta c in double, same layout conventions as Blas. */
  private static double[] reference(boolean ta, boolean tb, int m, int n, int k, double alpha, float[] a, int aOff,
      int lda, float[] b, int bOff, int ldb, double beta, float[] c, int cOff, int ldc) {
    double[] out = new double[c.length];
    for (int i = 0; i < c.length; i++) {
      out[i] = c[i];
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double x = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          double y = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          s += x * y;
        }
        out[cOff + i * ldc + j] = alpha * s + beta * c[cOff + i * ldc + j];
      }
    }
    return out;
  }

  @Test
  void heapOperandsInEveryLayout() {
    Random r = new Random(1);
    try (Blas blas = new Blas()) {
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          for (float beta : new float[] {0f, 1f, -0.5f}) {
            int m = 5 + r.nextInt(30);
            int n = 3 + r.nextInt(40);
            int k = 1 + r.nextInt(50);
            int lda = (ta ? m : k) + r.nextInt(3);
            int ldb = (tb ? k : n) + r.nextInt(3);
            int ldc = n + r.nextInt(3); // a gap between rows must survive
            int aOff = r.nextInt(7);
            int bOff = r.nextInt(7);
            int cOff = r.nextInt(7);
            float[] a = random(r, aOff + (ta ? k : m) * lda);
            float[] b = random(r, bOff + (tb ? n : k) * ldb);
            float[] c = random(r, cOff + m * ldc + 3);
            double[] want = reference(ta, tb, m, n, k, 0.7, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            blas.gemm(ta, tb, m, n, k, 0.7f, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            for (int i = 0; i < c.length; i++) {
              assertEquals(want[i], c[i], 1e-4 * (1 + Math.abs(want[i])), "ta=" + ta + " tb=" + tb + " beta=" + beta + " at " + i);
            }
          }
        }
      }
    }
  }

  @Test
  void parameterOperandsAreReadFromTheMirrorAtAnOffset() {
    Random r = new Random(2);
    Params params = new Params();
    Rng init = new Rng(3);
    params.add("first", 3, 5, init, 1, true);
    Params.Param w = params.add("w", 6, 8, init, 1, true);
    try (params; Blas blas = new Blas()) {
      params.syncMirror();
      float[] a = random(r, 4 * 3);
      float[] c = new float[4 * 3];
      // columns 2..4 of rows 1..3 of w: offset 1 * 8 + 2, leading dimension 8
      blas.gemm(false, false, 4, 3, 3, 1f, a, 0, 3, w, 10, 0f, c, 0, 3);
      double[] want = reference(false, false, 4, 3, 3, 1, a, 0, 3, w.value, 10, 8, 0, new float[12], 0, 3);
      for (int i = 0; i < c.length; i++) {
        assertEquals(want[i], c[i], 1e-5, "at " + i);
      }
      // a change reaches the products only through syncMirror, after markChanged
      w.value[10] += 1f;
      params.markChanged();
      params.syncMirror();
      blas.gemm(false, false, 4, 3, 3, 1f, a, 0, 3, w, 10, 0f, c, 0, 3);
      assertEquals(want[0] + a[0], c[0], 1e-5);
    }
  }

  @Test
  void emptyInnerDimensionScalesByBeta() {
    try (Blas blas = new Blas()) {
      float[] c = {1f, 2f, 3f, 4f};
      blas.gemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0.5f, c, 0, 2);
      assertEquals(0.5f, c[0]);
      assertEquals(2f, c[3]);
    }
  }
}
