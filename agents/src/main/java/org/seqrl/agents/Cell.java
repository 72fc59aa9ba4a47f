package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.CellType;

/**
 * One recurrent cell (GRU or LSTM) with hand-written forward and backward steps. The input-side
 * pre-activations of a whole run come from one product per gate ({@link #project}); each step
 * adds {@code h Wh} (one product per gate) and applies the gates in a few flat loops.
 *
 * <p>Everything per gate is planar: gate g of a run is one array {@code [T*B*H]}, row-major by
 * position then batch row. The loops index every array with the same expression because that is
 * what C2 (Java 17) vectorises: a store and a load at different offsets of two float arrays that
 * might be the same array keep a loop scalar (measured ~12x slower for tanh).
 *
 * <p>GRU (reset after the hidden product, as cuDNN): r,z = sigmoid(a + h Wh + bh);
 * n = tanh(a_n + r (h Wh_n + bh_n)); h' = (1 - z) n + z h. LSTM, gates ordered i, f, o, g:
 * c' = f c + i g; h' = o tanh(c'). Rows past their length keep their state unchanged.
 */
final class Cell {
  final CellType type;
  final int hidden;
  final Param wx;
  final Param wh;
  final Param b;
  /** GRU only: the hidden-side bias. */
  final Param bh;

  Cell(CellType type, int hidden, Params params, String prefix) {
    this.type = type;
    this.hidden = hidden;
    this.wx = params.get(prefix + ".Wx");
    this.wh = params.get(prefix + ".Wh");
    this.b = params.get(prefix + ".b");
    this.bh = type == CellType.GRU ? params.get(prefix + ".bh") : null;
  }

  int gates() {
    return type == CellType.GRU ? 3 : 4;
  }

  int width() {
    return gates() * hidden;
  }

  /**
   * Input-side pre-activations of every gate for {@code rows} rows of {@code x} ({@code inWidth}
   * wide, at {@code xOff}): gate g is {@code x Wx[wxRow.., g] + bias_g}, planar {@code [gate][rows*H]}.
   * bias_g is the input bias, plus for a GRU's r and z gates the hidden-side bias, which enters them
   * the same way.
   */
  float[][] project(Blas blas, float[] x, int xOff, int rows, int inWidth, int wxRow) {
    int hd = hidden;
    float[][] pre = new float[gates()][rows * hd];
    for (int g = 0; g < gates(); g++) {
      float[] bias = Arrays.copyOfRange(b.value, g * hd, (g + 1) * hd);
      if (bh != null && g < 2) {
        for (int j = 0; j < hd; j++) {
          bias[j] += bh.value[g * hd + j];
        }
      }
      fillRows(pre[g], 0, rows, bias);
      blas.gemm(false, false, rows, hd, inWidth, 1f, x, xOff, inWidth, wx, wxRow * width() + g * hd, 1f, pre[g], 0, hd);
    }
    return pre;
  }

  private static void fillRows(float[] a, int off, int rows, float[] row) {
    for (int i = 0; i < rows; i++) {
      System.arraycopy(row, 0, a, off + i * row.length, row.length);
    }
  }

  /** A run of the cell over {@code steps} positions of {@code batch} rows; planar arrays, position-major. */
  final class Run {
    /** Positions that have run (a decoder pass grows it up to the arrays' capacity). */
    int steps;
    final int batch;
    /** batch * hidden: the size of one position in every planar array. */
    final int n;
    /** Per-row number of valid positions (rows keep their state past it), or null when all are valid. */
    final int[] lengths;
    /**
     * Per gate: the input-side pre-activations, as built by {@link #project} (and {@link #addInput});
     * once position t has run forward, its part holds the gate's activation (GRU r, z, n; LSTM i, f, o, g).
     */
    final float[][] gate;
    /** GRU: the hidden side of n's pre-activation, h Wh_n + bh_n. */
    final float[] hn;
    final float[] hPrev;
    final float[] hOut;
    final float[] cPrev;
    final float[] cOut;
    /** LSTM: tanh(c'). */
    final float[] tc;
    /** Per gate: gradient of the input-side pre-activation (filled by {@link #backward}). */
    private float[][] dGate;
    /** GRU: gradient of hn. */
    private float[] dHn;
    private float[] dH;
    private float[] dC;

    Run(int steps, int batch, int[] lengths, float[][] pre) {
      this.steps = steps;
      this.batch = batch;
      this.n = batch * hidden;
      this.lengths = lengths;
      this.gate = pre;
      int size = steps * n;
      boolean lstm = type == CellType.LSTM;
      hn = lstm ? null : new float[size];
      hPrev = new float[size];
      hOut = new float[size];
      cPrev = lstm ? new float[size] : null;
      cOut = lstm ? new float[size] : null;
      tc = lstm ? new float[size] : null;
    }

