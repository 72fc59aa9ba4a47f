package org.seqrl.agents;

import org.seqrl.agents.Seq2SeqConfig.LayerConnections;

/**
 * What a stacked layer reads under {@link LayerConnections#DENSE}: the outputs of every layer below
 * it side by side, {@code [y(0), ..., y(l−1)]} (l × width wide), and the backward of that. Arrays
 * are row-major {@code [rows, width]}; {@code rowOff} selects rows (a decoder step's slot).
 */
final class Stacking {
  private Stacking() {}

  /** Input width of layer l >= 1 whose layers below are {@code width} wide. */
  static int inputWidth(LayerConnections c, int l, int width) {
    return c == LayerConnections.DENSE ? l * width : width;
  }

  /** x[rowOff.., l*width] = [outs[0], ..., outs[l−1]] of those rows. */
  static void gather(float[][] outs, int l, int rowOff, int rows, int width, float[] x) {
    int w = l * width;
    for (int r = rowOff; r < rowOff + rows; r++) {
      for (int j = 0; j < l; j++) {
        System.arraycopy(outs[j], r * width, x, r * w + j * width, width);
      }
    }
  }

  /** Backward of {@link #gather} over all rows: dOuts[j] += its block of {@code dX} (allocated when null). */
  static void scatter(float[] dX, int l, int rows, int width, float[][] dOuts) {
    int w = l * width;
    for (int j = 0; j < l; j++) {
      if (dOuts[j] == null) {
        dOuts[j] = new float[rows * width];
      }
      float[] d = dOuts[j];
      for (int r = 0; r < rows; r++) {
        Mat.axpy(1f, dX, r * w + j * width, d, r * width, width);
      }
    }
  }
}
