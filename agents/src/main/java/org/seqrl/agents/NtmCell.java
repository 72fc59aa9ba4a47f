package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.NtmSpec.Controller;
import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.Init;

/**
 * A Neural Turing Machine (Graves, Wayne & Danihelka 2014) as a {@link RecurrentCell}. One step:
 * the controller reads the step's input and the previous read vectors and emits {@code h}; a linear
 * layer of {@code h}, clipped to ±{@link #CLIP}, gives every head's addressing parameters and the
 * write heads' erase and add vectors; the write heads address the previous memory and write to it
 * (erase, then add); the read heads then address the written memory and read from it. The read
 * vectors reach the controller at the next step, as in the paper, so {@code h} is the cell's output.
 * This class is the controller and the interface layer; the heads' addressing, writing and reading
 * of one row, forward and backward, are {@link NtmHeads}.
 *
 * <p>State, per row: {@code h} [H], {@code c} [H] (LSTM controller only), the memory [N*M], the
 * read vectors [R*M], the read weightings [R*N] and the write weightings [W*N]. The start state
 * has every memory entry at {@link NtmSpec#init} and every weighting on slot 0 (so that a shift
 * moves a sharp focus from there), and the read vectors that follow from them.
 *
 * <p>Parameters {@code prefix.Wx} [in, G*H], {@code .Wh} [H, G*H] (LSTM), {@code .Wr} [R*M, G*H],
 * {@code .b} [G*H] with G = 4 gates (i, f, o, g) for the LSTM and 1 for the feed-forward
 * controller, and the interface layer {@code .Wi} [H, I], {@code .bi} [I].
 */
final class NtmCell implements RecurrentCell {
  /** Interface values are clipped to ±20 (as in Collier & Beel 2018): it bounds β and γ, so softmax and sharpening stay finite. */
  static final float CLIP = 20f;

  private final NtmSpec spec;
  private final int hidden;
  private final int gates;
  private final boolean lstm;
  private final int slots;
  private final int m;
  private final int reads;
  private final int writes;
  private final int iw;
  /** Index of the memory array in the state (1 for feed-forward, 2 for LSTM); reads, read and write weightings follow. */
  private final int memArray;
  private final int[] widths;
  final Param wx;
  final Param wh;
  final Param wr;
  final Param b;
  final Param wi;
  final Param bi;

  NtmCell(Params params, String prefix, int in, int hidden, NtmSpec spec, Rng init) {
    this.spec = spec;
    this.hidden = hidden;
    this.lstm = spec.controller() == Controller.LSTM;
    this.gates = lstm ? 4 : 1;
    this.slots = spec.slots();
    this.m = spec.width();
    this.reads = spec.readHeads();
    this.writes = spec.writeHeads();
    this.iw = spec.interfaceWidth();
    this.memArray = lstm ? 2 : 1;
    widths = new int[memArray + 4];
    Arrays.fill(widths, 0, memArray, hidden);
    widths[memArray] = slots * m;
    widths[memArray + 1] = reads * m;
    widths[memArray + 2] = reads * slots;
    widths[memArray + 3] = writes * slots;
    double k = 1 / Math.sqrt(hidden);
    int gw = gates * hidden;
    wx = params.add(prefix + ".Wx", in, gw, init, k, false);
    wh = lstm ? params.add(prefix + ".Wh", hidden, gw, init, k, false) : null;
    wr = params.add(prefix + ".Wr", reads * m, gw, init, k, false);
    b = params.add(prefix + ".b", 1, gw, init, 0, false);
    if (lstm) {
      Arrays.fill(b.value, hidden, 2 * hidden, 1f); // forget gate open at the start, as LstmCell
    }
    wi = params.add(prefix + ".Wi", hidden, iw, init, k, false);
    bi = params.add(prefix + ".bi", 1, iw, init, 0, false);
  }

  @Override
  public int hidden() {
    return hidden;
  }

  @Override
  public int gates() {
    return gates;
  }

