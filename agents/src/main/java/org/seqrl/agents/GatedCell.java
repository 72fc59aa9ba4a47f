package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.Init;

/**
 * What the gated cells share: input weights Wx [in, G*H], recurrent weights Wh [H, G*H] and a bias
 * b [G*H], gate g in columns [g*H, (g+1)*H); one product per gate for the input side of a run and
 * one per gate and step for the recurrent side; the bookkeeping of state, padding and gradients.
 * A cell kind supplies only its gate loops ({@link Run#gatesForward}, {@link Run#gatesBackward}).
 *
 * <p>A cell whose recurrent products are not one per gate on h (the JZS mutants multiply the
 * reset state {@code r ⊙ h}, known only once r is) orders them itself in {@link Run#recurrentForward}
 * and {@link Run#recurrentBackward}, called once per step; the other cells keep the default loop. A
 * cell whose gate reads the raw input (the JZS mutants' {@code x} and {@code tanh(x)} terms) names it
 * as its {@code rawGate}: that gate's input side is {@code x P} with a fixed, untrained {@link #rawProjection}.
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
  /** The gate whose input side is {@code x P} instead of trained weights, or -1. */
  final int rawGate;
  /** P [in, H] of {@link #rawGate}, or null: see {@link #rawProjection}. */
  final float[] raw;
  /** Per gate: its column block in Wx, or -1 for the raw gate. */
  private final int[] wxBlock;

  /** Adds the parameters {@code prefix.Wx}, {@code .Wh}, {@code .b}, uniform in ±1/sqrt(H), bias 0. */
  GatedCell(Params params, String prefix, int in, int hidden, int gates, Rng init) {
    this(params, prefix, in, hidden, gates, -1, gates, init);
  }

  /**
   * As above, but gate {@code rawGate} (if >= 0) reads {@code x P} and has no block in Wx
   * ({@code [in, (gates - 1) * H]}, the other gates' blocks in gate order), and Wh has
   * {@code recurrentBlocks} blocks {@code [H, H]} whose use the cell defines.
   */
  GatedCell(Params params, String prefix, int in, int hidden, int gates, int rawGate, int recurrentBlocks, Rng init) {
    this.hidden = hidden;
    this.gates = gates;
    this.rawGate = rawGate;
    this.wxBlock = new int[gates];
    for (int g = 0, k = 0; g < gates; g++) {
      wxBlock[g] = g == rawGate ? -1 : k++;
    }
    double k = 1 / Math.sqrt(hidden);
    int inputBlocks = rawGate >= 0 ? gates - 1 : gates;
    this.wx = params.add(prefix + ".Wx", in, inputBlocks * hidden, init, k, false);
    this.wh = params.add(prefix + ".Wh", hidden, recurrentBlocks * hidden, init, k, false);
    this.b = params.add(prefix + ".b", 1, gates * hidden, init, 0, false);
    this.raw = rawGate >= 0 ? rawProjection(in, hidden) : null;
  }

  /**
   * Every [H, H] block of Wh as {@code spec} says: uniform (the constructor's draw) scaled, an
   * orthogonal matrix times the gain, or the scaled identity. The orthogonal draws come from a
   * generator seeded by {@code init}'s state, which is left as it is.
   */
  @Override
  public void initialise(Init spec, Rng init) {
    float scale = (float) spec.scale();
    int hd = hidden;
    int cols = wh.cols;
    float[] w = wh.value;
    switch (spec.scheme()) {
      case UNIFORM -> {
        if (spec.scale() != 1.0) {
          for (int i = 0; i < w.length; i++) {
            w[i] *= scale;
          }
        }
      }
      case ORTHOGONAL -> {
        Rng draws = new Rng(init.state() ^ 0x0DD0A7E5C0FFEEL);
        for (int blk = 0; blk < cols / hd; blk++) {
          double[] q = Orthogonal.matrix(hd, draws);
          for (int i = 0; i < hd; i++) {
            for (int j = 0; j < hd; j++) {
              w[i * cols + blk * hd + j] = (float) (spec.scale() * q[i * hd + j]);
            }
          }
        }
      }
      case IDENTITY -> {
        Arrays.fill(w, 0f);
        for (int blk = 0; blk < cols / hd; blk++) {
          for (int j = 0; j < hd; j++) {
            w[j * cols + blk * hd + j] = scale;
          }
        }
      }
    }
  }

  /**
   * The fixed map that lets a raw-input term ({@code x} where the paper adds x itself to an
   * H-wide pre-activation) type-check when the input width differs from H: the identity when
   * {@code in == H}, which is the paper's cell exactly; otherwise random signs scaled by
   * 1/sqrt(in) (as Keras's JZS layers did), so that every unit sees every input feature at the
   * features' own scale. It is not trained: a trained map would turn JZS2's raw-input reset gate
   * into the GRU's {@code W_xr x}, erasing the mutation the paper measured. It depends only on the
   * shapes, not on the model seed, so a checkpoint needs no copy of it.
   */
  static float[] rawProjection(int in, int hidden) {
    float[] p = new float[in * hidden];
    if (in == hidden) {
      for (int j = 0; j < hidden; j++) {
        p[j * hidden + j] = 1f;
      }
      return p;
    }
    Rng signs = new Rng(0x4A5A5F50524F4AL ^ ((long) in << 32) ^ hidden);
    float s = (float) (1 / Math.sqrt(in));
    for (int i = 0; i < p.length; i++) {
      p[i] = (signs.nextLong() & 1) == 0 ? s : -s;
    }
    return p;
  }

  @Override
  public int hidden() {
    return hidden;
  }

  @Override
  public int gates() {
    return gates;
  }

  /** Columns of Wx. */
  final int width() {
    return wx.cols;
  }

  /** Columns of Wh. */
  final int recurrentWidth() {
    return wh.cols;
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
      inputProduct(blas, g, rows, inWidth, wxRow, x, xOff, pre[g], 0);
    }
    return pre;
  }

  /** {@code out[outOff..] += x Wx_g} (rows [wxRow, wxRow + inWidth) of gate g's input weights, or of P for the raw gate). */
  final void inputProduct(Blas blas, int g, int rows, int inWidth, int wxRow, float[] x, int xOff, float[] out, int outOff) {
    int hd = hidden;
    if (g == rawGate) {
      blas.gemm(false, false, rows, hd, inWidth, 1f, x, xOff, inWidth, raw, wxRow * hd, hd, 1f, out, outOff, hd);
    } else {
      blas.gemm(false, false, rows, hd, inWidth, 1f, x, xOff, inWidth, wx, wxRow * width() + wxBlock[g] * hd, 1f,
          out, outOff, hd);
    }
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
      recurrentForward(blas, o);
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
      recurrentBackward(blas, o, dState[0]);
    }

    /** The recurrent products of position offset o: by default {@code h Wh_g} into {@link #hiddenSide}(g) for every gate. */
    void recurrentForward(Blas blas, int o) {
      int hd = hidden;
      for (int g = 0; g < gates; g++) {
        blas.gemm(false, false, batch, hd, hd, 1f, hPrev, o, hd, wh, g * hd, 1f, hiddenSide(g), o, hd);
      }
    }

    /**
     * The backward of {@link #recurrentForward} at position offset o, after {@link #gatesBackward}
     * and with past-length rows' gate gradients zeroed: adds into {@code dH} [B, H] the gradient
     * of the state's h that went through the recurrent products.
     */
    void recurrentBackward(Blas blas, int o, float[] dH) {
      int hd = hidden;
      for (int g = 0; g < gates; g++) {
        blas.gemm(false, true, batch, hd, hd, 1f, dHiddenSide(g), o, hd, wh, g * hd, 1f, dH, 0, hd);
      }
    }

    @Override
    void accumulateRecurrent(Blas blas) {
      int rows = steps * batch;
      int hd = hidden;
      float[] ones = ones(rows);
      for (int g = 0; g < gates; g++) {
        blas.gemm(true, false, hd, hd, rows, 1f, hPrev, 0, hd, dHiddenSide(g), 0, hd, 1f, wh.grad, g * hd, recurrentWidth());
        blas.gemm(false, false, 1, hd, rows, 1f, ones, 0, rows, dGate[g], 0, hd, 1f, b.grad, g * hd, hd);
      }
    }

    @Override
    final void addInput(Blas blas, int t, float[] x, int inWidth, int wxRow) {
      for (int g = 0; g < gates; g++) {
        inputProduct(blas, g, batch, inWidth, wxRow, x, 0, gate[g], at(t));
      }
    }

    @Override
    final void accumulateInput(Blas blas, float[] x, int inWidth, int wxRow) {
      int rows = steps * batch;
      for (int g = 0; g < gates; g++) {
        if (g != rawGate) { // P is fixed
          blas.gemm(true, false, inWidth, hidden, rows, 1f, x, 0, inWidth, dGate[g], 0, hidden, 1f, wx.grad,
              wxRow * width() + wxBlock[g] * hidden, width());
        }
      }
    }

    @Override
    final void addInputGradient(Blas blas, int t0, int count, float[] dx, int dxOff, int inWidth, int wxRow) {
      for (int g = 0; g < gates; g++) {
        if (g == rawGate) {
          blas.gemm(false, true, count * batch, inWidth, hidden, 1f, dGate[g], at(t0), hidden, raw, wxRow * hidden, hidden,
              1f, dx, dxOff, inWidth);
        } else {
          blas.gemm(false, true, count * batch, inWidth, hidden, 1f, dGate[g], at(t0), hidden, wx,
              wxRow * width() + wxBlock[g] * hidden, 1f, dx, dxOff, inWidth);
        }
      }
    }
  }

  static float[] ones(int n) {
    float[] a = new float[n];
    Arrays.fill(a, 1f);
    return a;
  }
}
