package org.seqrl.agents;

/** No attention: the decoder sees the source only through its initial state. */
final class NoAttention implements DecoderAttention, DecoderAttention.Pass {
  @Override
  public int cellInputWidth() {
    return 0;
  }

  @Override
  public int keyWidth() {
    return 0;
  }

  @Override
  public float[] keys(float[] bsd, int rows) {
    return null;
  }

  @Override
  public void keysBackward(float[] bsd, float[] dKeys, int rows, float[] dBsd) {}

  @Override
  public Pass pass(SourceRows src, int capacity, boolean trace) {
    return this; // stateless
  }

  @Override
  public void beforeCell(int t, int slot, float[] h, int hOff, CellRun run) {}

  @Override
  public void afterCell(int t, int slot, float[] top) {}

  @Override
  public float[] outputs(float[] top) {
    return top;
  }

  @Override
  public float[] lastWeights() {
    return null;
  }

  @Override
  public float[] outputsBackward(float[] dOutputs, float[] top) {
    return dOutputs;
  }

  @Override
  public void stepBackward(int t, CellRun run, float[] dh) {}

  @Override
  public void finishBackward(CellRun run) {}
}