  @Override
  public int stateArrays() {
    return widths.length;
  }

  @Override
  public void initialise(Init spec, Rng init) {
    // Init.conflict admits only the default init for the NTM: it starts as its constructor drew it
  }

  @Override
  public int stateWidth(int k) {
    return widths[k];
  }

  /** The first state array that belongs to the memory (memory, reads, read and write weightings follow): what an encoder hands a decoder. */
  int memoryArray() {
    return memArray;
  }

  NtmSpec spec() {
    return spec;
  }

  @Override
  public float[][] startState(float[] h, int rows) {
    float[][] s = new float[widths.length][];
    s[0] = h;
    for (int k = 1; k < s.length; k++) {
      s[k] = new float[rows * widths[k]];
    }
    float[] mem = s[memArray];
    Arrays.fill(mem, (float) spec.init());
    double[] acc = new double[m];
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < reads; q++) {
        s[memArray + 2][(r * reads + q) * slots] = 1f;
        NtmAddressing.readForward(mem, r * slots * m, slots, m, s[memArray + 2], (r * reads + q) * slots, acc, s[memArray + 1],
            (r * reads + q) * m);
      }
      for (int q = 0; q < writes; q++) {
        s[memArray + 3][(r * writes + q) * slots] = 1f;
      }
    }
    return s;
  }

  @Override
  public float[][] project(Blas blas, float[] x, int xOff, int rows, int inWidth, int wxRow) {
    int hd = hidden;
    float[][] pre = new float[gates][rows * hd];
    for (int g = 0; g < gates; g++) {
      float[] bias = Arrays.copyOfRange(b.value, g * hd, (g + 1) * hd);
      GatedCell.fillRows(pre[g], 0, rows, bias);
      blas.gemm(false, false, rows, hd, inWidth, 1f, x, xOff, inWidth, wx, wxRow * gates * hd + g * hd, 1f, pre[g], 0, hd);
    }
    return pre;
  }

  @Override
  public CellRun run(int steps, int batch, int[] lengths, float[][] pre) {
    return new NtmRun(steps, batch, lengths, pre);
  }

  private final class NtmRun extends CellRun {
    /** The interface before clipping and after, [steps*B, I]. */
    final float[] xiPre;
    final float[] xi;
    /** LSTM: tanh(c'). */
    final float[] tc;
    final NtmHeads heads;
    float[][] dGate;
    float[] dXi;
    /** Backward scratch per position: which rows are valid, the read vectors' gradient from the controller. */
    boolean[] valid;
    float[] dReadsIn;

    NtmRun(int steps, int batch, int[] lengths, float[][] pre) {
      super(steps, batch, NtmCell.this.hidden, NtmCell.this.widths, lengths, pre);
      xiPre = new float[steps * batch * iw];
      xi = new float[steps * batch * iw];
      tc = lstm ? new float[steps * batch * hidden] : null;
      heads = new NtmHeads(spec, memArray, steps * batch);
    }

    /** Offset of position t in state array k. */
    int at(int k, int t) {
      return t * batch * widths[k];
    }

    @Override
    void forward(Blas blas, int t, float[][] state, int off) {
      int rowBase = off / hidden;
      for (int k = 0; k < prev.length; k++) {
        System.arraycopy(state[k], rowBase * widths[k], prev[k], at(k, t), batch * widths[k]);
      }
      int o = at(t);
      int hd = hidden;
      float[] rPrev = prev[memArray + 1];
      for (int g = 0; g < gates; g++) {
        if (lstm) {
          blas.gemm(false, false, batch, hd, hd, 1f, hPrev, o, hd, wh, g * hd, 1f, gate[g], o, hd);
        }
        blas.gemm(false, false, batch, hd, reads * m, 1f, rPrev, at(memArray + 1, t), reads * m, wr, g * hd, 1f,
            gate[g], o, hd);
      }
      controllerForward(o);
      int xo = t * batch * iw;
      blas.gemm(false, false, batch, iw, hd, 1f, hOut, o, hd, wi, 0, 0f, xiPre, xo, iw);
      Mat.addRowVector(xiPre, xo, batch, iw, bi.value);
      for (int k = xo; k < xo + batch * iw; k++) {
        xi[k] = Math.max(-CLIP, Math.min(CLIP, xiPre[k]));
      }
      for (int i = 0; i < batch; i++) {
        int row = t * batch + i;
        if (lengths != null && t >= lengths[i]) {
          for (int k = 0; k < prev.length; k++) {
            int w = widths[k];
            System.arraycopy(prev[k], row * w, out[k], row * w, w);
          }
          continue;
        }
        heads.forward(prev, out, xi, row);
      }
    }

    /** h (and c) at position offset o from the pre-activations in {@link #gate}. */
    private void controllerForward(int o) {
      int end = o + n();
      if (!lstm) {
        float[] a = gate[0];
        Activations.tanh(a, o, end);
        System.arraycopy(a, o, hOut, o, n());
        return;
      }
      float[] ig = gate[0];
      float[] fg = gate[1];
      float[] og = gate[2];
      float[] gg = gate[3];
      float[] cPrev = prev[1];
      float[] cOut = out[1];
      Activations.sigmoid(ig, o, end);
      Activations.sigmoid(fg, o, end);
      Activations.sigmoid(og, o, end);
      Activations.tanh(gg, o, end);
      for (int k = o; k < end; k++) {
        cOut[k] = cPrev[k] * fg[k] + ig[k] * gg[k];
      }
      System.arraycopy(cOut, o, tc, o, n());
      Activations.tanh(tc, o, end);
      for (int k = o; k < end; k++) {
        hOut[k] = tc[k] * og[k];
      }
    }

    private int n() {
      return batch * hidden;
    }

    @Override
    void backward(Blas blas, int t, float[][] dState) {
      int size = steps * batch * hidden;
      if (dGate == null) {
        dGate = new float[gates][size];
        dXi = new float[steps * batch * iw];
        valid = new boolean[batch];
        dReadsIn = new float[batch * reads * m];
      }
      int hd = hidden;
      int o = at(t);
      int xo = t * batch * iw;
      // the memory-side state's gradients become those before the position in place; rows past their length pass theirs on
      for (int i = 0; i < batch; i++) {
        valid[i] = lengths == null || t < lengths[i];
        if (!valid[i]) {
          continue;
        }
        int row = t * batch + i;
        heads.backward(prev, out, xi, row, i, dState, dXi);
        int xr = row * iw;
        for (int k = xr; k < xr + iw; k++) {
          if (Math.abs(xiPre[k]) > CLIP) {
            dXi[k] = 0f; // clipped: the interface value did not move with the layer below
          }
        }
      }
      // dh += dXi Wi^T; then the controller
      float[] dH = dState[0];
      blas.gemm(false, true, batch, hd, iw, 1f, dXi, xo, iw, wi, 0, 1f, dH, 0, hd);
      controllerBackward(o, dState, valid);
      int rm = reads * m;
      Arrays.fill(dReadsIn, 0f);
      for (int g = 0; g < gates; g++) {
        if (lstm) {
          blas.gemm(false, true, batch, hd, hd, 1f, dGate[g], o, hd, wh, g * hd, 1f, dH, 0, hd);
        }
        blas.gemm(false, true, batch, rm, hd, 1f, dGate[g], o, hd, wr, g * hd, 1f, dReadsIn, 0, rm);
      }
      for (int i = 0; i < batch; i++) {
        if (valid[i]) { // the read vectors after the position were spent above; before it they fed the controller
          System.arraycopy(dReadsIn, i * rm, dState[memArray + 1], i * rm, rm);
        }
      }
    }

    /**
     * From the gradient of h (and c) after position offset o in dState: fills dGate and leaves the
     * gradient of c before it (h's comes from the Wh products). Rows past their length keep theirs.
     */
    private void controllerBackward(int o, float[][] dState, boolean[] valid) {
      int hd = hidden;
      float[] dH = dState[0];
      float[] dC = lstm ? dState[1] : null;
      for (int i = 0; i < batch; i++) {
        int ro = o + i * hd;
        int lo = i * hd;
        if (!valid[i]) {
          for (int g = 0; g < gates; g++) {
            Arrays.fill(dGate[g], ro, ro + hd, 0f);
          }
          continue; // h and c pass their gradient through unchanged
        }
        if (!lstm) {
          float[] a = gate[0];
          for (int k = 0; k < hd; k++) {
            dGate[0][ro + k] = dH[lo + k] * (1f - a[ro + k] * a[ro + k]);
            dH[lo + k] = 0f; // a feed-forward controller does not read its previous h
          }
          continue;
        }
        for (int k = 0; k < hd; k++) {
          int q = ro + k;
          float ig = gate[0][q];
          float fg = gate[1][q];
          float og = gate[2][q];
          float gg = gate[3][q];
          float dc = dH[lo + k] * og * (1f - tc[q] * tc[q]) + dC[lo + k];
          dGate[0][q] = dc * gg * ig * (1f - ig);
          dGate[1][q] = dc * prev[1][q] * fg * (1f - fg);
          dGate[2][q] = dH[lo + k] * tc[q] * og * (1f - og);
          dGate[3][q] = dc * ig * (1f - gg * gg);
          dC[lo + k] = dc * fg;
          dH[lo + k] = 0f; // h reaches the previous state only through Wh
        }
      }
    }

    @Override
    void accumulateRecurrent(Blas blas) {
      int rows = steps * batch;
      int hd = hidden;
      int gw = gates * hd;
      float[] ones = GatedCell.ones(rows);
      for (int g = 0; g < gates; g++) {
        if (lstm) {
          blas.gemm(true, false, hd, hd, rows, 1f, hPrev, 0, hd, dGate[g], 0, hd, 1f, wh.grad, g * hd, gw);
        }
        blas.gemm(true, false, reads * m, hd, rows, 1f, prev[memArray + 1], 0, reads * m, dGate[g], 0, hd, 1f,
            wr.grad, g * hd, gw);
        blas.gemm(false, false, 1, hd, rows, 1f, ones, 0, rows, dGate[g], 0, hd, 1f, b.grad, g * hd, hd);
      }
      blas.gemm(true, false, hd, iw, rows, 1f, hOut, 0, hd, dXi, 0, iw, 1f, wi.grad, 0, iw);
      Mat.addColumnSums(bi.grad, Arrays.copyOf(dXi, rows * iw), rows, iw);
    }

    @Override
    void addInput(Blas blas, int t, float[] x, int inWidth, int wxRow) {
      for (int g = 0; g < gates; g++) {
        blas.gemm(false, false, batch, hidden, inWidth, 1f, x, 0, inWidth, wx, wxRow * gates * hidden + g * hidden, 1f,
            gate[g], at(t), hidden);
      }
    }

    @Override
    void accumulateInput(Blas blas, float[] x, int inWidth, int wxRow) {
      int rows = steps * batch;
      for (int g = 0; g < gates; g++) {
        blas.gemm(true, false, inWidth, hidden, rows, 1f, x, 0, inWidth, dGate[g], 0, hidden, 1f, wx.grad,
            wxRow * gates * hidden + g * hidden, gates * hidden);
      }
    }

    @Override
    void addInputGradient(Blas blas, int t0, int count, float[] dx, int dxOff, int inWidth, int wxRow) {
      for (int g = 0; g < gates; g++) {
        blas.gemm(false, true, count * batch, inWidth, hidden, 1f, dGate[g], at(t0), hidden, wx,
            wxRow * gates * hidden + g * hidden, 1f, dx, dxOff, inWidth);
      }
    }
  }
}
