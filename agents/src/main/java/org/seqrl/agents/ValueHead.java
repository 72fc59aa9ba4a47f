package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/** A critic head: one value per row from {@code tanh(x W1 + b1) w2 + b2}. */
final class ValueHead {
  private final Blas blas;
  private final Param w1;
  private final Param b1;
  private final Param w2;
  private final Param b2;

  /** Adds {@code prefix.W1}, {@code .b1}, {@code .w2}, {@code .b2} for inputs of width {@code in} and {@code units} hidden units. */
  ValueHead(Blas blas, Params params, String prefix, int in, int units, Rng init) {
    this.blas = blas;
    w1 = params.add(prefix + ".W1", in, units, init, 1 / Math.sqrt(in), false);
    b1 = params.add(prefix + ".b1", 1, units, init, 0, false);
    w2 = params.add(prefix + ".w2", units, 1, init, 1 / Math.sqrt(units), false);
    b2 = params.add(prefix + ".b2", 1, 1, init, 0, false);
  }

  /** The hidden layer z = tanh(x W1 + b1) [rows, units] for the rows of {@code x} from {@code xOff}. */
  private float[] hiddenLayer(float[] x, int xOff, int rows) {
    float[] z = Linear.forward(blas, x, xOff, rows, w1, null);
    Activations.tanhWithBias(z, 0, rows, w1.cols, b1.value);
    return z;
  }

  /** One value per row of {@code x} [rows, in] from {@code xOff}. */
  double[] values(float[] x, int xOff, int rows) {
    float[] v = Linear.forward(blas, hiddenLayer(x, xOff, rows), 0, rows, w2, b2);
    return Mat.toDouble(v, 0, rows);
  }

  /** Backward of {@link #values} (from offset 0) for value gradients {@code dv}; returns the gradient of its input. */
  float[] backward(float[] x, int rows, float[] dv) {
    float[] z = hiddenLayer(x, 0, rows);
    Linear.accumulate(blas, z, dv, rows, w2, b2);
    float[] dz = Linear.inputGradient(blas, dv, rows, w2);
    Mat.tanhBackward(dz, z, dz.length);
    Linear.accumulate(blas, x, dz, rows, w1, b1);
    return Linear.inputGradient(blas, dz, rows, w1);
  }
}
