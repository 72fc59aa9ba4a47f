package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/** Logits {@code x W + b} over the vocabulary from what a decoder's last layer outputs. */
final class OutputLayer {
  private final Blas blas;
  private final Param w;
  private final Param b;

  /** Adds {@code out.W} [in, V] (uniform in ±1/sqrt(in)) and {@code out.b}. */
  OutputLayer(Blas blas, Params params, int in, int vocab, Rng init) {
    this.blas = blas;
    this.w = params.add("out.W", in, vocab, init, 1 / Math.sqrt(in), false);
    this.b = params.add("out.b", 1, vocab, init, 0, false);
  }

  int vocab() {
    return w.cols;
  }

  /** Logits [rows, V] of the rows of {@code x} from {@code off}. */
  float[] forward(float[] x, int off, int rows) {
    return Linear.forward(blas, x, off, rows, w, b);
  }

  /** Adds the parameter gradients for {@code dLogits} and returns the gradient of {@code x} [rows, in]. */
  float[] backward(float[] x, float[] dLogits, int rows) {
    Linear.accumulate(blas, x, dLogits, rows, w, b);
    return Linear.inputGradient(blas, dLogits, rows, w);
  }
}
