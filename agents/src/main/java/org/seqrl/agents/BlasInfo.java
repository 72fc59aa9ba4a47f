package org.seqrl.agents;

import java.util.Locale;

/** What the policies compute their matrix products with, for provenance and the benchmark's lower bounds. */
public final class BlasInfo {
  private BlasInfo() {}

  /** e.g. {@code openblas 0.3.19-1.5.7 core=SKYLAKEX threads=1}; core and threads as set in the environment. */
  public static String describe() {
    String core = System.getenv("OPENBLAS_CORETYPE");
    String threads = System.getenv("OPENBLAS_NUM_THREADS");
    if (threads == null) {
      threads = System.getenv("OMP_NUM_THREADS");
    }
    Package p = org.bytedeco.openblas.global.openblas_nolapack.class.getPackage();
    String version = p == null || p.getImplementationVersion() == null ? "0.3.19-1.5.7" : p.getImplementationVersion();
    return String.format(Locale.ROOT, "openblas %s core=%s threads=%s", version,
        core == null || core.isBlank() ? "auto" : core, threads == null ? "all" : threads);
  }

  /** Median float32 rate in GFLOP/s of an {@code n x n x n} product through the same path the policies use. */
  public static double sgemmGflops(int n, int reps) {
    float[] a = new float[n * n];
    float[] b = new float[n * n];
    float[] c = new float[n * n];
    Rng r = new Rng(1);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextDouble();
      b[i] = (float) r.nextDouble();
    }
    try (Blas blas = new Blas()) {
      double[] t = new double[reps];
      for (int i = -2; i < reps; i++) {
        long t0 = System.nanoTime();
        blas.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        if (i >= 0) {
          t[i] = (System.nanoTime() - t0) / 1e9;
        }
      }
      java.util.Arrays.sort(t);
      return 2.0 * n * n * n / t[reps / 2] / 1e9;
    }
  }
}
