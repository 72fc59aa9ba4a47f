package org.seqrl.agents;

import java.util.Arrays;

/**
 * JZS1, the paper's MUT1: z = σ(x W_xz + b_z); r = σ(x W_xr + h W_hr + b_r);
 * h' = tanh((r ⊙ h) W_hh + tanh(x P) + b_h) ⊙ z + h ⊙ (1 - z). The paper's tanh(x) needs x as wide
 * as h: P is {@link GatedCell#rawProjection} (the identity when it is). Wx holds z's and r's
 * blocks; Wh holds W_hr, W_hh (z has no recurrent term).
 */
final class Jzs1Cell extends JzsCell {
  Jzs1Cell(Params params, String prefix, int in, int hidden, Rng init) {
    super(params, prefix, in, hidden, N, false, init);
  }

  /** b_h is added outside tanh(x P), in {@link Jzs1Run#candidateInput}. */
  @Override
  float[] inputBias(int g) {
    return g == N ? new float[hidden] : super.inputBias(g);
  }

  @Override
  public CellRun run(int steps, int batch, int[] lengths, float[][] pre) {
    return new Jzs1Run(steps, batch, lengths, pre);
  }

  private final class Jzs1Run extends JzsRun {
    /** tanh(x P) per position. */
    private final float[] tx;
    private final float[] bhn;
    /** Gradient of n's pre-activation; dGate[N] is that of x P. */
    private float[] dn;

    Jzs1Run(int steps, int batch, int[] lengths, float[][] pre) {
      super(steps, batch, lengths, pre);
      tx = new float[steps * n];
      bhn = Arrays.copyOfRange(b.value, N * hidden, (N + 1) * hidden);
    }

    @Override
    void candidateInput(int o) {
      float[] a = gate[N];
      System.arraycopy(a, o, tx, o, n);
      Activations.tanh(tx, o, o + n);
      fillRows(a, o, batch, bhn);
      for (int k = o; k < o + n; k++) {
        a[k] += tx[k];
      }
    }

    @Override
    float[] dHiddenSide(int g) {
      return g == N ? dn : dGate[g];
    }

    @Override
    void allocateBackward(int size) {
      dn = new float[size];
    }

    @Override
    void gatesBackward(int o) {
      super.gatesBackward(o);
      float[] dx = dGate[N];
      int end = o + n;
      for (int k = o; k < end; k++) {
        dx[k] = dn[k] * (1f - tx[k] * tx[k]);
      }
    }
  }
}
