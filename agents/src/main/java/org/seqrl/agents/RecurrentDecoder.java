package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Params.Param;

/**
 * A one-layer recurrent decoder: initial state {@code tanh(W [final encoder states] + b)} (the
 * cell's other state arrays start at zero), then per step the embedding of the previous token
 * (plus whatever the attention feeds in) into the cell, and the output layer on the cell output
 * (or on what the attention made of it).
 *
 * <p>Decoded steps look their input up in a per-pass table of every token's input projection, so
 * a step costs one recurrent product per gate; teacher-forced passes project all inputs up front.
 */
final class RecurrentDecoder implements Decoder {
  private final Blas blas;
  private final Param embedding;
  private final Param bridgeW;
  private final Param bridgeB;
  private final RecurrentCell cell;
  private final DecoderAttention attention;
  private final OutputLayer output;
  private final int emb;
  private final int hidden;
  private final int encWidth;

  /** Adds {@code bridge.*}, the cell's {@code dec.*}, the attention's {@code att.*} and {@code out.*}, in that order. */
  RecurrentDecoder(Seq2SeqConfig cfg, Blas blas, Params params, Param embedding, Rng init) {
    this.blas = blas;
    this.embedding = embedding;
    this.emb = embedding.cols;
    this.hidden = cfg.hidden();
    this.encWidth = cfg.encoderWidth();
    bridgeW = params.add("bridge.W", encWidth, hidden, init, 1 / Math.sqrt(encWidth), false);
    bridgeB = params.add("bridge.b", 1, hidden, init, 0, false);
    int in = emb + DecoderAttention.contextWidth(cfg.attention(), encWidth);
    cell = RecurrentCell.create(cfg.cell(), cfg.memory(), params, "dec", in, hidden, init);
    attention = DecoderAttention.create(cfg.attention(), blas, params, hidden, encWidth, cfg.attentionSize(), emb, init);
    output = new OutputLayer(blas, params, hidden, embedding.rows, init);
  }

  @Override
  public int vocab() {
    return output.vocab();
  }

  @Override
  public int featureWidth() {
    return hidden;
  }

  @Override
  public Pass start(Encoding en, int[] sourceOfRow, int capacity, boolean keep) {
    return new RecurrentPass(en, sourceOfRow, capacity, keep, null);
  }

  @Override
  public Pass teacherForced(Encoding en, int[] sourceOfRow, int[] inputs, int steps) {
    RecurrentPass p = new RecurrentPass(en, sourceOfRow, steps, true, inputs);
    for (int t = 0; t < steps; t++) {
      p.advance(null);
    }
    return p;
  }

  /** The cell run of a pass of this decoder (what a memory trace reads). */
  CellRun cellRun(Pass pass) {
    return ((RecurrentPass) pass).run;
  }

  /** s0 = tanh(fin W + b) for every source [B, H]. */
  private float[] bridge(Encoding en) {
    float[] s0 = Linear.forward(blas, en.fin, 0, en.batch, bridgeW, null);
    Activations.tanhWithBias(s0, 0, en.batch, hidden, bridgeB.value);
    return s0;
  }

  /**
   * With {@code keep}, every step runs in its own slot of the cell run and an update can start its
   * backward from the pass; without, slot 0 is reused.
   */
  private final class RecurrentPass implements Pass {
    final Encoding en;
    final int[] srcOf;
    final int rows;
    final boolean keep;
    final SourceRows src;
    final DecoderAttention.Pass att;
    final CellRun run;
    final float[] s0Src;
    /** Input token of every kept step and row [steps * rows]. */
    final int[] inIds;
    /** Embeddings of {@link #inIds}, kept from the projection when teacher-forced. */
    private float[] embIn;
    /** What the output layer reads, per step slot [slots*R, H]. */
    final float[] outAll;
    /** Per gate, the input projection (with bias) of every token's embedding, for decoded steps. */
    private final float[][] embProj;
    int steps;
    /** The state the next step starts from: arrays [R, H] at {@link #stateOff}, h first. */
    private float[][] state;
    private int stateOff;

    RecurrentPass(Encoding en, int[] srcOf, int capacity, boolean keep, int[] knownInputs) {
      this.en = en;
      this.srcOf = srcOf;
      this.rows = srcOf.length;
      this.keep = keep;
      int slots = keep ? capacity : 1;
      int rh = rows * hidden;
      if (en.keys == null) {
        en.keys = attention.keys(en.bsd, en.batch * en.len);
      }
      this.src = en.keys == null ? null
          : new SourceRows(srcOf, en.len, en.lengths, en.bsd, encWidth, en.keys, attention.keyWidth());
      this.att = attention.pass(src, capacity, keep);
      float[][] pre;
      if (knownInputs != null) {
        inIds = knownInputs;
        embProj = null;
        embIn = Mat.gatherRows(embedding.value, emb, knownInputs);
        pre = cell.project(blas, embIn, 0, capacity * rows, emb, 0);
      } else {
        inIds = keep ? new int[capacity * rows] : null;
        embProj = cell.project(blas, embedding.value, 0, embedding.rows, emb, 0);
        pre = new float[cell.gates()][slots * rh];
      }
      run = cell.run(slots, rows, null, pre);
      outAll = att.outputs(run);
      s0Src = bridge(en);
      state = cell.startState(Mat.gatherRows(s0Src, hidden, srcOf), rows);
      if (cell instanceof NtmCell ntm) {
        // the memory passes from encoder to decoder: each row starts from its source's final memory,
        // read vectors and weightings (the encoder's top left-to-right layer is an NTM of the same shape)
        CellRun top = en.runs[en.runs.length - 1][0];
        for (int k = ntm.memoryArray(); k < state.length; k++) {
          int w = cell.stateWidth(k);
          float[] fin = Arrays.copyOfRange(top.out[k], (en.len - 1) * en.batch * w, en.len * en.batch * w);
          state[k] = Mat.gatherRows(fin, w, srcOf);
        }
      }
    }

