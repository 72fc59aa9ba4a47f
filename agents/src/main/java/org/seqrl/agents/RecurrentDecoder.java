package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Params.Param;

/**
 * A recurrent decoder of {@code decoderLayers} stacked cells. The {@link Bridge} gives every layer
 * its initial h (the cells' other state arrays start at zero). Per step
 * the first layer reads the embedding of the previous token plus whatever the attention feeds in
 * (additive attention's query is this layer's state); each layer above reads the output of the one
 * below (inverted dropout between layers while training; with residual connections that output is
 * the running sum {@code y(l) = h(l) + x(l)}; with dense ones a layer reads every layer below, with
 * skip ones also the output (and state) of layer l − k, side by side, {@link Stacking}); the top output goes to the attention's second hook
 * (dot attention scores it) and to the output layer. A step critic reads the top layer's state.
 * A teacher-forced training pass may also drop out the embeddings' outputs ({@code model.embedding_dropout})
 * and what the output layer reads ({@code model.output_dropout}), {@link Dropout}; decoding never drops.
 * With one layer this is the decoder, parameter for parameter, that checkpoints have always held.
 *
 * <p>Decoded steps look the first layer's input up in a per-pass table of every token's input
 * projection, so a one-layer step costs one recurrent product per gate; teacher-forced passes
 * project all of the first layer's inputs up front.
 */
final class RecurrentDecoder implements Decoder {
  final Blas blas;
  final Param embedding;
  final Bridge bridge;
  /** [layer]; layer 0 is {@code dec.*}, layer l >= 1 {@code dec.<l>.*}. */
  final RecurrentCell[] cells;
  final DecoderAttention attention;
  /**
   * The first layer's state arrays from this index on start from the encoder's final ones (top layer,
   * left to right) rather than zero: from 1 with {@code model.carry_cell_state} (an LSTM's c; an NTM's
   * controller c, then its memory arrays), else an NTM's memory arrays, else none (the index is past the last array).
   */
  final int firstFromEncoder;
  final OutputLayer output;
  final int emb;
  final int hidden;
  final int encWidth;
  final int layers;
  /** What layers above the first read, and whether they add their input to their output. */
  final Stacking stacking;
  final boolean residual;
  /** Input width of every layer above the first. */
  final int[] inWidth;
  private final double dropout;
  private final Rng dropoutRng;
  /** On the target embeddings' outputs (the first layer's token input) and on what the output layer reads. */
  private final Dropout embeddingDropout;
  private final Dropout outputDropout;

