/**
 * Nanoseconds per element of FeedForward's GELU loops, fused as they were and split as they are now
 * (BENCHMARKS.md, "The transformer's GELU, vectorised"): 160 x 1024 floats, 300 calls per timing, six
 * rounds. tanh has the shape and operation count of Activations.tanh (a clamped rational fit), not its
 * coefficients. Run: java benchmarks/loops/GeluBench.java
 */
public class GeluBench {
  static final float CLAMP = 9f;
  static final float P0 = 1f, P1 = 0.1f, P2 = 0.01f, P3 = 0.001f, P4 = 1e-4f, P5 = 1e-5f, P6 = 1e-6f, Q1 = 0.4f, Q2 = 0.02f, Q3 = 0.0002f;
  static final float C = (float) Math.sqrt(2 / Math.PI), A = 0.044715f;
  static float tanh(float x) {
    float c = Math.max(-CLAMP, Math.min(CLAMP, x));
    float s = c * c;
    float p = ((((((P6 * s + P5) * s + P4) * s + P3) * s + P2) * s + P1) * s + P0) * c;
    float q = ((Q3 * s + Q2) * s + Q1) * s + 1f;
    return Math.max(-1f, Math.min(1f, p / q));
  }
  static void fused(float[] u, float[] h, float[] bias, int rows, int hidden) {
    for (int i = 0; i < rows; i++) {
      int o = i * hidden;
      for (int j = 0; j < hidden; j++) {
        float x = u[o + j] + bias[j];
        u[o + j] = x;
        h[o + j] = 0.5f * x * (1f + tanh(C * (x + A * x * x * x)));
      }
    }
  }
  static void split(float[] u, float[] h, float[] bias, int rows, int hidden) {
    for (int i = 0; i < rows; i++) {
      int o = i * hidden;
      for (int j = 0; j < hidden; j++) {
        u[o + j] += bias[j];
      }
      for (int k = o; k < o + hidden; k++) {
        float x = u[k];
        h[k] = 0.5f * x * (1f + tanh(C * (x + A * x * x * x)));
      }
    }
  }
  static void back(float[] u, float[] dh) {
    for (int i = 0; i < dh.length; i++) {
      float x = u[i];
      float t = tanh(C * (x + A * x * x * x));
      dh[i] *= 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * C * (1f + 3f * A * x * x);
    }
  }
  static void back2(float[] u, float[] dh) {
    for (int i = 0; i < dh.length; i++) {
      float x = u[i];
      float t = tanh(C * (x + A * x * x * x));
      float g = 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * C * (1f + 3f * A * x * x);
      dh[i] = dh[i] * g;
    }
  }
  static float[] tbuf = new float[160 * 1024];
  static void back3(float[] u, float[] dh) {
    float[] t = tbuf;
    for (int i = 0; i < dh.length; i++) {
      float x = u[i];
      t[i] = tanh(C * (x + A * x * x * x));
    }
    for (int i = 0; i < dh.length; i++) {
      float x = u[i];
      float ti = t[i];
      dh[i] *= 0.5f * (1f + ti) + 0.5f * x * (1f - ti * ti) * C * (1f + 3f * A * x * x);
    }
  }
  public static void main(String[] a) {
    int rows = 160, hidden = 1024;
    float[] u = new float[rows * hidden], h = new float[rows * hidden], bias = new float[hidden];
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < u.length; i++) u[i] = (float) r.nextGaussian();
    for (int round = 0; round < 6; round++) {
      for (String v : new String[] {"fused", "split", "back", "back3"}) {
        long t0 = System.nanoTime();
        for (int it = 0; it < 300; it++) {
          switch (v) { case "fused" -> { System.arraycopy(u, 0, h, 0, h.length); fused(u, h, bias, rows, hidden); } case "split" -> { System.arraycopy(u, 0, h, 0, h.length); split(u, h, bias, rows, hidden); } case "back" -> { System.arraycopy(u, 0, h, 0, h.length); back(u, h); } default -> { System.arraycopy(u, 0, h, 0, h.length); back3(u, h); } }
        }
        double ns = (System.nanoTime() - t0) / 300.0 / u.length;
        System.out.printf("round %d %s %.3f ns/element%n", round, v, ns);
      }
    }
  }
}