    @Override
    public int rows() {
      return rows;
    }

    @Override
    public Encoding encoding() {
      return en;
    }

    @Override
    public int[] sourceOfRow() {
      return srcOf;
    }

    @Override
    public int steps() {
      return steps;
    }

    /** Runs the next step; {@code prev} holds each row's input token when decoding, null when teacher-forced. */
    void advance(int[] prev) {
      int t = steps;
      int slot = keep ? t : 0;
      int o = run.at(slot);
      if (prev != null) {
        for (int g = 0; g < cell.gates(); g++) {
          for (int r = 0; r < rows; r++) {
            System.arraycopy(embProj[g], prev[r] * hidden, run.gate[g], o + r * hidden, hidden);
          }
        }
        if (inIds != null) {
          System.arraycopy(prev, 0, inIds, t * rows, rows);
        }
      }
      att.beforeCell(t, slot, state[0], stateOff, run);
      run.forward(blas, slot, state, stateOff);
      att.afterCell(t, slot, run);
      state = run.out;
      stateOff = o;
      steps++;
      run.steps = keep ? steps : 1;
    }

    @Override
    public float[] step(int[] previous) {
      advance(previous);
      return output.forward(outAll, (keep ? steps - 1 : 0) * rows * hidden, rows);
    }

    @Override
    public void reorder(int[] parent) {
      float[][] next = new float[state.length][];
      int rowBase = stateOff / hidden;
      for (int k = 0; k < state.length; k++) {
        int w = cell.stateWidth(k);
        next[k] = Mat.gatherRows(Arrays.copyOfRange(state[k], rowBase * w, (rowBase + rows) * w), w, parent);
      }
      state = next;
      stateOff = 0;
    }

    @Override
    public float[] attentionWeights() {
      return att.lastWeights();
    }

    @Override
    public float[] features() {
      return state[0];
    }

    @Override
    public int featuresOffset() {
      return stateOff;
    }

    @Override
    public float[] keptLogits() {
      return output.forward(outAll, 0, steps * rows);
    }

    @Override
    public float[] keptFeatures() {
      return run.hPrev;
    }

    /** Embeddings of the kept steps' inputs [steps*R, E], what the cell's Wx multiplied. */
    private float[] inputEmbeddings() {
      if (embIn == null) {
        embIn = Mat.gatherRows(embedding.value, emb, Arrays.copyOf(inIds, steps * rows));
      }
      return embIn;
    }

    @Override
    public EncodingGradient backward(float[] dLogits, float[] dFeatures) {
      int r = rows;
      int tt = steps;
      int all = tt * r;
      float[] dhOut = att.outputsBackward(output.backward(outAll, dLogits, all), run);
      float[][] dState = new float[cell.stateArrays()][];
      for (int k = 0; k < dState.length; k++) {
        dState[k] = new float[r * cell.stateWidth(k)];
      }
      float[] dh = dState[0];
      for (int t = tt - 1; t >= 0; t--) {
        Mat.axpy(1f, dhOut, run.at(t), dh, 0, r * hidden);
        run.backward(blas, t, dState);
        att.stepBackward(t, run, dh);
        if (dFeatures != null) {
          Mat.axpy(1f, dFeatures, run.at(t), dh, 0, r * hidden);
        }
      }
      run.accumulateRecurrent(blas);
      run.accumulateInput(blas, inputEmbeddings(), emb, 0);
      att.finishBackward(run);
      float[] dEmb = new float[all * emb];
      run.addInputGradient(blas, 0, tt, dEmb, 0, emb, 0);
      Mat.scatterAddRows(embedding.grad, 0, emb, dEmb, 0, inIds, all);
      // the bridge: s0 = tanh(fin W + b), shared by the rows of one source
      float[] dS0 = new float[en.batch * hidden];
      Mat.scatterAddRows(dS0, 0, hidden, dh, 0, srcOf, r);
      Mat.tanhBackward(dS0, s0Src, dS0.length);
      Linear.accumulate(blas, en.fin, dS0, en.batch, bridgeW, bridgeB);
      float[] dFin = Linear.inputGradient(blas, dS0, en.batch, bridgeW);
      float[] dBsd = null;
      if (src != null) {
        dBsd = new float[en.batch * en.len * encWidth];
        float[] dKeys = new float[en.keys.length];
        src.foldGradients(dBsd, dKeys);
        attention.keysBackward(en.bsd, dKeys, en.batch * en.len, dBsd);
      }
      float[][] dMemory = null;
      if (cell instanceof NtmCell ntm) {
        dMemory = new float[dState.length][];
        for (int k = ntm.memoryArray(); k < dState.length; k++) {
          int w = cell.stateWidth(k);
          dMemory[k] = new float[en.batch * w];
          Mat.scatterAddRows(dMemory[k], 0, w, dState[k], 0, srcOf, r);
        }
      }
      return new EncodingGradient(dBsd, dFin, dMemory);
    }
  }
}
