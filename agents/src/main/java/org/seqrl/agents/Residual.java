package org.seqrl.agents;

/**
 * A residual connection around one transformer sublayer {@code f}, with its layer norm placed
 * before (pre-norm: {@code out = x + drop(f(LN(x)))}) or after (post-norm, the original
 * transformer: {@code out = LN(x + drop(f(x)))}), and inverted dropout on {@code f}'s output while
 * training. The sublayer itself runs between {@link #enter} and {@link #exit}.
 */
final class Residual {
  private final LayerNorm norm;
  private final boolean pre;
  private final double dropout;
  private final int d;

  Residual(Params params, String prefix, int width, boolean pre, double dropout, Rng init) {
    this.norm = new LayerNorm(params, prefix, width, init);
    this.pre = pre;
    this.dropout = dropout;
    this.d = width;
  }

  /** What one sublayer keeps for its backward, for a fixed number of rows. */
  final class Trace {
    /** What f reads [rows, D]. */
    final float[] in;
    final float[] xhat;
    final float[] rstd;
    /** Dropout mask (scaled), or null without dropout. */
    final float[] mask;

    Trace(int rows, boolean training) {
      in = new float[rows * d];
      xhat = new float[rows * d];
      rstd = new float[rows];
      mask = training && dropout > 0 ? new float[rows * d] : null;
    }
  }

  Trace trace(int rows, boolean training) {
    return new Trace(rows, training);
  }

  /** Writes what f reads for rows {@code [row0, row0 + n)} of {@code x} into the same rows of {@code t.in}. */
  void enter(Trace t, float[] x, int row0, int n) {
    int o = row0 * d;
    if (pre) {
      norm.forward(x, o, n, t.in, o, t.xhat, o, t.rstd, row0);
    } else {
      System.arraycopy(x, o, t.in, o, n * d);
    }
  }

  /** {@code out = x + drop(s)}, then layer norm when post-norm; rows {@code [row0, row0 + n)} of all three. */
  void exit(Trace t, float[] x, float[] s, float[] out, int row0, int n, Rng rng) {
    int o = row0 * d;
    int len = n * d;
    if (t.mask != null) {
      float keep = (float) (1 - dropout);
      for (int i = o; i < o + len; i++) {
        t.mask[i] = rng.nextDouble() < keep ? 1f / keep : 0f;
      }
      for (int i = o; i < o + len; i++) {
        out[i] = x[i] + s[i] * t.mask[i];
      }
    } else {
      for (int i = o; i < o + len; i++) {
        out[i] = x[i] + s[i];
      }
    }
    if (!pre) {
      norm.forward(out, o, n, out, o, t.xhat, o, t.rstd, row0);
    }
  }

  /** Backward of {@link #exit} over rows {@code [0, n)}: writes the gradient of f's output into {@code dS} and adds the residual path's into {@code dX}. */
  void exitBackward(Trace t, float[] dOut, float[] dS, float[] dX, int n) {
    int len = n * d;
    float[] dSum = dOut;
    if (!pre) {
      dSum = new float[len];
      norm.backward(dOut, 0, n, t.xhat, 0, t.rstd, 0, dSum, 0);
    }
    for (int i = 0; i < len; i++) {
      dX[i] += dSum[i];
    }
    if (t.mask != null) {
      for (int i = 0; i < len; i++) {
        dS[i] = dSum[i] * t.mask[i];
      }
    } else {
      System.arraycopy(dSum, 0, dS, 0, len);
    }
  }

  /** Backward of {@link #enter}: adds the gradient of x from the gradient of what f read. */
  void enterBackward(Trace t, float[] dIn, float[] dX, int n) {
    if (pre) {
      norm.backward(dIn, 0, n, t.xhat, 0, t.rstd, 0, dX, 0);
    } else {
      Mat.axpy(1f, dIn, 0, dX, 0, n * d);
    }
  }
}
