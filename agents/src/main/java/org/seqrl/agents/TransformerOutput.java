package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/**
 * Logits from the decoder's top states: {@code h E^T + b} with the target embedding E (tied, as in
 * Press and Wolf) or a separate {@link OutputLayer} ({@code out.W}, {@code out.b}).
 */
final class TransformerOutput {
  private final Blas blas;
  /** Null when separate. */
  private final Param tied;
  private final Param bias;
  private final OutputLayer separate;
  private final int d;
  private final int vocab;

  /** Tied: adds {@code out.b}; separate: {@code out.W}, {@code out.b}. */
  TransformerOutput(Blas blas, Params params, Param embedding, boolean tie, Rng init) {
    this.blas = blas;
    this.d = embedding.cols;
    this.vocab = embedding.rows;
    if (tie) {
      tied = embedding;
      bias = params.add("out.b", 1, vocab, init, 0, false);
      separate = null;
    } else {
      tied = null;
      bias = null;
      separate = new OutputLayer(blas, params, d, vocab, init);
    }
  }

  int vocab() {
    return vocab;
  }

  /** Logits [rows, V] of the rows of {@code h} from {@code off}. */
  float[] forward(float[] h, int off, int rows) {
    if (separate != null) {
      return separate.forward(h, off, rows);
    }
    float[] y = new float[rows * vocab];
    blas.gemm(false, true, rows, vocab, d, 1f, h, off, d, tied, 0, 0f, y, 0, vocab);
    Mat.addRowVector(y, 0, rows, vocab, bias.value);
    return y;
  }

  /** Adds the parameter gradients for {@code dLogits} and returns the gradient of {@code h} [rows, D]. */
  float[] backward(float[] h, float[] dLogits, int rows) {
    if (separate != null) {
      return separate.backward(h, dLogits, rows);
    }
    blas.gemm(true, false, vocab, d, rows, 1f, dLogits, 0, vocab, h, 0, d, 1f, tied.grad, 0, d);
    Mat.addColumnSums(bias.grad, dLogits, rows, vocab);
    float[] dh = new float[rows * d];
    blas.gemm(false, false, rows, d, vocab, 1f, dLogits, 0, vocab, tied, 0, 0f, dh, 0, d);
    return dh;
  }
}
