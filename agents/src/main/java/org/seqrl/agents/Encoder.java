package org.seqrl.agents;

import org.seqrl.agents.Params.Param;
import org.seqrl.rl.Tokens;

/**
 * The source encoder: embeddings, then {@code layers} stacked layers of recurrent cells, each
 * reading the source left to right and, when bidirectional, right to left too (outputs
 * concatenated); inverted dropout on the embeddings' outputs ({@code model.embedding_dropout}) and between
 * layers ({@code model.dropout}) while training; what a layer above the first
 * reads of the layers below is {@link Stacking}'s (with residual connections it passes up its output
 * plus its input). Padded source steps carry the previous state, so padding never changes a final state.
 */
final class Encoder implements SourceEncoder {
  private final Blas blas;
  private final Param embedding;
  /** [layer][direction] */
  private final RecurrentCell[][] cells;
  private final int emb;
  private final int hidden;
  private final int width;
  private final double dropout;
  private final Rng dropoutRng;
  /** On the embeddings' outputs, the first layer's input. */
  private final Dropout embeddingDropout;
  /** What layers above the first read, and whether they add their input to their output. */
  private final Stacking stacking;
  private final boolean residual;

  /** Creates the cells' parameters {@code enc.<layer>.<direction>.*} in that order. */
  Encoder(Seq2SeqConfig cfg, Blas blas, Params params, Param embedding, Rng init, Rng dropoutRng) {
    this.blas = blas;
    this.embedding = embedding;
    this.emb = embedding.cols;
    this.hidden = cfg.hidden();
    this.width = cfg.encoderWidth();
    this.dropout = cfg.dropout();
    this.dropoutRng = dropoutRng;
    this.embeddingDropout = new Dropout(cfg.embeddingDropout(), dropoutRng);
    this.stacking = Stacking.of(cfg, cfg.encoderLayers(), width);
    this.residual = stacking.residual();
    cells = new RecurrentCell[cfg.encoderLayers()][cfg.directions()];
    for (int l = 0; l < cells.length; l++) {
      int in = inputWidth(l);
      for (int d = 0; d < cells[l].length; d++) {
        cells[l][d] = RecurrentCell.create(cfg.cell(), cfg.init(), cfg.memory(), params, "enc." + l + "." + d, in, hidden, init);
      }
    }
  }

  private int inputWidth(int l) {
    return l == 0 ? emb : stacking.inputWidth(l);
  }

  /** Width of an output: hidden times directions. */
  @Override
  public int width() {
    return width;
  }

  /** Whether two encodings of the same sources with the same parameters can differ (dropout while training). */
  @Override
  public boolean random(boolean training) {
    return training && dropout > 0 && cells.length > 1 || embeddingDropout.active(training);
  }

