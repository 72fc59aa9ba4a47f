package org.seqrl.agents;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Named float32 parameters with their gradients and Adam moments, in a fixed order (the checkpoint
 * order). The heap arrays are the truth; a native mirror of all values, which matrix products read
 * without copying, is refreshed by {@link #syncMirror} after anything changed them.
 */
final class Params implements AutoCloseable {
  /** One parameter matrix, row-major {@code rows x cols}. */
  static final class Param {
    final String name;
    final int rows;
    final int cols;
    final float[] value;
    final float[] grad;
    final float[] m;
    final float[] v;
    /** The exponential moving average of {@link #value}, or null while averaging is off ({@link #updateAverage}). */
    float[] average;
    private long mirrorOffset;
    private FloatPointer mirror;

    private Param(String name, int rows, int cols) {
      this.name = name;
      this.rows = rows;
      this.cols = cols;
      int n = rows * cols;
      this.value = new float[n];
      this.grad = new float[n];
      this.m = new float[n];
      this.v = new float[n];
    }

    int size() {
      return value.length;
    }

    /** The native copy of this parameter from element {@code offset} on. */
    FloatPointer nativeAt(int offset) {
      return mirror.getPointer(mirrorOffset + offset);
    }
  }

  /** Elements of a parameter a thread updates at least in an Adam step. */
  private static final int ADAM_ELEMENTS_PER_THREAD = 16_384;

  private final Map<String, Param> byName = new LinkedHashMap<>();
  private FloatPointer mirror;
  private boolean mirrorStale = true;
  private long version;
  /** Whether {@link #swapAverage} has put the averages into the values (and the values into the averages). */
  private boolean averageInValues;

  Param add(String name, int rows, int cols, Rng rng, double scale, boolean gaussian) {
    if (mirror != null) {
      throw new IllegalStateException("parameters are fixed once the native mirror exists");
    }
    Param p = new Param(name, rows, cols);
    for (int i = 0; i < p.value.length; i++) {
      p.value[i] = (float) (gaussian ? rng.nextGaussian() * scale : (2 * rng.nextDouble() - 1) * scale);
    }
    byName.put(name, p);
    return p;
  }

  Param get(String name) {
    Param p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter '" + name + "'; parameters: " + byName.keySet());
    }
    return p;
  }

  boolean has(String name) {
    return byName.containsKey(name);
  }

  List<String> names() {
    return new ArrayList<>(byName.keySet());
  }

  Collection<Param> all() {
    return byName.values();
  }

  /** Values were written from outside (restore, a test): the mirror must be refreshed before use. */
  void markChanged() {
    mirrorStale = true;
    version++;
  }

  /** Changes whenever the values may have changed (optimizer steps, restores, {@link #markChanged}). */
  long version() {
    return version;
  }

  /** Copies the values into the native mirror if they changed since the last copy. */
  void syncMirror() {
    if (mirror == null) {
      long total = 0;
      for (Param p : byName.values()) {
        p.mirrorOffset = total;
        total += p.size();
      }
      mirror = new FloatPointer(Math.max(1, total));
      for (Param p : byName.values()) {
        p.mirror = mirror;
      }
    }
    if (mirrorStale) {
      for (Param p : byName.values()) {
        mirror.getPointer(p.mirrorOffset).put(p.value, 0, p.size());
      }
      mirrorStale = false;
    }
  }

  void zeroGrad() {
    for (Param p : byName.values()) {
      java.util.Arrays.fill(p.grad, 0f);
    }
  }

  /** Multiplies every gradient by {@code f} (one part of a weighted sum of losses). */
  void scaleGrad(double f) {
    float ff = (float) f;
    for (Param p : byName.values()) {
      float[] g = p.grad;
      for (int i = 0; i < g.length; i++) {
        g[i] *= ff;
      }
    }
  }

  double gradNorm() {
    double s = 0;
    for (Param p : byName.values()) {
      s += sumOfSquares(p.grad);
    }
    return Math.sqrt(s);
  }

  /** Four partial sums so that the loop is not one long dependency chain; summed in double. */
  private static double sumOfSquares(float[] g) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < g.length; i += 4) {
      s0 += g[i] * g[i];
      s1 += g[i + 1] * g[i + 1];
      s2 += g[i + 2] * g[i + 2];
      s3 += g[i + 3] * g[i + 3];
    }
    for (; i < g.length; i++) {
      s0 += g[i] * g[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * One Adam step (beta1 0.9, beta2 0.999, eps 1e-8, bias correction folded into the step size)
   * at step number {@code t >= 1}, with the gradient scaled by {@code scale} (clipping).
   */
  void adam(double lr, long t, double scale) {
    double b1 = 0.9;
    double b2 = 0.999;
    float stepSize = (float) (lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t)));
    float s = (float) scale;
    float fb1 = (float) b1;
    float fb2 = (float) b2;
    float eps = 1e-8f;
    for (Param p : byName.values()) {
      float[] w = p.value;
      float[] g = p.grad;
      float[] m = p.m;
      float[] v = p.v;
      // element ranges on the threads; one store per loop, so that each vectorises
      RowSplit.run(w.length, ADAM_ELEMENTS_PER_THREAD, (from, to) -> {
        for (int i = from; i < to; i++) {
          m[i] = fb1 * m[i] + (1 - fb1) * (g[i] * s);
        }
        for (int i = from; i < to; i++) {
          v[i] = fb2 * v[i] + (1 - fb2) * (g[i] * s) * (g[i] * s);
        }
        for (int i = from; i < to; i++) {
          w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) + eps);
        }
      });
    }
    markChanged();
  }

  /**
   * One step of the exponential moving average of the values (Polyak averaging):
   * {@code average = decay * average + (1 - decay) * value}; the first call starts it at the values.
   */
  void updateAverage(double decay) {
    if (averageInValues) {
      throw new IllegalStateException("the average is swapped into the values; swap it back before training");
    }
    float d = (float) decay;
    for (Param p : byName.values()) {
      if (p.average == null) {
        p.average = p.value.clone();
        continue;
      }
      float[] a = p.average;
      float[] w = p.value;
      for (int i = 0; i < a.length; i++) {
        a[i] = d * a[i] + (1 - d) * w[i];
      }
    }
  }

  boolean hasAverage() {
    return !byName.isEmpty() && byName.values().iterator().next().average != null;
  }

  /** Whether the values are the averages now (between two {@link #swapAverage} calls). */
  boolean averageInValues() {
    return averageInValues;
  }

  /** Exchanges the values and their averages; a second call restores both. */
  void swapAverage() {
    if (!hasAverage()) {
      throw new IllegalStateException("no average to swap in: nothing was averaged");
    }
    for (Param p : byName.values()) {
      float[] a = p.average;
      float[] w = p.value;
      for (int i = 0; i < a.length; i++) {
        float t = w[i];
        w[i] = a[i];
        a[i] = t;
      }
    }
    averageInValues = !averageInValues;
    markChanged();
  }

  /** Makes the averages the values for good and stops averaging (the model that goes on is the averaged one). */
  void adoptAverage() {
    if (!averageInValues) {
      swapAverage();
    }
    dropAverage();
  }

  /** Forgets the averages (the values stay as they are). */
  void dropAverage() {
    for (Param p : byName.values()) {
      p.average = null;
    }
    averageInValues = false;
  }

  @Override
  public void close() {
    if (mirror != null) {
      mirror.close();
      mirror = null;
    }
  }
}
