package org.seqrl.agents;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Matrix products through OpenBLAS's {@code cblas_sgemm} (the BLAS that nd4j-native ships), on
 * row-major float arrays on the Java heap. Heap operands are copied into native scratch buffers
 * that this object owns and reuses (a 128 KB copy costs ~1.5 us, against ~100 us for the
 * [32,256]x[256,768] product it feeds); parameters are read from their native mirror without a
 * copy. Going around ND4J's {@code gemm} matters: on that product it took 440 us against 100-170
 * us for the same OpenBLAS call made directly (see BENCHMARKS.md).
 *
 * <p>Not thread-safe: one per policy.
 */
final class Blas implements AutoCloseable {
  private static final int ROW_MAJOR = 101;
  private static final int NO_TRANS = 111;
  private static final int TRANS = 112;

  private final Scratch sa = new Scratch();
  private final Scratch sb = new Scratch();
  private final Scratch sc = new Scratch();

  /** A reusable native buffer that grows to the largest operand seen. */
  private static final class Scratch {
    FloatPointer p;
    long capacity;

    FloatPointer load(float[] src, int off, int len) {
      FloatPointer q = ensure(len);
      q.put(src, off, len);
      return q;
    }

    FloatPointer ensure(long len) {
      if (p == null || len > capacity) {
        if (p != null) {
          p.close();
        }
        capacity = Math.max(Math.max(len, 1), capacity * 2);
        p = new FloatPointer(capacity);
      }
      return p;
    }

    void close() {
      if (p != null) {
        p.close();
        p = null;
        capacity = 0;
      }
    }
  }

  /** Elements a row-major operand of {@code rows x cols} with leading dimension {@code ld} spans. */
  private static int span(int rows, int cols, int ld) {
    return rows == 0 ? 0 : (rows - 1) * ld + cols;
  }

  /**
   * {@code c = alpha op(a) op(b) + beta c}: op(a) is m x k, op(b) is k x n, c is m x n; every
   * operand is a heap array region starting at its offset with the given leading dimension.
   */
  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      scale(m, n, beta, c, cOff, ldc);
      return;
    }
    FloatPointer pb = sb.load(b, bOff, transB ? span(n, k, ldb) : span(k, n, ldb));
    multiply(transA, transB, m, n, k, alpha, a, aOff, lda, pb, ldb, beta, c, cOff, ldc);
  }

  /**
   * The same with {@code b} the native mirror of a parameter, from element {@code bOff} on (row-major,
   * so {@code row * cols + col}); its leading dimension is the parameter's column count.
   */
  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
      Params.Param b, int bOff, float beta, float[] c, int cOff, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    multiply(transA, transB, m, n, k, alpha, a, aOff, lda, b.nativeAt(bOff), b.cols, beta, c, cOff, ldc);
  }

  private void multiply(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
      int lda, FloatPointer pb, int ldb, float beta, float[] c, int cOff, int ldc) {
    int cLen = span(m, n, ldc);
    if (k == 0) {
      scale(m, n, beta, c, cOff, ldc);
      return;
    }
    FloatPointer pa = sa.load(a, aOff, transA ? span(k, m, lda) : span(m, k, lda));
    // gaps between rows (ldc > n) must survive the copy back, so they are copied in too
    FloatPointer pc = beta != 0f || ldc != n ? sc.load(c, cOff, cLen) : sc.ensure(cLen);
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
        pa, lda, pb, ldb, beta, pc, ldc);
    pc.get(c, cOff, cLen);
  }

  /** {@code c = beta c}: a product with an empty inner dimension (BLAS leaves that case to the caller). */
  private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        c[cOff + i * ldc + j] *= beta;
      }
    }
  }

  @Override
  public void close() {
    sa.close();
    sb.close();
    sc.close();
  }
}
