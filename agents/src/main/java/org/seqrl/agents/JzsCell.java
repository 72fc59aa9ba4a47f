package org.seqrl.agents;

/**
 * What the three GRU mutants of Jozefowicz, Zaremba &amp; Sutskever (2015, "An Empirical Exploration
 * of Recurrent Network Architectures") share: gates z, r, n (in that order), the reset applied
 * <em>before</em> the recurrent product of the candidate, and the paper's interpolation
 * <pre>
 *   r  = σ(a_r + h W_hr + b_r)            (JZS2: a_r = x P, the raw input)
 *   n  = tanh(a_n + (r ⊙ h) W_hh + b_h)   (JZS1: a_n = tanh(x P), b_h outside it)
 *   h' = n ⊙ z + h ⊙ (1 - z)
 * </pre>
 * with z's recurrent term (none, {@code h W_hz}, {@code tanh(h) W_hz}) left to each mutant. State (h).
 * The products on {@code r ⊙ h} and {@code tanh(h)} are ordered by {@link Run#recurrentForward}.
 */
abstract class JzsCell extends GatedCell {
  static final int Z = 0;
  static final int R = 1;
  static final int N = 2;
  /** Wh blocks of r's and n's recurrent products. */
  final int whR;
  final int whN;

  /** {@code zRecurrent}: whether z has a block in Wh (its first). */
  JzsCell(Params params, String prefix, int in, int hidden, int rawGate, boolean zRecurrent, Rng init) {
    super(params, prefix, in, hidden, 3, rawGate, zRecurrent ? 3 : 2, init);
    this.whR = zRecurrent ? 1 : 0;
    this.whN = whR + 1;
  }

  @Override
  public int stateArrays() {
    return 1;
  }

  abstract class JzsRun extends Run {
    /** r ⊙ h per position (what W_hh multiplies). */
    final float[] rh;
    /** One position's gradient of r ⊙ h. */
    private final float[] dRh;

    JzsRun(int steps, int batch, int[] lengths, float[][] pre) {
      super(steps, batch, 1, lengths, pre);
      rh = new float[steps * n];
      dRh = new float[n];
    }

    /** z's recurrent product at position offset o, into gate[Z] (none by default). */
    void zForward(Blas blas, int o) {}

    /** Its backward: adds into dH the gradient through it, from dGate[Z]. */
    void zBackward(Blas blas, int o, float[] dH) {}

    /** Its weight gradient over the run. */
    void zAccumulate(Blas blas) {}

    /** Turns gate[N]'s input side into what joins (r ⊙ h) W_hh (as it stands by default). */
    void candidateInput(int o) {}

    @Override
    final void recurrentForward(Blas blas, int o) {
      int hd = hidden;
      float[] r = gate[R];
      float[] hp = hPrev;
      zForward(blas, o);
      blas.gemm(false, false, batch, hd, hd, 1f, hp, o, hd, wh, whR * hd, 1f, r, o, hd);
      int end = o + n;
      Activations.sigmoid(r, o, end);
      for (int k = o; k < end; k++) {
        rh[k] = r[k] * hp[k];
      }
      candidateInput(o);
      blas.gemm(false, false, batch, hd, hd, 1f, rh, o, hd, wh, whN * hd, 1f, gate[N], o, hd);
    }

    @Override
    final void gatesForward(int o) {
      float[] z = gate[Z];
      float[] nn = gate[N];
      float[] hp = hPrev;
      float[] ho = hOut;
      int end = o + n;
      Activations.sigmoid(z, o, end);
      Activations.tanh(nn, o, end);
      for (int k = o; k < end; k++) {
        ho[k] = (nn[k] - hp[k]) * z[k] + hp[k];
      }
    }

    /** Fills dHiddenSide(N) (the gradient of n's pre-activation), dGate[Z], and leaves dH's direct path. */
    @Override
    void gatesBackward(int o) {
      float[] z = gate[Z];
      float[] nn = gate[N];
      float[] dn = dHiddenSide(N);
      float[] dz = dGate[Z];
      float[] dH = dOut[0];
      float[] hp = hPrev;
      int end = o + n;
      for (int k = o; k < end; k++) {
        dn[k] = dH[k] * z[k] * (1f - nn[k] * nn[k]);
      }
      for (int k = o; k < end; k++) {
        dz[k] = dH[k] * (nn[k] - hp[k]) * (z[k] * (1f - z[k]));
      }
      for (int k = o; k < end; k++) {
        dH[k] = dH[k] - dH[k] * z[k];
      }
    }

    @Override
    final void recurrentBackward(Blas blas, int o, float[] dH) {
      int hd = hidden;
      float[] r = gate[R];
      float[] dr = dGate[R];
      float[] hp = hPrev;
      float[] d = dRh;
      blas.gemm(false, true, batch, hd, hd, 1f, dHiddenSide(N), o, hd, wh, whN * hd, 0f, d, 0, hd);
      for (int k = 0; k < n; k++) {
        dr[o + k] = d[k] * hp[o + k] * (r[o + k] * (1f - r[o + k]));
      }
      for (int k = 0; k < n; k++) {
        dH[k] += d[k] * r[o + k];
      }
      blas.gemm(false, true, batch, hd, hd, 1f, dr, o, hd, wh, whR * hd, 1f, dH, 0, hd);
      zBackward(blas, o, dH);
    }

    @Override
    final void accumulateRecurrent(Blas blas) {
      int rows = steps * batch;
      int hd = hidden;
      float[] ones = ones(rows);
      for (int g = 0; g < 3; g++) {
        blas.gemm(false, false, 1, hd, rows, 1f, ones, 0, rows, dHiddenSide(g), 0, hd, 1f, b.grad, g * hd, hd);
      }
      blas.gemm(true, false, hd, hd, rows, 1f, hPrev, 0, hd, dGate[R], 0, hd, 1f, wh.grad, whR * hd, recurrentWidth());
      blas.gemm(true, false, hd, hd, rows, 1f, rh, 0, hd, dHiddenSide(N), 0, hd, 1f, wh.grad, whN * hd, recurrentWidth());
      zAccumulate(blas);
    }
  }
}
