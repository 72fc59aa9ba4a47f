package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Seq2SeqConfig.Init;

/**
 * LSTM without peepholes ("FastLSTM"), gates i, f, o, g: c' = f c + i g; h' = o tanh(c'). State
 * (h, c). The forget-gate bias starts at 1, so that a fresh cell remembers by default.
 */
final class LstmCell extends GatedCell {
  LstmCell(Params params, String prefix, int in, int hidden, Rng init) {
    super(params, prefix, in, hidden, 4, init);
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
    return new LstmRun(steps, batch, lengths, pre);
  }

  private final class LstmRun extends Run {
    /** tanh(c'). */
    final float[] tc;

    LstmRun(int steps, int batch, int[] lengths, float[][] pre) {
      super(steps, batch, 2, lengths, pre);
      tc = new float[steps * n];
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
      int end = o + n;
      Activations.sigmoid(ig, o, end);
      Activations.sigmoid(fg, o, end);
      Activations.sigmoid(og, o, end);
      Activations.tanh(gg, o, end);
      for (int k = o; k < end; k++) {
        cOut[k] = cPrev[k] * fg[k] + ig[k] * gg[k];
      }
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
      int end = o + n;
      for (int k = o; k < end; k++) {
        dC[k] = dH[k] * og[k] * (1f - tc[k] * tc[k]) + dC[k];
      }
      float[] di = dGate[0];
      for (int k = o; k < end; k++) {
        di[k] = dC[k] * gg[k] * (ig[k] * (1f - ig[k]));
      }
      float[] df = dGate[1];
      for (int k = o; k < end; k++) {
        df[k] = dC[k] * cPrev[k] * (fg[k] * (1f - fg[k]));
      }
      float[] dO = dGate[2];
      for (int k = o; k < end; k++) {
        dO[k] = dH[k] * tc[k] * (og[k] * (1f - og[k]));
      }
      float[] dg = dGate[3];
      for (int k = o; k < end; k++) {
        dg[k] = dC[k] * ig[k] * (1f - gg[k] * gg[k]);
      }
      for (int k = o; k < end; k++) {
        dC[k] = dC[k] * fg[k];
      }
      Arrays.fill(dH, o, end, 0f); // h reaches the previous state only through Wh
    }
  }
}
