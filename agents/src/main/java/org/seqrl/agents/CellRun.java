package org.seqrl.agents;

/**
 * A recurrent cell run over positions of a batch, forward and backward, with what the backward
 * pass needs kept per position. Arrays are planar and position-major: position t of a
 * {@code [steps * batch * hidden]} array starts at {@link #at}(t).
 *
 * <p>Rows past their length (padded source positions) keep their state, and pass their gradient
 * through unchanged.
 */
abstract class CellRun {
  /** Positions that have run (a decoder pass grows it up to the arrays' capacity). */
  int steps;
  final int batch;
  final int hidden;
  /** batch * hidden: the size of one position in every planar array. */
  final int n;
  /** Per-row number of valid positions, or null when all are valid. */
  final int[] lengths;
  /**
   * Per gate: the input-side pre-activations (from {@link RecurrentCell#project} and {@link #addInput});
   * once position t has run forward, the cell may keep its own per-gate values there.
   */
  final float[][] gate;
  /** State arrays before and after each position, {@code h} first. */
  final float[][] prev;
  final float[][] out;
  /** {@code prev[0]} and {@code out[0]}: the cell's output before and after each position. */
  final float[] hPrev;
  final float[] hOut;

  CellRun(int steps, int batch, int hidden, int stateArrays, int[] lengths, float[][] pre) {
    this(steps, batch, hidden, sameWidths(stateArrays, hidden), lengths, pre);
  }

  /**
   * A run whose state array k is {@code widths[k]} wide per row ({@link RecurrentCell#stateWidth});
   * position t of array k starts at {@code t * batch * widths[k]}.
   */
  CellRun(int steps, int batch, int hidden, int[] widths, int[] lengths, float[][] pre) {
    this.steps = steps;
    this.batch = batch;
    this.hidden = hidden;
    this.n = batch * hidden;
    this.lengths = lengths;
    this.gate = pre;
    prev = new float[widths.length][];
    out = new float[widths.length][];
    for (int k = 0; k < widths.length; k++) {
      prev[k] = new float[steps * batch * widths[k]];
      out[k] = new float[steps * batch * widths[k]];
    }
    hPrev = prev[0];
    hOut = out[0];
  }

  private static int[] sameWidths(int arrays, int hidden) {
    int[] w = new int[arrays];
    java.util.Arrays.fill(w, hidden);
    return w;
  }

  /** Offset of position t in a planar array. */
  final int at(int t) {
    return t * n;
  }

  final boolean allValid(int t) {
    if (lengths != null) {
      for (int len : lengths) {
        if (t >= len) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Position t from {@code state} (each array [B, H] at {@code off}; an array k of another width
   * starts at {@code off / hidden * stateWidth(k)}, the same rows).
   */
  abstract void forward(Blas blas, int t, float[][] state, int off);

  /**
   * Backward of position t (positions go from last to first). On entry {@code dState} holds the
   * gradient of each state array after position t, [B, H]; on return, of the state before it.
   */
  abstract void backward(Blas blas, int t, float[][] dState);

  /** Adds {@code x Wx[wxRow..]} ({@code x} [B, inWidth]) to every gate's input side at position t, e.g. an attention context. */
  abstract void addInput(Blas blas, int t, float[] x, int inWidth, int wxRow);

  /** Recurrent-side weight and bias gradients of the whole run. */
  abstract void accumulateRecurrent(Blas blas);

  /** Input weight gradient of the run: rows [wxRow, wxRow + inWidth) of Wx += x^T dGate, x [steps*B, inWidth]. */
  abstract void accumulateInput(Blas blas, float[] x, int inWidth, int wxRow);

  /** {@code dx += dGate Wx[wxRow..]^T} for positions [t0, t0 + count): the gradient of those input rows. */
  abstract void addInputGradient(Blas blas, int t0, int count, float[] dx, int dxOff, int inWidth, int wxRow);
}
