package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Params.Param;

/**
 * What the gated cells share: input weights Wx [in, G*H], recurrent weights Wh [H, G*H] and a bias
 * b [G*H], gate g in columns [g*H, (g+1)*H); one product per gate for the input side of a run and
 * one per gate and step for the recurrent side; the bookkeeping of state, padding and gradients.
 * A cell kind supplies only its gate loops ({@link Run#gatesForward}, {@link Run#gatesBackward}).
 *
 * <p>The gate loops index every array with the same expression because that is what C2 (Java 17)
 * vectorises: a store and a load at different offsets of two float arrays that might be the same
 * array keep a loop scalar (measured ~12x slower for tanh).
 */
abstract class GatedCell implements RecurrentCell {
  final int hidden;
  final int gates;
  final Param wx;
  final Param wh;
  final Param b;

  /** Adds the parameters {@code prefix.Wx}, {@code .Wh}, {@code .b}, uniform in ±1/sqrt(H), bias 0. */
  GatedCell(Params params, String prefix, int in, int hidden, int gates, Rng init) {
    this.hidden = hidden;
    this.gates = gates;
    double k = 1 / Math.sqrt(hidden);
    this.wx = params.add(prefix + ".Wx", in, gates * hidden, init, k, false);
    this.wh = params.add(prefix + ".Wh", hidden, gates * hidden, init, k, false);
    this.b = params.add(prefix + ".b", 1, gates * hidden, init, 0, false);
  }

  @Override
  public int hidden() {
    return hidden;
  }

  @Override
  public int gates() {
    return gates;
  }

  final int width() {
    return gates * hidden;
  }

  /** The bias that enters gate g's input side (a cell may add a hidden-side bias that enters the same way). */
  float[] inputBias(int g) {
    return Arrays.copyOfRange(b.value, g * hidden, (g + 1) * hidden);
  }

  @Override
  public float[][] project(Blas blas, float[] x, int xOff, int rows, int inWidth, int wxRow) {
    int hd = hidden;
    float[][] pre = new float[gates][rows * hd];
    for (int g = 0; g < gates; g++) {
      fillRows(pre[g], 0, rows, inputBias(g));
      blas.gemm(false, false, rows, hd, inWidth, 1f, x, xOff, inWidth, wx, wxRow * width() + g * hd, 1f, pre[g], 0, hd);
    }
    return pre;
  }

  static void fillRows(float[] a, int off, int rows, float[] row) {
    for (int i = 0; i < rows; i++) {
      System.arraycopy(row, 0, a, off + i * row.length, row.length);
    }
  }

  /** The run machinery; a cell kind adds its gate loops. */
  abstract class Run extends CellRun {
    /** Per gate: gradient of the input-side pre-activation (filled by {@link #backward}). */
    float[][] dGate;
    /** Per state array: its gradient at each position, after the position on entry to the gate loops, before it on exit (but for the Wh path). */
    float[][] dOut;

    Run(int steps, int batch, int stateArrays, int[] lengths, float[][] pre) {
      super(steps, batch, GatedCell.this.hidden, stateArrays, lengths, pre);
    }

    /** The array that receives {@code h Wh_g} at a position (the gate's pre-activation unless the cell keeps it apart). */
    float[] hiddenSide(int g) {
      return gate[g];
    }

    /** The gradient of {@link #hiddenSide}(g). */
    float[] dHiddenSide(int g) {
      return dGate[g];
    }

    /** Before the recurrent products of position offset o (e.g. a hidden-side bias). */
    void beforeRecurrent(int o) {}

    /** The gates, and {@link #out}, at position offset o from the pre-activations and {@link #prev}. */
    abstract void gatesForward(int o);

    /** Allocates the cell's own gradient arrays of {@code size}. */
    void allocateBackward(int size) {}

    /**
     * At position offset o, from {@link #dOut} (gradient of the state after the position) fills
     * {@link #dGate} and leaves in {@link #dOut} the gradient of the state before it, except what
     * reaches h through Wh.
     */
    abstract void gatesBackward(int o);

