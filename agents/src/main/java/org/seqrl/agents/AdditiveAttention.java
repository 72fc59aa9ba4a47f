package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Params.Param;

/**
 * Bahdanau attention: e = v . tanh(keys + q Ws), keys = encoder outputs Uk, from the decoder state
 * {@code q} before a step; the context is fed into the cell at that step. The per-step work is
 * [R, S, A]-sized, so its loops are laid out to vectorise: q Ws is broadcast into the array that
 * becomes tanh(keys + q Ws), and v into a tile of the same layout, once per pass.
 *
 * <p>Location-aware (Chorowski et al. 2015), when made with a window: the score of position j also
 * reads the previous step's weights around j, e_j = v . tanh(keys_j + q Ws + sum_d alpha'_{j+d} L_d)
 * for d in [-w, w], so that the attention can learn to move on from where it was instead of
 * jumping ahead. Their filter bank and its projection are folded into one matrix L [2w+1, A] (the
 * same functions when the filters are at least as many as the taps). Before the first step alpha'
 * is uniform over the source. The weights of one step now feed the next, so the backward carries
 * their gradient from step t+1 into step t's softmax.
 */
final class AdditiveAttention implements DecoderAttention {
  private final Blas blas;
  private final Param ws;
  private final Param uk;
  private final Param v;
  private final int hidden;
  private final int encWidth;
  private final int width;
  /** First row of the cell's Wx that multiplies the context. */
  private final int wxRow;
  /** The location term's L [2w+1, A], or null for plain additive attention. */
  private final Param location;
  /** Its half-width w: the previous weights at j-w .. j+w inform the score of j. */
  private final int window;

  /** Plain additive attention with {@code window} 0, location-aware with a half-width {@code window > 0}. */
  AdditiveAttention(Blas blas, Params params, int hidden, int encWidth, int width, int window, int wxRow, Rng init) {
    this.blas = blas;
    this.ws = params.add("att.Ws", hidden, width, init, 1 / Math.sqrt(hidden), false);
    this.uk = params.add("att.Uk", encWidth, width, init, 1 / Math.sqrt(encWidth), false);
    this.v = params.add("att.v", width, 1, init, 1 / Math.sqrt(width), false);
    // added last, so that plain additive attention keeps its parameters' order and initial values
    this.location = window > 0 ? params.add("att.L", 2 * window + 1, width, init, 1.0, false) : null;
    this.hidden = hidden;
    this.encWidth = encWidth;
    this.width = width;
    this.window = window;
    this.wxRow = wxRow;
  }

  @Override
  public int cellInputWidth() {
    return encWidth;
  }

  @Override
  public int keyWidth() {
    return width;
  }

  @Override
  public float[] keys(float[] bsd, int rows) {
    return Linear.forward(blas, bsd, 0, rows, uk, null);
  }

  @Override
  public void keysBackward(float[] bsd, float[] dKeys, int rows, float[] dBsd) {
    Linear.accumulate(blas, bsd, dKeys, rows, uk, null);
    blas.gemm(false, true, rows, encWidth, width, 1f, dKeys, 0, width, uk, 0, 1f, dBsd, 0, encWidth);
  }

  @Override
  public Pass pass(SourceRows src, int capacity, boolean trace) {
    return new AdditivePass(src, capacity, trace);
  }

  /** One step's weights [R*S], context [R*D], tanh(keys + q Ws) [R*S*A], and the previous weights' windows [R*S, 2w+1] or null. */
  static final class Step {
    float[] alpha;
    float[] ctx;
    float[] u;
    float[] windows;
  }

  private final class AdditivePass implements Pass {
    final SourceRows src;
    private final boolean trace;
    private final Step[] steps;
    /** Contexts of every traced step [steps*R, D], what the cell's Wx multiplied. */
    private final float[] ctxAll;
    private float[] alpha;
    /** Gradient of q Ws of every step [steps*R, A]. */
    private float[] dWq;
    private float[] vTile;
    private float[] dvTile;
    private float[] dPre;
    /** Location term: the gradient of the weights of the step before the one last run backward [R*S]. */
    private float[] dAlphaCarried;

    AdditivePass(SourceRows src, int capacity, boolean trace) {
      this.src = src;
      this.trace = trace;
      this.steps = trace ? new Step[capacity] : null;
      this.ctxAll = trace ? new float[capacity * src.rows * encWidth] : null;
    }

    @Override
    public void beforeCell(int t, int slot, float[] h, int hOff, CellRun run) {
      Step a = forward(h, hOff);
      alpha = a.alpha;
      if (trace) {
        steps[t] = a;
        System.arraycopy(a.ctx, 0, ctxAll, t * src.rows * encWidth, src.rows * encWidth);
      }
      run.addInput(blas, slot, a.ctx, encWidth, wxRow);
    }

    @Override
    public void afterCell(int t, int slot, float[] top) {}

    @Override
    public float[] outputs(float[] top) {
      return top;
    }

    @Override
    public float[] lastWeights() {
      return alpha;
    }