  @Override
  public Encoding encode(int[][] sources, boolean training) {
    int b = sources.length;
    int s = 1;
    for (int[] x : sources) {
      s = Math.max(s, x.length);
    }
    Encoding en = new Encoding();
    en.batch = b;
    en.len = s;
    en.lengths = new int[b];
    en.ids = new int[s * b];
    for (int i = 0; i < b; i++) {
      en.lengths[i] = sources[i].length;
      for (int t = 0; t < s; t++) {
        en.ids[t * b + i] = t < sources[i].length ? sources[i][t] : Tokens.PAD;
      }
    }
    int layers = cells.length;
    int rows = s * b;
    int hd = hidden;
    en.layerIn = new float[layers][];
    en.dropMask = new float[layers][];
    en.runs = new CellRun[layers][];
    float[] x = Mat.gatherRows(embedding.value, emb, en.ids);
    if (embeddingDropout.active(training)) {
      en.dropMask[0] = embeddingDropout.forward(x, 0, x.length);
    }
    float[] out = null;
    float[][] outs = new float[layers][];
    float[][] states = new float[layers][];
    float[] fin = new float[b * width];
    for (int l = 0; l < layers; l++) {
      if (stacking.gathers(l)) {
        x = new float[rows * inputWidth(l)];
        stacking.gather(outs, states, l, 0, rows, x);
      }
      if (l > 0 && training && dropout > 0) {
        float keep = (float) (1 - dropout);
        float[] m = new float[x.length];
        for (int i = 0; i < m.length; i++) {
          m[i] = dropoutRng.nextDouble() < keep ? 1f / keep : 0f;
        }
        en.dropMask[l] = m;
        float[] dropped = new float[x.length];
        for (int i = 0; i < x.length; i++) {
          dropped[i] = x[i] * m[i];
        }
        x = dropped;
      }
      en.layerIn[l] = x;
      int in = inputWidth(l);
      int dirs = cells[l].length;
      en.runs[l] = new CellRun[dirs];
      out = new float[rows * width];
      float[] state = stacking.readsState(l) ? new float[rows * width] : null;
      for (int d = 0; d < dirs; d++) {
        RecurrentCell cell = cells[l][d];
        CellRun run = cell.run(s, b, en.lengths, cell.project(blas, x, 0, rows, in, 0));
        float[][] zeros = cell.startState(new float[b * hd], b);
        for (int i = 0; i < s; i++) {
          int t = d == 0 ? i : s - 1 - i;
          if (i == 0) {
            run.forward(blas, t, zeros, 0);
          } else {
            run.forward(blas, t, run.out, run.at(d == 0 ? t - 1 : t + 1));
          }
        }
        en.runs[l][d] = run;
        for (int r = 0; r < rows; r++) {
          System.arraycopy(run.hOut, r * hd, out, r * width + d * hd, hd);
          if (state != null) {
            System.arraycopy(run.out[1], r * hd, state, r * width + d * hd, hd);
          }
        }
        int last = run.at(d == 0 ? s - 1 : 0);
        for (int i = 0; i < b; i++) {
          System.arraycopy(run.hOut, last + i * hd, fin, i * width + d * hd, hd);
        }
      }
      if (residual && l > 0) {
        Mat.axpy(1f, x, 0, out, 0, out.length);
      }
      outs[l] = out;
      states[l] = state;
      x = out;
    }
    en.fin = fin;
    en.bsd = new float[rows * width];
    for (int t = 0; t < s; t++) {
      for (int i = 0; i < b; i++) {
        System.arraycopy(out, (t * b + i) * width, en.bsd, (i * s + t) * width, width);
      }
    }
    return en;
  }

  /**
   * β · (1/B) Σ_sources mean over the source's positions of (‖h_t‖ − ‖h_{t−1}‖)², for every layer
   * and direction (they add up); h_{−1} is the zero start state. Each position pairs the state after
   * it with the state before it, so a right-to-left run is read in its own order.
   */
  @Override
  public double stabilizeHidden(Encoding en, double beta) {
    int rows = en.len * en.batch * hidden;
    en.nsOut = new float[cells.length][][];
    en.nsPrev = new float[cells.length][][];
    double total = 0;
    for (int l = 0; l < cells.length; l++) {
      int dirs = cells[l].length;
      en.nsOut[l] = new float[dirs][rows];
      en.nsPrev[l] = new float[dirs][rows];
      for (int d = 0; d < dirs; d++) {
        CellRun run = en.runs[l][d];
        total += NormStabilizer.apply(beta, en.batch, run.hOut, run.hPrev, 0, 0, en.len, en.batch, hidden, en.lengths,
            en.nsOut[l][d], en.nsPrev[l][d]);
      }
    }
    return total;
  }

  /** Backward of {@link #encode}: {@code dBsd} [B*S, D] into the outputs, {@code dFin} [B, D] into the final states (either may be null). */
  @Override
  public void backward(Encoding en, float[] dBsd, float[] dFin) {
    backward(en, dBsd, dFin, null);
  }

