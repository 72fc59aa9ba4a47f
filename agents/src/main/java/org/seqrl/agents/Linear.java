package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/** The affine map {@code y = x W + b} and its backward, the building block the parts share. */
final class Linear {
  private Linear() {}

  /** {@code y [rows, w.cols] = x [rows, w.rows] W + b} for the rows of {@code x} from offset {@code xOff}; {@code b} may be null. */
  static float[] forward(Blas blas, float[] x, int xOff, int rows, Param w, Param b) {
    float[] y = new float[rows * w.cols];
    blas.gemm(false, false, rows, w.cols, w.rows, 1f, x, xOff, w.rows, w, 0, 0f, y, 0, w.cols);
    if (b != null) {
      Mat.addRowVector(y, 0, rows, w.cols, b.value);
    }
    return y;
  }

  /** {@code dx [rows, w.rows] = dy [rows, w.cols] W^T}. */
  static float[] inputGradient(Blas blas, float[] dy, int rows, Param w) {
    float[] dx = new float[rows * w.rows];
    blas.gemm(false, true, rows, w.rows, w.cols, 1f, dy, 0, w.cols, w, 0, 0f, dx, 0, w.rows);
    return dx;
  }

  /** {@code W.grad += x^T dy} and {@code b.grad += column sums of dy} ({@code b} may be null). */
  static void accumulate(Blas blas, float[] x, float[] dy, int rows, Param w, Param b) {
    blas.gemm(true, false, w.rows, w.cols, rows, 1f, x, 0, w.rows, dy, 0, w.cols, 1f, w.grad, 0, w.cols);
    if (b != null) {
      Mat.addColumnSums(b.grad, dy, rows, w.cols);
    }
  }
}
