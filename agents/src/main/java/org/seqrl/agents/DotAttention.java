package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/**
 * Luong attention: e = keys . h from the cell output h, keys = encoder outputs Wk; the output layer
 * reads {@code tanh(Wc [context, h] + bc)}, whose backward runs batched over all steps.
 */
final class DotAttention implements DecoderAttention {
  private final Blas blas;
  private final Param wk;
  private final Param wc;
  private final Param bc;
  private final int hidden;
  private final int encWidth;

  DotAttention(Blas blas, Params params, int hidden, int encWidth, Rng init) {
    this.blas = blas;
    this.wk = params.add("att.Wk", encWidth, hidden, init, 1 / Math.sqrt(encWidth), false);
    this.wc = params.add("att.Wc", encWidth + hidden, hidden, init, 1 / Math.sqrt(encWidth + hidden), false);
    this.bc = params.add("att.bc", 1, hidden, init, 0, false);
    this.hidden = hidden;
    this.encWidth = encWidth;
  }

  @Override
  public int cellInputWidth() {
    return 0;
  }

  @Override
  public int keyWidth() {
    return hidden;
  }

  @Override
  public float[] keys(float[] bsd, int rows) {
    return Linear.forward(blas, bsd, 0, rows, wk, null);
  }

  @Override
  public void keysBackward(float[] bsd, float[] dKeys, int rows, float[] dBsd) {
    Linear.accumulate(blas, bsd, dKeys, rows, wk, null);
    blas.gemm(false, true, rows, encWidth, hidden, 1f, dKeys, 0, hidden, wk, 0, 1f, dBsd, 0, encWidth);
  }

  @Override
  public Pass pass(SourceRows src, int capacity, boolean trace) {
    return new DotPass(src, capacity, trace);
  }

  /** Weights [R*S] and context [R*D] of one step. */
  static final class Step {
    float[] alpha;
    float[] ctx;
  }

  private final class DotPass implements Pass {
    final SourceRows src;
    private final boolean trace;
    private final Step[] steps;
    /** [context, h] of every traced step [steps*R, D+H]. */
    private final float[] catAll;
    /** tanh(Wc [context, h] + bc) per slot [slots*R, H]. */
    private final float[] outAll;
    private float[] alpha;

    DotPass(SourceRows src, int capacity, boolean trace) {
      this.src = src;
      this.trace = trace;
      this.steps = trace ? new Step[capacity] : null;
      this.catAll = trace ? new float[capacity * src.rows * (encWidth + hidden)] : null;
      this.outAll = new float[(trace ? capacity : 1) * src.rows * hidden];
    }

    @Override
    public void beforeCell(int t, int slot, float[] h, int hOff, CellRun run) {}

    @Override
    public void afterCell(int t, int slot, float[] top) {
      int rows = src.rows;
      int o = slot * rows * hidden;
      Step d = forward(top, o);
      alpha = d.alpha;
      float[] cat = concat(d.ctx, top, o, rows);
      float[] out = Linear.forward(blas, cat, 0, rows, wc, null);
      Activations.tanhWithBias(out, 0, rows, hidden, bc.value);
      System.arraycopy(out, 0, outAll, o, rows * hidden);
      if (trace) {
        steps[t] = d;
        System.arraycopy(cat, 0, catAll, t * cat.length, cat.length);
      }
    }

    @Override
    public float[] outputs(float[] top) {
      return outAll;
    }

    @Override
    public float[] lastWeights() {
      return alpha;
    }

    /** From the cell outputs {@code h} [R, H] at {@code hOff}. */
    private Step forward(float[] h, int hOff) {
      int rows = src.rows;
      int s = src.len;
      int hd = src.keyWidth;
      float[] e = new float[rows * s];
      for (int r = 0; r < rows; r++) {
        for (int p = 0; p < src.lengths[r]; p++) {
          e[r * s + p] = Mat.dot(src.keys, (r * s + p) * hd, h, hOff + r * hd, hd);
        }
      }
      src.softmax(e);
      Step st = new Step();
      st.alpha = e;
      st.ctx = src.context(e);
      return st;
    }

    /** {@code [ctx, h]} rows of the output combination. */
    private float[] concat(float[] ctx, float[] h, int hOff, int rows) {
      int w = encWidth + hidden;
      float[] cat = new float[rows * w];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(ctx, r * encWidth, cat, r * w, encWidth);
        System.arraycopy(h, hOff + r * hidden, cat, r * w + encWidth, hidden);
      }
      return cat;
    }

    @Override
    public float[] outputsBackward(float[] dOutputs, float[] top) {
      int r = src.rows;
      int rows = dOutputs.length / hidden;
      int cw = encWidth + hidden;
      float[] dPre = dOutputs.clone();
      Mat.tanhBackward(dPre, outAll, dPre.length);
      Linear.accumulate(blas, catAll, dPre, rows, wc, bc);
      float[] dCat = Linear.inputGradient(blas, dPre, rows, wc);
      float[] dh = new float[rows * hidden];
      for (int t = 0; t < rows / r; t++) {
        int catOff = t * r * cw;
        int ho = t * r * hidden;
        for (int i = 0; i < r; i++) {
          System.arraycopy(dCat, catOff + i * cw + encWidth, dh, ho + i * hidden, hidden);
        }
        backward(steps[t], dCat, catOff, cw, top, dh, ho);
      }
      return dh;
    }

    /**
     * Backward of {@link #forward} for the context gradient ({@code dCtx} rows at {@code dOff}, leading
     * dimension {@code ld}): adds into the source rows' gradients and into {@code dh} [R, H] at {@code hOff}.
     */
    private void backward(Step st, float[] dCtx, int dOff, int ld, float[] h, float[] dh, int hOff) {
      int s = src.len;
      int hd = src.keyWidth;
      float[] de = src.contextBackward(st.alpha, dCtx, dOff, ld);
      for (int r = 0; r < src.rows; r++) {
        int ho = hOff + r * hd;
        for (int p = 0; p < src.lengths[r]; p++) {
          float g = de[r * s + p];
          int ko = (r * s + p) * hd;
          Mat.axpy(g, h, ho, src.dKeys, ko, hd);
          Mat.axpy(g, src.keys, ko, dh, ho, hd);
        }
      }
    }

    @Override
    public void stepBackward(int t, CellRun run, float[] dh) {}

    @Override
    public void finishBackward(CellRun run) {}
  }
}
