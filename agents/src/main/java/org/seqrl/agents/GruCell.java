package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Params.Param;

/**
 * GRU with the reset applied after the hidden product (as cuDNN): r, z = sigmoid(a + h Wh + bh);
 * n = tanh(a_n + r (h Wh_n + bh_n)); h' = (1 - z) n + z h. Gates r, z, n; state (h).
 */
final class GruCell extends GatedCell {
  /** The hidden-side bias; for r and z it enters like the input bias. */
  final Param bh;

  GruCell(Params params, String prefix, int in, int hidden, Rng init) {
    super(params, prefix, in, hidden, 3, init);
    this.bh = params.add(prefix + ".bh", 1, 3 * hidden, init, 0, false);
  }

  @Override
  public int stateArrays() {
    return 1;
  }

  @Override
  float[] inputBias(int g) {
    float[] bias = super.inputBias(g);
    if (g < 2) {
      for (int j = 0; j < hidden; j++) {
        bias[j] += bh.value[g * hidden + j];
      }
    }
    return bias;
  }

  @Override
  public CellRun run(int steps, int batch, int[] lengths, float[][] pre) {
    return new GruRun(steps, batch, lengths, pre);
  }

  private final class GruRun extends Run {
    /** The hidden side of n's pre-activation, h Wh_n + bh_n. */
    final float[] hn;
    private final float[] bhn;
    private float[] dHn;

    GruRun(int steps, int batch, int[] lengths, float[][] pre) {
      super(steps, batch, 1, lengths, pre);
      hn = new float[steps * n];
      bhn = Arrays.copyOfRange(bh.value, 2 * hidden, 3 * hidden);
    }

    @Override
    float[] hiddenSide(int g) {
      return g == 2 ? hn : gate[g];
    }

    @Override
    float[] dHiddenSide(int g) {
      return g == 2 ? dHn : dGate[g];
    }

    @Override
    void beforeRecurrent(int o) {
      fillRows(hn, o, batch, bhn);
    }

    @Override
    void gatesForward(int o) {
      float[] r = gate[0];
      float[] z = gate[1];
      float[] nn = gate[2];
      float[] hp = hPrev;
      float[] ho = hOut;
      int end = o + n;
      Activations.sigmoid(r, o, end);
      Activations.sigmoid(z, o, end);
      for (int k = o; k < end; k++) {
        nn[k] = Activations.tanh(nn[k] + r[k] * hn[k]);
      }
      for (int k = o; k < end; k++) {
        ho[k] = (hp[k] - nn[k]) * z[k] + nn[k];
      }
    }

    @Override
    void allocateBackward(int size) {
      dHn = new float[size];
    }

    @Override
    void gatesBackward(int o) {
      float[] r = gate[0];
      float[] z = gate[1];
      float[] nn = gate[2];
      float[] dr = dGate[0];
      float[] dz = dGate[1];
      float[] dn = dGate[2];
      float[] dH = dOut[0];
      float[] hp = hPrev;
      int end = o + n;
      for (int k = o; k < end; k++) {
        dn[k] = (dH[k] - dH[k] * z[k]) * (1f - nn[k] * nn[k]);
      }
      for (int k = o; k < end; k++) {
        dr[k] = dn[k] * hn[k] * (r[k] * (1f - r[k]));
      }
      for (int k = o; k < end; k++) {
        dz[k] = dH[k] * (hp[k] - nn[k]) * (z[k] * (1f - z[k]));
      }
      for (int k = o; k < end; k++) {
        dHn[k] = dn[k] * r[k];
      }
      for (int k = o; k < end; k++) {
        dH[k] = dH[k] * z[k];
      }
    }

    @Override
    void accumulateRecurrent(Blas blas) {
      super.accumulateRecurrent(blas);
      int rows = steps * batch;
      float[] ones = ones(rows);
      for (int g = 0; g < 3; g++) {
        blas.gemm(false, false, 1, hidden, rows, 1f, ones, 0, rows, dHiddenSide(g), 0, hidden, 1f, bh.grad, g * hidden, hidden);
      }
    }
  }
}