  /** Adds the bridge's {@code bridge.*}, the cells' {@code dec.*} (bottom first), the attention's {@code att.*} and {@code out.*}, in that order. */
  RecurrentDecoder(Seq2SeqConfig cfg, Blas blas, Params params, Param embedding, Rng init, Rng dropoutRng) {
    this.blas = blas;
    this.embedding = embedding;
    this.emb = embedding.cols;
    this.hidden = cfg.hidden();
    this.encWidth = cfg.encoderWidth();
    this.layers = cfg.decoderLayers();
    this.stacking = Stacking.of(cfg, layers, hidden);
    this.residual = stacking.residual();
    this.dropout = cfg.dropout();
    this.dropoutRng = dropoutRng;
    this.embeddingDropout = new Dropout(cfg.embeddingDropout(), dropoutRng);
    this.outputDropout = new Dropout(cfg.outputDropout(), dropoutRng);
    bridge = new Bridge(blas, params, encWidth, layers * hidden, cfg.initStateMeanRatio(), init);
    int in = emb + DecoderAttention.contextWidth(cfg.attention(), encWidth);
    cells = new RecurrentCell[layers];
    inWidth = new int[layers];
    inWidth[0] = in;
    cells[0] = RecurrentCell.create(cfg.cell(), cfg.init(), cfg.memory(), params, "dec", in, hidden, init);
    for (int l = 1; l < layers; l++) {
      inWidth[l] = stacking.inputWidth(l);
      cells[l] = RecurrentCell.create(cfg.cell(), cfg.init(), cfg.memory(), params, "dec." + l, inWidth[l], hidden, init);
    }
    attention = DecoderAttention.create(cfg.attention(), blas, params, hidden, encWidth, cfg.attentionSize(), emb, init);
    firstFromEncoder = cfg.carryCellState() ? 1
        : cells[0] instanceof NtmCell ntm ? ntm.memoryArray() : cells[0].stateArrays();
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
  public boolean random(boolean training) {
    return training && dropout > 0 && layers > 1 || embeddingDropout.active(training) || outputDropout.active(training);
  }

  @Override
  public Pass start(Encoding en, int[] sourceOfRow, int capacity, boolean keep) {
    return new RecurrentPass(en, sourceOfRow, capacity, keep, null, false);
  }

  @Override
  public Pass teacherForced(Encoding en, int[] sourceOfRow, int[] inputs, int steps, boolean training) {
    RecurrentPass p = new RecurrentPass(en, sourceOfRow, steps, true, inputs, training);
    for (int t = 0; t < steps; t++) {
      p.advance(null);
    }
    if (outputDropout.active(training)) {
      p.outDropped = Arrays.copyOf(p.outAll, steps * p.rows * hidden);
      p.outMask = outputDropout.forward(p.outDropped, 0, p.outDropped.length);
    }
    return p;
  }

  /** The first layer's cell run of a pass of this decoder (what a memory trace reads: an NTM decoder is one layer). */
  CellRun cellRun(Pass pass) {
    return ((RecurrentPass) pass).runs[0];
  }

  /**
   * With {@code keep}, every step runs in its own slot of the cell runs and an update can start its
   * backward from the pass; without, slot 0 is reused.
   */
  final class RecurrentPass extends DecoderPass {
    final boolean keep;
    /** Whether the inputs of layers above the first are dropped out (a training pass of a stack with {@code model.dropout}). */
    final boolean drop;
    final SourceRows src;
    final DecoderAttention.Pass att;
    /** [layer] */
    final CellRun[] runs;
    /** Layer inputs above the first, per slot [slots*R, H] ([0] is null), and their dropout masks (null without). */
    final float[][] xs;
    final float[][] masks;
    /** What each layer passes up per slot: its cell output, or with residual connections the running sum. */
    final float[][] ys;
    /** Each layer's recurrent state per slot where a skip connection reads it (its c), else null. */
    final float[][] carried;
    final float[] bridgeIn;
    /** The bridge's output, every layer's initial h per source [B, layers*H]. */
    final float[] s0Src;
    /** Input token of every kept step and row [steps * rows]. */
    final int[] inIds;
    /** Embeddings of {@link #inIds}, kept from the projection when teacher-forced (dropped out when training). */
    private float[] embIn;
    /** Embedding dropout's mask over {@link #embIn}, or null. */
    float[] embMask;
    /** Output dropout's mask over the kept steps [steps*R, H] and what the output layer read with it, or null. */
    float[] outMask;
    float[] outDropped;
    /** What the output layer reads, per step slot [slots*R, H]. */
    final float[] outAll;
    /** Per gate, the first layer's input projection (with bias) of every token's embedding, for decoded steps. */
    private final float[][] embProj;
    /** Per layer, the state its next step starts from: arrays [R, H] at {@link #stateOff}, h first. */
    private final float[][][] state;
    private final int[] stateOff;
    /** Norm-stabilizer gradients per layer, of each step's h after and before the step, or null. */
    float[][] nsOut;
    float[][] nsPrev;

    /** {@code training}: a teacher-forced pass ({@code knownInputs}) for an update, which draws dropout. */
    RecurrentPass(Encoding en, int[] srcOf, int capacity, boolean keep, int[] knownInputs, boolean training) {
      super(en, srcOf);
      this.keep = keep;
      this.drop = training && dropout > 0 && layers > 1;
      int slots = keep ? capacity : 1;
      int rh = rows * hidden;
      if (en.keys == null) {
        en.keys = attention.keys(en.bsd, en.batch * en.len);
      }
      this.src = en.keys == null ? null
          : new SourceRows(srcOf, en.len, en.lengths, en.bsd, encWidth, en.keys, attention.keyWidth());
      this.att = attention.pass(src, capacity, keep);
      RecurrentCell first = cells[0];
      float[][] pre;
      if (knownInputs != null) {
        inIds = knownInputs;
        embProj = null;
        embIn = Mat.gatherRows(embedding.value, emb, knownInputs);
        if (embeddingDropout.active(training)) {
          embMask = embeddingDropout.forward(embIn, 0, embIn.length);
        }
        pre = first.project(blas, embIn, 0, capacity * rows, emb, 0);
      } else {
        inIds = keep ? new int[capacity * rows] : null;
        embProj = first.project(blas, embedding.value, 0, embedding.rows, emb, 0);
        pre = new float[first.gates()][slots * rh];
      }
      runs = new CellRun[layers];
      runs[0] = first.run(slots, rows, null, pre);
      xs = new float[layers][];
      masks = new float[layers][];
      ys = new float[layers][];
      carried = new float[layers][];
      ys[0] = runs[0].hOut;
      for (int l = 1; l < layers; l++) {
        runs[l] = cells[l].run(slots, rows, null, new float[cells[l].gates()][slots * rh]);
        xs[l] = new float[slots * rows * inWidth[l]];
        masks[l] = drop ? new float[xs[l].length] : null;
        ys[l] = residual ? new float[slots * rh] : runs[l].hOut;
      }
      for (int l = 0; l < layers; l++) {
        carried[l] = stacking.readsState(l) ? runs[l].out[1] : null;
      }
      outAll = att.outputs(ys[layers - 1]);
      bridgeIn = bridge.input(en);
      s0Src = bridge.forward(bridgeIn, en.batch);
      state = new float[layers][][];
      stateOff = new int[layers];
      for (int l = 0; l < layers; l++) {
        state[l] = cells[l].startState(initialState(l), rows);
      }
      if (firstFromEncoder < state[0].length) {
        // each row starts from its source's final c and/or NTM memory, read vectors and weightings (position
        // len - 1: a shorter source's padded steps carried its last real state there; the
        // encoder's top left-to-right layer is a cell of the same kind and size; the decoder is one layer, Seq2SeqConfig)
        CellRun top = en.runs[en.runs.length - 1][0];
        for (int k = firstFromEncoder; k < state[0].length; k++) {
          int w = first.stateWidth(k);
          float[] fin = Arrays.copyOfRange(top.out[k], (en.len - 1) * en.batch * w, en.len * en.batch * w);
          state[0][k] = Mat.gatherRows(fin, w, srcOf);
        }
      }
    }

    /** Layer l's initial h for every row [R, H]: its columns of the bridge, from the row's source. */
    private float[] initialState(int l) {
      if (layers == 1) {
        return Mat.gatherRows(s0Src, hidden, srcOf);
      }
      float[] h = new float[rows * hidden];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(s0Src, (srcOf[r] * layers + l) * hidden, h, r * hidden, hidden);
      }
      return h;
    }

    /** Runs the next step; {@code prev} holds each row's input token when decoding, null when teacher-forced. */
    void advance(int[] prev) {
      int t = steps;
      int slot = keep ? t : 0;
      CellRun first = runs[0];
      int o = first.at(slot);
      int rh = rows * hidden;
      if (prev != null) {
        for (int g = 0; g < cells[0].gates(); g++) {
          for (int r = 0; r < rows; r++) {
            System.arraycopy(embProj[g], prev[r] * hidden, first.gate[g], o + r * hidden, hidden);
          }
        }
        if (inIds != null) {
          System.arraycopy(prev, 0, inIds, t * rows, rows);
        }
      }
      att.beforeCell(t, slot, state[0][0], stateOff[0], first);
      first.forward(blas, slot, state[0], stateOff[0]);
      state[0] = first.out;
      stateOff[0] = o;
      for (int l = 1; l < layers; l++) {
        CellRun run = runs[l];
        float[] x = xs[l];
        int w = inWidth[l];
        int xo = slot * rows * w;
        if (stacking.gathers(l)) {
          stacking.gather(ys, carried, l, slot * rows, rows, x);
        } else {
          System.arraycopy(ys[l - 1], o, x, xo, rh);
        }
        if (drop) {
          float keepP = (float) (1 - dropout);
          float[] m = masks[l];
          for (int i = xo; i < xo + rows * w; i++) {
            m[i] = dropoutRng.nextDouble() < keepP ? 1f / keepP : 0f;
            x[i] *= m[i];
          }
        }
        float[][] pre = cells[l].project(blas, x, xo, rows, w, 0);
        for (int g = 0; g < pre.length; g++) {
          System.arraycopy(pre[g], 0, run.gate[g], o, rh);
        }
        run.forward(blas, slot, state[l], stateOff[l]);
        state[l] = run.out;
        stateOff[l] = o;
        if (residual) {
          float[] y = ys[l];
          for (int i = o; i < o + rh; i++) {
            y[i] = run.hOut[i] + x[i];
          }
        }
      }
      att.afterCell(t, slot, ys[layers - 1]);
      steps++;
      for (CellRun run : runs) {
        run.steps = keep ? steps : 1;
      }
    }

    @Override
    public float[] step(int[] previous) {
      advance(previous);
      return output.forward(outAll, (keep ? steps - 1 : 0) * rows * hidden, rows);
    }

    @Override
    public void reorder(int[] parent) {
      for (int l = 0; l < layers; l++) {
        float[][] s = state[l];
        float[][] next = new float[s.length][];
        int rowBase = stateOff[l] / hidden;
        for (int k = 0; k < s.length; k++) {
          int w = cells[l].stateWidth(k);
          next[k] = Mat.gatherRows(Arrays.copyOfRange(s[k], rowBase * w, (rowBase + rows) * w), w, parent);
        }
        state[l] = next;
        stateOff[l] = 0;
      }
      att.reorder(parent);
    }

    @Override
    public float[] attentionWeights() {
      return att.lastWeights();
    }

    @Override
    public float[] features() {
      return state[layers - 1][0];
    }

    @Override
    public int featuresOffset() {
      return stateOff[layers - 1];
    }

    @Override
    public float[] keptLogits() {
      return output.forward(outputInput(), 0, steps * rows);
    }

    /** What the output layer reads over the kept steps: {@link #outAll}, or its dropped-out copy in a training pass. */
    float[] outputInput() {
      return outDropped != null ? outDropped : outAll;
    }

    @Override
    public float[] keptFeatures() {
      return runs[layers - 1].hPrev;
    }

    @Override
    public double stabilizeHidden(double beta, double rowsNorm, int[] lengths) {
      int size = steps * rows * hidden;
      nsOut = new float[layers][size];
      nsPrev = new float[layers][size];
      double total = 0;
      for (int l = 0; l < layers; l++) {
        total += NormStabilizer.apply(beta, rowsNorm, runs[l].hOut, runs[l].hPrev, 0, 0, steps, rows, hidden, lengths,
            nsOut[l], nsPrev[l]);
      }
      return total;
    }

    /** Embeddings of the kept steps' inputs [steps*R, E], what the first cell's Wx multiplied. */
    float[] inputEmbeddings() {
      if (embIn == null) {
        embIn = Mat.gatherRows(embedding.value, emb, Arrays.copyOf(inIds, steps * rows));
      }
      return embIn;
    }

    @Override
    public EncodingGradient backward(float[] dLogits, float[] dFeatures) {
      return RecurrentBackward.backward(RecurrentDecoder.this, this, dLogits, dFeatures);
    }
  }
}