    boolean allValid(int t) {
      if (lengths != null) {
        for (int len : lengths) {
          if (t >= len) {
            return false;
          }
        }
      }
      return true;
    }

    /** Offset of position t in a planar array. */
    int at(int t) {
      return t * n;
    }

    /** Adds {@code x Wx[wxRow.., g]} ({@code x} [B, inWidth]) to every gate's input side at position t, e.g. an attention context. */
    void addInput(Blas blas, int t, float[] x, int inWidth, int wxRow) {
      for (int g = 0; g < gates(); g++) {
        blas.gemm(false, false, batch, hidden, inWidth, 1f, x, 0, inWidth, wx, wxRow * width() + g * hidden, 1f,
            gate[g], at(t), hidden);
      }
    }

    /** Position t from state {@code h} (and {@code c}, LSTM) at the given offsets, each [B, H]. */
    void forward(Blas blas, int t, float[] h, int hOff, float[] c, int cOff) {
      int o = at(t);
      int hd = hidden;
      System.arraycopy(h, hOff, hPrev, o, n);
      if (cPrev != null) {
        System.arraycopy(c, cOff, cPrev, o, n);
      }
      for (int g = 0; g < gates(); g++) {
        float[] target = type == CellType.GRU && g == 2 ? hn : gate[g];
        if (target == hn) {
          fillRows(hn, o, batch, Arrays.copyOfRange(bh.value, 2 * hd, 3 * hd));
        }
        blas.gemm(false, false, batch, hd, hd, 1f, hPrev, o, hd, wh, g * hd, 1f, target, o, hd);
      }
      if (type == CellType.GRU) {
        gruForward(o);
      } else {
        lstmForward(o);
      }
      if (!allValid(t)) {
        for (int i = 0; i < batch; i++) {
          if (t >= lengths[i]) {
            System.arraycopy(hPrev, o + i * hd, hOut, o + i * hd, hd);
            if (cOut != null) {
              System.arraycopy(cPrev, o + i * hd, cOut, o + i * hd, hd);
            }
          }
        }
      }
    }

    private void gruForward(int o) {
      float[] r = gate[0];
      float[] z = gate[1];
      float[] nn = gate[2];
      int end = o + n;
      Activations.sigmoid(r, o, end);
      Activations.sigmoid(z, o, end);
      for (int k = o; k < end; k++) {
        nn[k] = Activations.tanh(nn[k] + r[k] * hn[k]);
      }
      for (int k = o; k < end; k++) {
        hOut[k] = (hPrev[k] - nn[k]) * z[k] + nn[k];
      }
    }

    private void lstmForward(int o) {
      float[] ig = gate[0];
      float[] fg = gate[1];
      float[] og = gate[2];
      float[] gg = gate[3];
      int end = o + n;
      Activations.sigmoid(ig, o, end);
      Activations.sigmoid(fg, o, end);
      Activations.sigmoid(og, o, end);
      Activations.tanh(gg, o, end);
      for (int k = o; k < end; k++) {
        cOut[k] = cPrev[k] * fg[k] + ig[k] * gg[k];
      }
      System.arraycopy(cOut, o, tc, o, n);
      Activations.tanh(tc, o, end);
      for (int k = o; k < end; k++) {
        hOut[k] = tc[k] * og[k];
      }
    }

    /**
     * Backward of position t (positions go from last to first). On entry {@code dh} [B,H] holds the
     * gradient of hOut_t (and {@code dc} of cOut_t); on return, of hPrev_t (cPrev_t).
     */
    void backward(Blas blas, int t, float[] dh, float[] dc) {
      int size = steps * n;
      if (dGate == null) {
        dGate = new float[gates()][size];
        dH = new float[size];
        dHn = type == CellType.GRU ? new float[size] : null;
        dC = type == CellType.LSTM ? new float[size] : null;
      }
      int o = at(t);
      int hd = hidden;
      System.arraycopy(dh, 0, dH, o, n);
      if (dC != null) {
        System.arraycopy(dc, 0, dC, o, n);
      }
      if (type == CellType.GRU) {
        gruBackward(o);
      } else {
        lstmBackward(o);
      }
      boolean all = allValid(t);
      for (int i = 0; i < batch; i++) {
        int ro = o + i * hd;
        if (all || t < lengths[i]) {
          System.arraycopy(dH, ro, dh, i * hd, hd);
          if (dC != null) {
            System.arraycopy(dC, ro, dc, i * hd, hd);
          }
        } else {
          // a row past its length passed its state on unchanged: so does its gradient
          for (float[] d : dGate) {
            Arrays.fill(d, ro, ro + hd, 0f);
          }
          if (dHn != null) {
            Arrays.fill(dHn, ro, ro + hd, 0f);
          }
        }
      }
      for (int g = 0; g < gates(); g++) {
        float[] dHidden = type == CellType.GRU && g == 2 ? dHn : dGate[g];
        blas.gemm(false, true, batch, hd, hd, 1f, dHidden, o, hd, wh, g * hd, 1f, dh, 0, hd);
      }
    }

