package org.seqrl.agents;

import java.util.Locale;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/** What the policies compute their matrix products with, for provenance and the benchmark's lower bounds. */
public final class BlasInfo {
  private BlasInfo() {}

  /** e.g. {@code openblas 0.3.19-1.5.7 core=SKYLAKEX threads=1}; core and threads as set in the environment. */
  public static String describe() {
    String core = System.getenv("OPENBLAS_CORETYPE");
    String threads = threadsSetting();
    Package p = openblas_nolapack.class.getPackage();
    String version = p == null || p.getImplementationVersion() == null ? "0.3.19-1.5.7" : p.getImplementationVersion();
    return String.format(Locale.ROOT, "openblas %s core=%s threads=%s", version,
        core == null || core.isBlank() ? "auto" : core, threads == null ? "all" : threads);
  }

  /**
   * OpenBLAS's thread count as the environment sets it: {@code OPENBLAS_NUM_THREADS}, else
   * {@code OMP_NUM_THREADS} (a blank one counts as unset, as OpenBLAS reads it); null when neither is set.
   */
  static String threadsSetting() {
    for (String name : new String[] {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}) {
      String v = System.getenv(name);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  /**
   * Median float32 rate in GFLOP/s of an {@code n x n x n} sgemm on native buffers (no staging copies), split
   * over the threads as {@link Blas} splits its products: the bound's rate.
   */
  public static double sgemmGflops(int n, int reps) {
    long size = (long) n * n;
    try (FloatPointer a = new FloatPointer(size); FloatPointer b = new FloatPointer(size); FloatPointer c = new FloatPointer(size)) {
      Rng r = new Rng(1);
      float[] row = new float[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          row[j] = (float) r.nextDouble();
        }
        a.position((long) i * n).put(row, 0, n);
        b.position((long) i * n).put(row, 0, n);
      }
      a.position(0);
      b.position(0);
      double[] t = new double[reps];
      for (int i = -2; i < reps; i++) {
        long t0 = System.nanoTime();
        // split over the threads as Blas splits a product, OpenBLAS itself on one thread
        if (Blas.ROW_ALIGNMENT > 0) {
          RowSplit.keepBlasOnCallers();
        }
        RowSplit.runRanges(n, Blas.SPLIT_MIN_ROWS, Blas.ROW_ALIGNMENT > 0 ? Blas.ROW_ALIGNMENT : n, (w, from, to) -> openblas_nolapack.cblas_sgemm(101, 111, 111,
            to - from, n, n, 1f, a.getPointer((long) from * n), n, b, n, 0f, c.getPointer((long) from * n), n));
        if (i >= 0) {
          t[i] = (System.nanoTime() - t0) / 1e9;
        }
      }
      java.util.Arrays.sort(t);
      return 2.0 * n * n * n / t[reps / 2] / 1e9;
    }
  }
}
