package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Params.Param;

/**
 * Bahdanau attention: e = v . tanh(keys + q Ws), keys = encoder outputs Uk, from the decoder state
 * {@code q} before a step; the context is fed into the cell at that step. The per-step work is
 * [R, S, A]-sized, so its loops are laid out to vectorise: q Ws is broadcast into the array that
 * becomes tanh(keys + q Ws), and v into a tile of the same layout, once per pass.
 */
final class AdditiveAttention {
  private final Blas blas;
  private final Param ws;
  private final Param v;
  private final int hidden;
  private final int width;

  AdditiveAttention(Blas blas, Params params, int hidden, int width) {
    this.blas = blas;
    this.ws = params.get("att.Ws");
    this.v = params.get("att.v");
    this.hidden = hidden;
    this.width = width;
  }

  /** One step's weights [R*S], context [R*D] and tanh(keys + q Ws) [R*S*A]. */
  static final class Step {
    float[] alpha;
    float[] ctx;
    float[] u;
  }

  /** The attention of one teacher-forced pass or decode over {@code src}. */
  final class Pass {
    final SourceRows src;
    private float[] vTile;
    private float[] dvTile;
    private float[] dPre;

    Pass(SourceRows src) {
      this.src = src;
    }

    /** From the states {@code q} [R, H] at {@code qOff}. */
    Step forward(float[] q, int qOff) {
      int rows = src.rows;
      int s = src.len;
      int a = width;
      float[] wq = new float[rows * a];
      blas.gemm(false, false, rows, a, hidden, 1f, q, qOff, hidden, ws, 0, 0f, wq, 0, a);
      Step st = new Step();
      st.u = new float[rows * s * a];
      float[] u = st.u;
      float[] keys = src.keys;
      for (int r = 0; r < rows; r++) {
        int base = r * s * a;
        int n = src.lengths[r];
        for (int p = 0; p < n; p++) {
          System.arraycopy(wq, r * a, u, base + p * a, a);
        }
        int end = base + n * a;
        for (int k = base; k < end; k++) {
          u[k] = Activations.tanh(keys[k] + u[k]);
        }
      }
      float[] e = new float[rows * s];
      blas.gemm(false, false, rows * s, 1, a, 1f, u, 0, a, v, 0, 0f, e, 0, 1);
      src.softmax(e);
      st.alpha = e;
      st.ctx = src.context(e);
      return st;
    }

    /**
     * Backward of {@link #forward} for the context gradient {@code dCtx} [R, D]: adds into the
     * source rows' value and key gradients and writes the gradient of q Ws into {@code dWq} [R, A] at {@code dwOff}.
     */
    void backward(Step st, float[] dCtx, float[] dWq, int dwOff) {
      int rows = src.rows;
      int s = src.len;
      int a = width;
      int size = rows * s * a;
      if (vTile == null) {
        vTile = new float[size];
        for (int i = 0; i < rows * s; i++) {
          System.arraycopy(v.value, 0, vTile, i * a, a);
        }
        dvTile = new float[size];
        dPre = new float[size];
      }
      float[] de = src.contextBackward(st.alpha, dCtx, 0, src.valueWidth);
      float[] u = st.u;
      float[] dKeys = src.dKeys;
      for (int r = 0; r < rows; r++) {
        for (int p = 0; p < src.lengths[r]; p++) {
          float g = de[r * s + p];
          int o = (r * s + p) * a;
          int end = o + a;
          for (int k = o; k < end; k++) {
            dPre[k] = (1f - u[k] * u[k]) * (g * vTile[k]);
          }
          for (int k = o; k < end; k++) {
            dKeys[k] += dPre[k];
          }
          for (int k = o; k < end; k++) {
            dvTile[k] += g * u[k];
          }
          Mat.axpy(1f, dPre, o, dWq, dwOff + r * a, a);
        }
      }
    }

    /** Adds what the backward steps collected into v's gradient. */
    void finish() {
      if (dvTile == null) {
        return;
      }
      int n = src.rows * src.len;
      float[] ones = new float[n];
      Arrays.fill(ones, 1f);
      blas.gemm(false, false, 1, width, n, 1f, ones, 0, n, dvTile, 0, width, 1f, v.grad, 0, width);
    }
  }
}