  /**
   * The same, with {@code dMemory[k]} [B, width of array k] the gradient of the top layer's
   * left-to-right final state array k > 0 (what a memory-augmented decoder started from), or null.
   */
  @Override
  public void backward(Encoding en, float[] dBsd, float[] dFin, float[][] dMemory) {
    int b = en.batch;
    int s = en.len;
    int rows = s * b;
    int hd = hidden;
    int top = cells.length - 1;
    float[] dOut = new float[rows * width];
    if (dBsd != null) {
      for (int t = 0; t < s; t++) {
        for (int i = 0; i < b; i++) {
          System.arraycopy(dBsd, (i * s + t) * width, dOut, (t * b + i) * width, width);
        }
      }
    }
    // gradient of each layer's output, filled from the layers above it
    float[][] dOuts = new float[cells.length][];
    dOuts[top] = dOut;
    // gradient of each layer's carried state (skip connections), where a layer above reads it
    float[][] dStates = new float[cells.length][];
    float[][][] nsOut = en.nsOut;
    float[][][] nsPrev = en.nsPrev;
    en.nsOut = null; // spent by this backward
    en.nsPrev = null;
    for (int l = top; l >= 0; l--) {
      float[] x = en.layerIn[l];
      int in = inputWidth(l);
      float[] dX = new float[rows * in];
      dOut = dOuts[l];
      float[] dCarried = dStates[l];
      for (int d = 0; d < cells[l].length; d++) {
        CellRun run = en.runs[l][d];
        RecurrentCell cell = cells[l][d];
        float[][] dState = new float[cell.stateArrays()][];
        for (int k = 0; k < dState.length; k++) {
          dState[k] = l == top && d == 0 && k > 0 && dMemory != null && dMemory[k] != null
              ? dMemory[k].clone() : new float[b * cell.stateWidth(k)];
        }
        float[] dh = dState[0];
        if (l == top && dFin != null) {
          for (int i = 0; i < b; i++) {
            System.arraycopy(dFin, i * width + d * hd, dh, i * hd, hd);
          }
        }
        for (int i = s - 1; i >= 0; i--) {
          int t = d == 0 ? i : s - 1 - i;
          for (int r = 0; r < b; r++) {
            Mat.axpy(1f, dOut, (t * b + r) * width + d * hd, dh, r * hd, hd);
          }
          if (dCarried != null) {
            for (int r = 0; r < b; r++) {
              Mat.axpy(1f, dCarried, (t * b + r) * width + d * hd, dState[1], r * hd, hd);
            }
          }
          if (nsOut != null) {
            Mat.axpy(1f, nsOut[l][d], run.at(t), dh, 0, b * hd);
          }
          run.backward(blas, t, dState);
          if (nsPrev != null) {
            Mat.axpy(1f, nsPrev[l][d], run.at(t), dh, 0, b * hd);
          }
        }
        run.accumulateRecurrent(blas);
        run.accumulateInput(blas, x, in, 0);
        run.addInputGradient(blas, 0, s, dX, 0, in, 0);
      }
      if (residual && l > 0) {
        Mat.axpy(1f, dOut, 0, dX, 0, dX.length);
      }
      if (l > 0) {
        float[] m = en.dropMask[l];
        if (m != null) {
          for (int i = 0; i < dX.length; i++) {
            dX[i] *= m[i];
          }
        }
        if (stacking.gathers(l)) {
          stacking.scatter(dX, l, rows, dOuts, dStates);
        } else if (dOuts[l - 1] == null) {
          dOuts[l - 1] = dX;
        } else {
          Mat.axpy(1f, dX, 0, dOuts[l - 1], 0, dX.length); // dense or skip: layers above l already added theirs
        }
      } else {
        if (en.dropMask[0] != null) {
          Dropout.backward(en.dropMask[0], dX, 0);
        }
        Mat.scatterAddRows(embedding.grad, 0, emb, dX, 0, en.ids, rows);
      }
    }
  }
}
