package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Seq2SeqConfig.Init;

/**
 * IRNN (Le, Jaitly &amp; Hinton 2015): h' = relu(x Wx + h Wh + b) with Wh initialised to the
 * identity (scaled by {@code model.init_scale}) and b to zero, so that a fresh cell carries its state forward unchanged. One gate; state (h).
 */
final class IrnnCell extends GatedCell {
  IrnnCell(Params params, String prefix, int in, int hidden, Rng init) {
    super(params, prefix, in, hidden, 1, init);
  }

  /** Wh is the identity times {@code model.init_scale} (1 by default) whatever the scheme: that start is what makes the cell an IRNN. */
  @Override
  public void initialise(Init spec, Rng init) {
    super.initialise(new Init(Seq2SeqConfig.InitScheme.IDENTITY, spec.scale(), spec.forgetBias()), init);
  }

  @Override
  public int stateArrays() {
    return 1;
  }

  @Override
  public CellRun run(int steps, int batch, int[] lengths, float[][] pre) {
    return new Run(steps, batch, 1, lengths, pre) {
      @Override
      void gatesForward(int o) {
        float[] a = gate[0];
        float[] ho = hOut;
        int end = o + n;
        for (int k = o; k < end; k++) {
          a[k] = Math.max(a[k], 0f);
        }
        System.arraycopy(a, o, ho, o, n);
      }

      @Override
      void gatesBackward(int o) {
        float[] a = gate[0];
        float[] da = dGate[0];
        float[] dH = dOut[0];
        int end = o + n;
        for (int k = o; k < end; k++) {
          da[k] = a[k] > 0f ? dH[k] : 0f;
        }
        Arrays.fill(dH, o, end, 0f); // h reaches the previous state only through Wh
      }
    };
  }
}