    private void gruBackward(int o) {
      float[] r = gate[0];
      float[] z = gate[1];
      float[] nn = gate[2];
      float[] dr = dGate[0];
      float[] dz = dGate[1];
      float[] dn = dGate[2];
      int end = o + n;
      for (int k = o; k < end; k++) {
        dn[k] = (dH[k] - dH[k] * z[k]) * (1f - nn[k] * nn[k]);
      }
      for (int k = o; k < end; k++) {
        dr[k] = dn[k] * hn[k] * (r[k] * (1f - r[k]));
      }
      for (int k = o; k < end; k++) {
        dz[k] = dH[k] * (hPrev[k] - nn[k]) * (z[k] * (1f - z[k]));
      }
      for (int k = o; k < end; k++) {
        dHn[k] = dn[k] * r[k];
      }
      for (int k = o; k < end; k++) {
        dH[k] = dH[k] * z[k];
      }
    }

    private void lstmBackward(int o) {
      float[] ig = gate[0];
      float[] fg = gate[1];
      float[] og = gate[2];
      float[] gg = gate[3];
      int end = o + n;
      for (int k = o; k < end; k++) {
        dC[k] = dH[k] * og[k] * (1f - tc[k] * tc[k]) + dC[k];
      }
      float[] di = dGate[0];
      for (int k = o; k < end; k++) {
        di[k] = dC[k] * gg[k] * (ig[k] * (1f - ig[k]));
      }
      float[] df = dGate[1];
      for (int k = o; k < end; k++) {
        df[k] = dC[k] * cPrev[k] * (fg[k] * (1f - fg[k]));
      }
      float[] dO = dGate[2];
      for (int k = o; k < end; k++) {
        dO[k] = dH[k] * tc[k] * (og[k] * (1f - og[k]));
      }
      float[] dg = dGate[3];
      for (int k = o; k < end; k++) {
        dg[k] = dC[k] * ig[k] * (1f - gg[k] * gg[k]);
      }
      for (int k = o; k < end; k++) {
        dC[k] = dC[k] * fg[k];
      }
      Arrays.fill(dH, o, end, 0f); // h reaches the previous state only through Wh
    }

    /** Recurrent-side weight gradients of the whole run: Wh += hPrev^T dHidden, b (and bh) += column sums. */
    void accumulateRecurrent(Blas blas) {
      int rows = steps * batch;
      int hd = hidden;
      float[] ones = new float[rows];
      Arrays.fill(ones, 1f);
      for (int g = 0; g < gates(); g++) {
        float[] dHidden = type == CellType.GRU && g == 2 ? dHn : dGate[g];
        blas.gemm(true, false, hd, hd, rows, 1f, hPrev, 0, hd, dHidden, 0, hd, 1f, wh.grad, g * hd, width());
        blas.gemm(false, false, 1, hd, rows, 1f, ones, 0, rows, dGate[g], 0, hd, 1f, b.grad, g * hd, hd);
        if (bh != null) {
          blas.gemm(false, false, 1, hd, rows, 1f, ones, 0, rows, dHidden, 0, hd, 1f, bh.grad, g * hd, hd);
        }
      }
    }

    /** Input weight gradient of the run: rows [wxRow, wxRow + inWidth) of Wx += x^T dGate, x [rows, inWidth]. */
    void accumulateInput(Blas blas, float[] x, int inWidth, int wxRow) {
      int rows = steps * batch;
      for (int g = 0; g < gates(); g++) {
        blas.gemm(true, false, inWidth, hidden, rows, 1f, x, 0, inWidth, dGate[g], 0, hidden, 1f, wx.grad,
            wxRow * width() + g * hidden, width());
      }
    }

    /**
     * {@code dx += sum_g dGate_g Wx[wxRow.., g]^T} for positions [t0, t0 + count): the gradient of the
     * input rows {@code x} [count*B, inWidth] that were multiplied by those rows of Wx.
     */
    void addInputGradient(Blas blas, int t0, int count, float[] dx, int dxOff, int inWidth, int wxRow) {
      for (int g = 0; g < gates(); g++) {
        blas.gemm(false, true, count * batch, inWidth, hidden, 1f, dGate[g], at(t0), hidden, wx,
            wxRow * width() + g * hidden, 1f, dx, dxOff, inWidth);
      }
    }
  }
}
