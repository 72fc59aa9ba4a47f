package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Seq2SeqConfig.Init;
import org.seqrl.agents.Params.Param;

/**
 * LSTM with peepholes ({@code lstm-peephole}; Gers &amp; Schmidhuber 2000): the gates see the cell
 * state through diagonal weights p, i and f the previous one, o the new one:
 * i = σ(a_i + p_i c), f = σ(a_f + p_f c), g = tanh(a_g), c' = f c + i g, o = σ(a_o + p_o c'),
 * h' = o tanh(c'). Gates i, f, o, g as in {@link LstmCell}; state (h, c); forget-gate bias 1.
 */
final class PeepholeLstmCell extends GatedCell {
  /** Peephole weights [p_i, p_f, p_o], 1 x 3H. */
  final Param peep;

  PeepholeLstmCell(Params params, String prefix, int in, int hidden, Rng init) {
    super(params, prefix, in, hidden, 4, init);
    peep = params.add(prefix + ".peep", 1, 3 * hidden, init, 1 / Math.sqrt(hidden), false);
  }

  @Override
  public int stateArrays() {
    return 2;
  }

  /** The forget-gate bias starts at {@code model.forget_bias} (1 by default), so that a fresh cell remembers. */
  @Override
  public void initialise(Init spec, Rng init) {
    super.initialise(spec, init);
    Arrays.fill(b.value, hidden, 2 * hidden, (float) spec.forgetBias());
  }

  @Override
  public CellRun run(int steps, int batch, int[] lengths, float[][] pre) {
    return new PeepholeRun(steps, batch, lengths, pre);
  }

  private final class PeepholeRun extends Run {
    /** tanh(c'). */
    final float[] tc;
    /** p_i, p_f, p_o tiled over the batch [B*H] (one position), so that the gate loops need no row loop. */
    private final float[][] pTile = new float[3][];

    PeepholeRun(int steps, int batch, int[] lengths, float[][] pre) {
      super(steps, batch, 2, lengths, pre);
      tc = new float[steps * n];
      for (int q = 0; q < 3; q++) {
        pTile[q] = new float[n];
        for (int i = 0; i < batch; i++) {
          System.arraycopy(peep.value, q * hidden, pTile[q], i * hidden, hidden);
        }
      }
    }

    @Override
    void gatesForward(int o) {
      float[] ig = gate[0];
      float[] fg = gate[1];
      float[] og = gate[2];
      float[] gg = gate[3];
      float[] cPrev = prev[1];
      float[] cOut = out[1];
      float[] ho = hOut;
      float[] pi = pTile[0];
      float[] pf = pTile[1];
      float[] po = pTile[2];
      int end = o + n;
      for (int k = o; k < end; k++) {
        ig[k] += pi[k - o] * cPrev[k];
      }
      for (int k = o; k < end; k++) {
        fg[k] += pf[k - o] * cPrev[k];
      }
      Activations.sigmoid(ig, o, end);
      Activations.sigmoid(fg, o, end);
      Activations.tanh(gg, o, end);
      for (int k = o; k < end; k++) {
        cOut[k] = cPrev[k] * fg[k] + ig[k] * gg[k];
      }
      for (int k = o; k < end; k++) {
        og[k] += po[k - o] * cOut[k];
      }
      Activations.sigmoid(og, o, end);
      System.arraycopy(cOut, o, tc, o, n);
      Activations.tanh(tc, o, end);
      for (int k = o; k < end; k++) {
        ho[k] = tc[k] * og[k];
      }
    }

    @Override
    void gatesBackward(int o) {
      float[] ig = gate[0];
      float[] fg = gate[1];
      float[] og = gate[2];
      float[] gg = gate[3];
      float[] cPrev = prev[1];
      float[] dH = dOut[0];
      float[] dC = dOut[1];
      float[] pi = pTile[0];
      float[] pf = pTile[1];
      float[] po = pTile[2];
      int end = o + n;
      float[] dO = dGate[2];
      for (int k = o; k < end; k++) {
        dO[k] = dH[k] * tc[k] * (og[k] * (1f - og[k]));
      }
      for (int k = o; k < end; k++) {
        dC[k] = dH[k] * og[k] * (1f - tc[k] * tc[k]) + dC[k] + dO[k] * po[k - o];
      }
      float[] di = dGate[0];
      for (int k = o; k < end; k++) {
        di[k] = dC[k] * gg[k] * (ig[k] * (1f - ig[k]));
      }
      float[] df = dGate[1];
      for (int k = o; k < end; k++) {
        df[k] = dC[k] * cPrev[k] * (fg[k] * (1f - fg[k]));
      }
      float[] dg = dGate[3];
      for (int k = o; k < end; k++) {
        dg[k] = dC[k] * ig[k] * (1f - gg[k] * gg[k]);
      }
      for (int k = o; k < end; k++) {
        dC[k] = dC[k] * fg[k] + di[k] * pi[k - o] + df[k] * pf[k - o];
      }
      Arrays.fill(dH, o, end, 0f); // h reaches the previous state only through Wh
    }

    @Override
    void accumulateRecurrent(Blas blas) {
      super.accumulateRecurrent(blas);
      int rows = steps * batch;
      int size = rows * hidden;
      float[] ones = ones(rows);
      float[] prod = new float[size];
      // p_i, p_f multiply the previous cell state, p_o the new one
      float[][] cell = {prev[1], prev[1], out[1]};
      for (int q = 0; q < 3; q++) {
        float[] d = dGate[q];
        float[] c = cell[q];
        for (int k = 0; k < size; k++) {
          prod[k] = d[k] * c[k];
        }
        blas.gemm(false, false, 1, hidden, rows, 1f, ones, 0, rows, prod, 0, hidden, 1f, peep.grad, q * hidden, hidden);
      }
    }
  }
}