    @Override
    final void forward(Blas blas, int t, float[][] state, int off) {
      int o = at(t);
      int hd = hidden;
      for (int k = 0; k < prev.length; k++) {
        System.arraycopy(state[k], off, prev[k], o, n);
      }
      beforeRecurrent(o);
      for (int g = 0; g < gates; g++) {
        blas.gemm(false, false, batch, hd, hd, 1f, hPrev, o, hd, wh, g * hd, 1f, hiddenSide(g), o, hd);
      }
      gatesForward(o);
      if (!allValid(t)) {
        for (int i = 0; i < batch; i++) {
          if (t >= lengths[i]) {
            for (int k = 0; k < prev.length; k++) {
              System.arraycopy(prev[k], o + i * hd, out[k], o + i * hd, hd);
            }
          }
        }
      }
    }

    @Override
    final void backward(Blas blas, int t, float[][] dState) {
      int size = steps * n;
      if (dGate == null) {
        dGate = new float[gates][size];
        dOut = new float[prev.length][size];
        allocateBackward(size);
      }
      int o = at(t);
      int hd = hidden;
      for (int k = 0; k < dOut.length; k++) {
        System.arraycopy(dState[k], 0, dOut[k], o, n);
      }
      gatesBackward(o);
      boolean all = allValid(t);
      for (int i = 0; i < batch; i++) {
        int ro = o + i * hd;
        if (all || t < lengths[i]) {
          for (int k = 0; k < dOut.length; k++) {
            System.arraycopy(dOut[k], ro, dState[k], i * hd, hd);
          }
        } else {
          // a row past its length passed its state on unchanged: so does its gradient
          for (int g = 0; g < gates; g++) {
            Arrays.fill(dGate[g], ro, ro + hd, 0f);
            Arrays.fill(dHiddenSide(g), ro, ro + hd, 0f);
          }
        }
      }
      for (int g = 0; g < gates; g++) {
        blas.gemm(false, true, batch, hd, hd, 1f, dHiddenSide(g), o, hd, wh, g * hd, 1f, dState[0], 0, hd);
      }
    }

    @Override
    void accumulateRecurrent(Blas blas) {
      int rows = steps * batch;
      int hd = hidden;
      float[] ones = ones(rows);
      for (int g = 0; g < gates; g++) {
        blas.gemm(true, false, hd, hd, rows, 1f, hPrev, 0, hd, dHiddenSide(g), 0, hd, 1f, wh.grad, g * hd, width());
        blas.gemm(false, false, 1, hd, rows, 1f, ones, 0, rows, dGate[g], 0, hd, 1f, b.grad, g * hd, hd);
      }
    }

    @Override
    final void addInput(Blas blas, int t, float[] x, int inWidth, int wxRow) {
      for (int g = 0; g < gates; g++) {
        blas.gemm(false, false, batch, hidden, inWidth, 1f, x, 0, inWidth, wx, wxRow * width() + g * hidden, 1f,
            gate[g], at(t), hidden);
      }
    }

    @Override
    final void accumulateInput(Blas blas, float[] x, int inWidth, int wxRow) {
      int rows = steps * batch;
      for (int g = 0; g < gates; g++) {
        blas.gemm(true, false, inWidth, hidden, rows, 1f, x, 0, inWidth, dGate[g], 0, hidden, 1f, wx.grad,
            wxRow * width() + g * hidden, width());
      }
    }

    @Override
    final void addInputGradient(Blas blas, int t0, int count, float[] dx, int dxOff, int inWidth, int wxRow) {
      for (int g = 0; g < gates; g++) {
        blas.gemm(false, true, count * batch, inWidth, hidden, 1f, dGate[g], at(t0), hidden, wx,
            wxRow * width() + g * hidden, 1f, dx, dxOff, inWidth);
      }
    }
  }

  static float[] ones(int n) {
    float[] a = new float[n];
    Arrays.fill(a, 1f);
    return a;
  }
}
