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
 * <p>On more than one thread ({@link RowSplit}) a large product is split into blocks, one per thread,
 * each a single-threaded OpenBLAS call on its own scratch. OpenBLAS packs all of op(b) for each row
 * block and all of op(a) for each column block (for a decoding step's few rows the packing of a weight
 * matrix costs about as much as the multiplications), so a product splits where the operand packed
 * again is the smaller: row blocks when it has at least as many rows as columns (a teacher-forced
 * pass), else column blocks (decoding steps, the weights' gradients). Row blocks give the same bits
 * as the whole product when they start at multiples of the kernel's row panel (12 rows on this
 * project's AMD EPYC), which {@link #ROW_ALIGNMENT} measures once per process; column blocks do not
 * (OpenBLAS sums a column block in another order). So results on several threads differ from one
 * thread's in the last bits, as they did when OpenBLAS split the products itself; on a fixed thread
 * count they are reproducible.
 *
 * <p>Not thread-safe: one per policy (its row loops may call it from the helper threads, each of
 * which has scratch of its own here).
 */
final class Blas implements AutoCloseable {
  private static final int ROW_MAJOR = 101;
  private static final int NO_TRANS = 111;
  private static final int TRANS = 112;

  /**
   * Multiply-adds below which a product runs on one thread: handing a block to a helper costs about a
   * microsecond, and each block packs the shared operand again.
   */
  static final long SPLIT_MIN_MULTIPLY_ADDS = 1L << 18;
  /** Rows a block of a split product has at least. */
  static final int SPLIT_MIN_ROWS = 8;
  /** Column blocks start at multiples of this. */
  static final int COLUMN_ALIGNMENT = 16;
  /** Row blocks start at multiples of this (0: products never split by rows); see {@link #rowAlignment}. */
  static final int ROW_ALIGNMENT = rowAlignment();

  /**
   * Whether this object splits its products over the {@link RowSplit} threads, or leaves them to
   * OpenBLAS's own threads (a model whose Java loops stay on one thread: OpenBLAS splitting its few
   * products per step measured as fast). A process should not have both kinds busy at once: each set
   * of threads spins while it waits for work, and on two cores they take turns.
   */
  private final boolean splitsProducts;

  Blas() {
    this(true);
  }

  Blas(boolean splitsProducts) {
    this.splitsProducts = splitsProducts;
  }

  /** Per worker thread ({@link RowSplit#worker}): slot w is only ever touched by worker w. */
  private final Scratch[] sa = new Scratch[RowSplit.MAX_THREADS];
  private final Scratch[] sb = new Scratch[RowSplit.MAX_THREADS];
  private final Scratch[] sc = new Scratch[RowSplit.MAX_THREADS];

  private static Scratch slot(Scratch[] s, int worker) {
    Scratch x = s[worker];
    if (x == null) {
      x = new Scratch();
      s[worker] = x;
    }
    return x;
  }

  /** A reusable native buffer that grows to the largest operand seen. */
  private static final class Scratch {
    FloatPointer p;
    long capacity;
    float[] heapCopy = new float[0];

    /** A heap array of at least {@code len} floats, reused. */
    float[] heap(int len) {
      if (heapCopy.length < len) {
        heapCopy = new float[Math.max(len, 2 * heapCopy.length)];
      }
      return heapCopy;
    }

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
    FloatPointer pb = slot(sb, RowSplit.worker()).load(b, bOff, transB ? span(n, k, ldb) : span(k, n, ldb));
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
    if (k == 0) {
      scale(m, n, beta, c, cOff, ldc);
      return;
    }
    if (RowSplit.threads() > 1) {
      if (!splitsProducts) {
        RowSplit.giveBlasTheThreads();
      } else {
        RowSplit.keepBlasOnCallers();
        if ((long) m * n * k >= SPLIT_MIN_MULTIPLY_ADDS && split(transA, transB, m, n, k, alpha, a, aOff, lda, pb, ldb,
            beta, c, cOff, ldc)) {
          return;
        }
      }
    }
    rows(RowSplit.worker(), transA, transB, 0, m, n, k, alpha, a, aOff, lda, pb, ldb, beta, c, cOff, ldc);
  }

  /** Splits the product into blocks on the threads; false when it has too few rows and columns for blocks. */
  private boolean split(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
      FloatPointer pb, int ldb, float beta, float[] c, int cOff, int ldc) {
    // each row block packs all of op(b) and each column block all of op(a): copy the smaller again
    boolean byRows = ROW_ALIGNMENT > 0 && m >= 2 * ROW_ALIGNMENT && (m >= n || n < 2 * COLUMN_ALIGNMENT);
    if (byRows) {
      RowSplit.runRanges(m, SPLIT_MIN_ROWS, ROW_ALIGNMENT, (w, from, to) ->
          rows(w, transA, transB, from, to, n, k, alpha, a, aOff, lda, pb, ldb, beta, c, cOff, ldc));
      return true;
    }
    if (n >= 2 * COLUMN_ALIGNMENT) {
      RowSplit.runRanges(n, COLUMN_ALIGNMENT, COLUMN_ALIGNMENT, (w, from, to) ->
          columns(w, transA, transB, m, from, to, k, alpha, a, aOff, lda, pb, ldb, beta, c, cOff, ldc));
      return true;
    }
    return false;
  }

  /** Rows {@code [from, to)} of the product: those rows of op(a) and of c. */
  private void rows(int w, boolean transA, boolean transB, int from, int to, int n, int k, float alpha, float[] a,
      int aOff, int lda, FloatPointer pb, int ldb, float beta, float[] c, int cOff, int ldc) {
    int m = to - from;
    // row i of op(a) is row i of a, or column i of a when transposed
    int aStart = transA ? aOff + from : aOff + from * lda;
    FloatPointer pa = slot(sa, w).load(a, aStart, transA ? span(k, m, lda) : span(m, k, lda));
    call(w, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, c, cOff + from * ldc, ldc);
  }

  private void columns(int w, boolean transA, boolean transB, int m, int from, int to, int k, float alpha, float[] a,
      int aOff, int lda, FloatPointer pb, int ldb, float beta, float[] c, int cOff, int ldc) {
    // column j of op(b) is column j of b, or row j of b when transposed; a view, not a copy
    FloatPointer pbj = new FloatPointer(pb).position(pb.position() + (transB ? (long) from * ldb : from));
    FloatPointer pa = slot(sa, w).load(a, aOff, transA ? span(k, m, lda) : span(m, k, lda));
    call(w, transA, transB, m, to - from, k, alpha, pa, lda, pbj, ldb, beta, c, cOff + from, ldc);
  }

  private void call(int w, boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer pa, int lda,
      FloatPointer pb, int ldb, float beta, float[] c, int cOff, int ldc) {
    Scratch s = slot(sc, w);
    if (ldc == n) {
      FloatPointer pc = beta != 0f ? s.load(c, cOff, m * n) : s.ensure((long) m * n);
      sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, n);
      pc.get(c, cOff, m * n);
      return;
    }
    // a block of a wider c: staged compact (one native copy each way, the rows moved on the heap),
    // so that nothing outside it is written
    float[] rowsOfC = s.heap(m * n);
    FloatPointer pc = s.ensure((long) m * n);
    if (beta != 0f) {
      for (int i = 0; i < m; i++) {
        System.arraycopy(c, cOff + i * ldc, rowsOfC, i * n, n);
      }
      pc.put(rowsOfC, 0, m * n);
    }
    sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, n);
    pc.get(rowsOfC, 0, m * n);
    for (int i = 0; i < m; i++) {
      System.arraycopy(rowsOfC, i * n, c, cOff + i * ldc, n);
    }
  }

  private static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer pa, int lda,
      FloatPointer pb, int ldb, float beta, FloatPointer pc, int ldc) {
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
        pa, lda, pb, ldb, beta, pc, ldc);
  }

  /**
   * The smallest row panel (among 4..64) at whose multiples a product can be cut into row blocks that
   * give the same bits as the whole product, tried on three shapes (inner dimensions below and above
   * OpenBLAS's inner blocking) each cut at one and at three panels; 0 when none does.
   */
  static int rowAlignment() {
    for (int align : new int[] {4, 8, 12, 16, 24, 32, 48, 64}) {
      if (cutsAgree(5 * align + 3, 40, 33, align) && cutsAgree(5 * align + 7, 96, 300, align)
          && cutsAgree(4 * align + 5, 24, 1030, align)) {
        return align;
      }
    }
    return 0;
  }

  private static boolean cutsAgree(int m, int n, int k, int align) {
    Rng r = new Rng(m * 31L + k);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextGaussian();
    }
    try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b);
        FloatPointer whole = new FloatPointer((long) m * n); FloatPointer cut = new FloatPointer((long) m * n)) {
      sgemm(false, false, m, n, k, 1f, pa, k, pb, n, 0f, whole, n);
      float[] w = new float[m * n];
      whole.get(w);
      for (int at : new int[] {align, 3 * align}) {
        sgemm(false, false, at, n, k, 1f, pa, k, pb, n, 0f, cut, n);
        sgemm(false, false, m - at, n, k, 1f, pa.getPointer((long) at * k), k, pb, n, 0f, cut.getPointer((long) at * n), n);
        float[] c = new float[m * n];
        cut.get(c);
        if (!java.util.Arrays.equals(w, c)) {
          return false;
        }
      }
      return true;
    }
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
    for (Scratch[] s : new Scratch[][] {sa, sb, sc}) {
      for (Scratch x : s) {
        if (x != null) {
          x.close();
        }
      }
    }
  }
}