    @Override
    public float[] outputsBackward(float[] dOutputs, float[] top) {
      return dOutputs;
    }

    @Override
    public void reorder(int[] parent) {
      if (location != null && alpha != null) {
        alpha = Mat.gatherRows(alpha, src.len, parent);
      }
    }

    /** Row r's previous weights around each of its positions, [R*S, 2w+1] (0 outside the source): what L multiplies. */
    private float[] windows() {
      int rows = src.rows;
      int s = src.len;
      int taps = 2 * window + 1;
      float[] x = new float[rows * s * taps];
      for (int r = 0; r < rows; r++) {
        int n = src.lengths[r];
        for (int p = 0; p < n; p++) {
          int o = (r * s + p) * taps;
          for (int d = Math.max(-window, -p); d <= Math.min(window, n - 1 - p); d++) {
            x[o + d + window] = alpha != null ? alpha[r * s + p + d] : 1f / n;
          }
        }
      }
      return x;
    }

    /** u[k] = tanh(keys[k] + u[k]) for k in [from, to). */
    private static void addKeysAndTanh(float[] u, float[] keys, int from, int to) {
      for (int k = from; k < to; k++) {
        u[k] = Activations.tanh(keys[k] + u[k]);
      }
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
      // Plain additive: each row's block gets its tanh right after the broadcast, while it is in cache
      // instead of a second pass over all of u. Location-aware: the location term must be in u first.
      boolean plain = location == null;
      RowSplit.run(rows, SourceRows.ROWS_PER_THREAD, (from, to) -> {
        for (int r = from; r < to; r++) {
          int base = r * s * a;
          int n = src.lengths[r];
          for (int p = 0; p < n; p++) {
            System.arraycopy(wq, r * a, u, base + p * a, a);
          }
          if (plain) {
            addKeysAndTanh(u, keys, base, base + n * a);
          }
        }
      });
      if (!plain) {
        st.windows = windows();
        int taps = 2 * window + 1;
        blas.gemm(false, false, rows * s, a, taps, 1f, st.windows, 0, taps, location, 0, 1f, u, 0, a);
        RowSplit.run(rows, SourceRows.ROWS_PER_THREAD, (from, to) -> {
          for (int r = from; r < to; r++) {
            int base = r * s * a;
            addKeysAndTanh(u, keys, base, base + src.lengths[r] * a);
          }
        });
      }
      float[] e = new float[rows * s];
      blas.gemm(false, false, rows * s, 1, a, 1f, u, 0, a, v, 0, 0f, e, 0, 1);
      src.softmax(e);
      st.alpha = e;
      st.ctx = src.context(e);
      return st;
    }

    @Override
    public void stepBackward(int t, CellRun run, float[] dh) {
      int r = src.rows;
      if (dWq == null) {
        dWq = new float[run.steps * r * width];
      }
      float[] dCtx = new float[r * encWidth];
      run.addInputGradient(blas, t, 1, dCtx, 0, encWidth, wxRow);
      backward(steps[t], dCtx, t * r * width);
      blas.gemm(false, true, r, hidden, width, 1f, dWq, t * r * width, width, ws, 0, 1f, dh, 0, hidden);
    }

    /**
     * Backward of {@link #forward} for the context gradient {@code dCtx} [R, D]: adds into the
     * source rows' value and key gradients and writes the gradient of q Ws into {@link #dWq} at {@code dwOff}.
     */
    private void backward(Step st, float[] dCtx, int dwOff) {
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
      float[] de = src.contextBackward(st.alpha, dCtx, 0, src.valueWidth, dAlphaCarried);
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
      if (location != null) {
        locationBackward(st);
      }
    }

    /**
     * The location term's backward: L's gradient, and the gradient of the previous step's weights
     * (carried into that step's backward, which runs next; the uniform start has none).
     */
    private void locationBackward(Step st) {
      int rows = src.rows;
      int s = src.len;
      int a = width;
      int taps = 2 * window + 1;
      // dPre is 0 at padded positions (only valid ones are written) and so are the windows there
      blas.gemm(true, false, taps, a, rows * s, 1f, st.windows, 0, taps, dPre, 0, a, 1f, location.grad, 0, a);
      float[] dWindows = new float[rows * s * taps];
      blas.gemm(false, true, rows * s, taps, a, 1f, dPre, 0, a, location, 0, 0f, dWindows, 0, taps);
      float[] dPrev = new float[rows * s];
      for (int r = 0; r < rows; r++) {
        int n = src.lengths[r];
        for (int p = 0; p < n; p++) {
          int o = (r * s + p) * taps;
          for (int d = Math.max(-window, -p); d <= Math.min(window, n - 1 - p); d++) {
            dPrev[r * s + p + d] += dWindows[o + d + window];
          }
        }
      }
      dAlphaCarried = dPrev;
    }

    @Override
    public void finishBackward(CellRun run) {
      dAlphaCarried = null;
      run.accumulateInput(blas, ctxAll, encWidth, wxRow);
      Linear.accumulate(blas, run.hPrev, dWq, run.steps * src.rows, ws, null);
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
