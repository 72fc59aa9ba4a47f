import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/** Median microseconds of cblas_sgemm (row-major, no transposes, native buffers) at the model benchmark's shapes; one line per shape. */
public class SgemmBench {
  public static void main(String[] args) {
    int[][] shapes = {
        {32, 768, 256}, {32, 256, 256}, {32, 1024, 256}, {32, 256, 1024}, {32, 1000, 256},
        {160, 768, 256}, {160, 1000, 256}, {800, 768, 256}, {800, 1024, 256}, {64, 1024, 320}, {1024, 1024, 1024}};
    int reps = Integer.parseInt(args.length > 0 ? args[0] : "200");
    System.out.println("openblas " + openblas_nolapack.class.getPackage().getImplementationVersion());
    for (int[] sh : shapes) {
      int m = sh[0], n = sh[1], k = sh[2];
      FloatPointer a = new FloatPointer((long) m * k), b = new FloatPointer((long) k * n), c = new FloatPointer((long) m * n);
      for (long i = 0; i < (long) m * k; i++) a.put(i, (float) Math.sin(i));
      for (long i = 0; i < (long) k * n; i++) b.put(i, (float) Math.cos(i));
      int r = m * n * k > 500_000_000 ? 10 : reps;
      long[] t = new long[r];
      for (int w = 0; w < 5; w++) openblas_nolapack.cblas_sgemm(101, 111, 111, m, n, k, 1f, a, k, b, n, 0f, c, n);
      for (int i = 0; i < r; i++) {
        long s = System.nanoTime();
        openblas_nolapack.cblas_sgemm(101, 111, 111, m, n, k, 1f, a, k, b, n, 0f, c, n);
        t[i] = System.nanoTime() - s;
      }
      java.util.Arrays.sort(t);
      double us = t[r / 2] / 1e3;
      System.out.printf("%dx%dx%d %.1f us %.1f GFLOP/s%n", m, n, k, us, 2.0 * m * n * k / (us * 1e3));
    }
  }
}
