package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/**
 * What a transformer adds to a token's embedding at position t: fixed sinusoids (Vaswani et al.:
 * {@code sin(t / 10000^(2i/D))} in even columns, {@code cos} in odd ones; no parameters, any
 * length) or a learned table of {@link #LEARNED} rows.
 */
final class Positions {
  /** Rows of a learned table: positions past it are an error. */
  static final int LEARNED = 512;

  /** Null for sinusoids. */
  private final Param table;
  private final int d;
  private float[] sinusoids = new float[0];

  /** With {@code learned}, adds {@code prefix.pos} [LEARNED, D]. */
  Positions(Params params, String prefix, int width, boolean learned, Rng init) {
    this.d = width;
    this.table = learned ? params.add(prefix + ".pos", LEARNED, width, init, 0.1, true) : null;
  }

  /** {@code x[off..off+D) += position t}. */
  void add(int t, float[] x, int off) {
    if (table != null) {
      if (t >= LEARNED) {
        throw new IllegalArgumentException("position " + t + " is past the learned position table (" + LEARNED
            + " positions); use model.transformer.positions: sinusoidal or shorter sequences");
      }
      Mat.axpy(1f, table.value, t * d, x, off, d);
    } else {
      ensure(t + 1);
      Mat.axpy(1f, sinusoids, t * d, x, off, d);
    }
  }

  /** Backward of {@link #add}: the learned row's gradient (sinusoids have none). */
  void backward(int t, float[] dx, int off) {
    if (table != null) {
      Mat.axpy(1f, dx, off, table.grad, t * d, d);
    }
  }

  private void ensure(int n) {
    if (sinusoids.length >= n * d) {
      return;
    }
    sinusoids = sinusoids(Math.max(n, 2 * sinusoids.length / Math.max(1, d)), d);
  }

  /** The sinusoid table [rows, d] (also the SameDiff transformer's positions, value for value). */
  static float[] sinusoids(int rows, int d) {
    float[] s = new float[rows * d];
    for (int t = 0; t < rows; t++) {
      for (int i = 0; i < d; i += 2) {
        double angle = t / Math.pow(10000, (double) i / d);
        s[t * d + i] = (float) Math.sin(angle);
        if (i + 1 < d) {
          s[t * d + i + 1] = (float) Math.cos(angle);
        }
      }
    }
    return s;
  }
}
