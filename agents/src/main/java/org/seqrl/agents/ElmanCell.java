package org.seqrl.agents;

/** The Elman cell ({@code rnn-tanh}): h' = tanh(x Wx + h Wh + b). One gate; state (h). */
final class ElmanCell extends GatedCell {
  ElmanCell(Params params, String prefix, int in, int hidden, Rng init) {
    super(params, prefix, in, hidden, 1, init);
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
        Activations.tanh(a, o, end);
        System.arraycopy(a, o, ho, o, n);
      }

      @Override
      void gatesBackward(int o) {
        float[] a = gate[0];
        float[] da = dGate[0];
        float[] dH = dOut[0];
        int end = o + n;
        for (int k = o; k < end; k++) {
          da[k] = dH[k] * (1f - a[k] * a[k]);
        }
        java.util.Arrays.fill(dH, o, end, 0f); // h reaches the previous state only through Wh
      }
    };
  }
}
