package org.seqrl.agents;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CriticTrunk;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.Tokens;
import org.seqrl.rl.UpdateStats;

/**
 * Recurrent encoder-decoder policy in float32 with hand-written forward and backward passes:
 * matrix products go to OpenBLAS ({@link Blas}), everything between them runs as fused loops on
 * Java arrays. Per-op dispatch dominated at these sizes with ND4J (10-80 us per small op), so
 * whatever does not depend on the recurrence is batched into single products and each recurrent
 * step is one product plus one loop over the batch.
 *
 * <p>Layout: sequence tensors are time-major 2-D arrays, row {@code t * rows + i}; encoder outputs
 * are also kept batch-major ({@code [B*S, D]}) for attention. Padded source steps carry the
 * previous state, so padding never changes a final state; attention gives padded positions
 * exactly zero weight. Decoder rows read the encoding of their source ({@code sourceOfRow}), so
 * k samples or beams of one source share one encoder pass, forward and backward.
 *
 * <p>Model: embeddings; encoder of {@code encoderLayers} GRU/LSTM layers (each optionally
 * bidirectional, inverted dropout between layers while training); decoder initial state
 * {@code tanh(W [final states of the top layer] + b)} (an LSTM decoder starts with a zero cell);
 * additive attention scores the state before a step and feeds the context into the cell, dot
 * attention scores the cell output and combines {@code tanh(Wc [context, h] + bc)} before the output
 * layer. PAD and START are never actions. Critic heads are one-hidden-layer tanh MLPs.
 *
 * <p>Not thread-safe.
 */
public final class Seq2SeqPolicy implements SequencePolicy {
  private final Seq2SeqConfig cfg;
  final Params params;
  /** Draws sampled tokens. */
  final Rng rng;
  /** Draws dropout masks; separate so that changing dropout does not shift the samples. */
  final Rng dropoutRng;
  private final Blas blas = new Blas();
  private long step;
  private final RecurrentCell[][] encCells;
  private final RecurrentCell decCell;
  private final int hd;
  private final int emb;
  private final int encWidth;
  private final int vocab;
  private final Param srcEmb;
  private final Param tgtEmb;
  private final Param bridgeW;
  private final Param bridgeB;
  private final Param outW;
  private final Param outB;
  private final DecoderAttention attention;

  public Seq2SeqPolicy(Seq2SeqConfig cfg) {
    this.cfg = cfg;
    this.params = new Params();
    this.hd = cfg.hidden();
    this.emb = cfg.embedding();
    this.encWidth = cfg.encoderWidth();
    this.vocab = cfg.targetVocab();
    Rng init = new Rng(cfg.seed() ^ 0x5EED1A17L);
    this.rng = new Rng(cfg.seed() * 0x9E3779B97F4A7C15L + 12345L);
    this.dropoutRng = new Rng(cfg.seed() * 0xD1B54A32D192ED03L + 777L);
    double k = 1 / Math.sqrt(hd);
    srcEmb = params.add("src.emb", cfg.sourceVocab(), emb, init, 0.3, true);
    tgtEmb = params.add("tgt.emb", vocab, emb, init, 0.3, true);
    encCells = new RecurrentCell[cfg.encoderLayers()][cfg.directions()];
    for (int l = 0; l < cfg.encoderLayers(); l++) {
      int in = l == 0 ? emb : encWidth;
      for (int d = 0; d < cfg.directions(); d++) {
        encCells[l][d] = RecurrentCell.create(cfg.cell(), params, "enc." + l + "." + d, in, hd, init);
      }
    }
    bridgeW = params.add("bridge.W", encWidth, hd, init, 1 / Math.sqrt(encWidth), false);
    bridgeB = params.add("bridge.b", 1, hd, init, 0, false);
    decCell = RecurrentCell.create(cfg.cell(), params, "dec", emb + DecoderAttention.contextWidth(cfg.attention(), encWidth), hd, init);
    attention = DecoderAttention.create(cfg.attention(), blas, params, hd, encWidth, cfg.attentionSize(), emb, init);
    outW = params.add("out.W", hd, vocab, init, k, false);
    outB = params.add("out.b", 1, vocab, init, 0, false);
    int ch = cfg.criticHidden();
    if (cfg.criticHeads().contains(CriticHead.SEQUENCE)) {
      addHead("vseq", encWidth, ch, init);
    }
    if (cfg.criticHeads().contains(CriticHead.STEP)) {
      addHead("vstep", hd, ch, init);
    }
  }

  private void addHead(String p, int in, int ch, Rng init) {
    params.add(p + ".W1", in, ch, init, 1 / Math.sqrt(in), false);
    params.add(p + ".b1", 1, ch, init, 0, false);
    params.add(p + ".w2", ch, 1, init, 1 / Math.sqrt(ch), false);
    params.add(p + ".b2", 1, 1, init, 0, false);
  }

  public Seq2SeqConfig config() {
    return cfg;
  }

  /** Optimizer steps taken so far. */
  public long steps() {
    return step;
  }

  // ---------------------------------------------------------------- small helpers

  /** {@code y [rows, w.cols] = x [rows, w.rows] W + b}. */
  private float[] affine(float[] x, int rows, Param w, Param b) {
    return affine(x, 0, rows, w, b);
  }

  /** The same for the rows of {@code x} from offset {@code xOff}. */
  private float[] affine(float[] x, int xOff, int rows, Param w, Param b) {
    float[] y = new float[rows * w.cols];
    blas.gemm(false, false, rows, w.cols, w.rows, 1f, x, xOff, w.rows, w, 0, 0f, y, 0, w.cols);
    if (b != null) {
      Mat.addRowVector(y, 0, rows, w.cols, b.value);
    }
    return y;
  }

  /** {@code dx [rows, w.rows] = dy [rows, w.cols] W^T}. */
  private float[] timesTransposed(float[] dy, int rows, Param w) {
    float[] dx = new float[rows * w.rows];
    blas.gemm(false, true, rows, w.rows, w.cols, 1f, dy, 0, w.cols, w, 0, 0f, dx, 0, w.rows);
    return dx;
  }

  /** {@code W.grad += x^T dy} and {@code b.grad += column sums of dy}. */
  private void accumulateAffine(float[] x, float[] dy, int rows, Param w, Param b) {
    blas.gemm(true, false, w.rows, w.cols, rows, 1f, x, 0, w.rows, dy, 0, w.cols, 1f, w.grad, 0, w.cols);
    if (b != null) {
      Mat.addColumnSums(b.grad, dy, rows, w.cols);
    }
  }

  private float[] lookup(Param table, int[] ids) {
    return Mat.gatherRows(table.value, table.cols, ids);
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  private static int[] repeatIndex(int n, int k) {
    int[] a = new int[n * k];
    for (int i = 0; i < a.length; i++) {
      a[i] = i / k;
    }
    return a;
  }

  /** Ids outside the vocabulary would index past the embedding; say which one instead. */
  private static void checkIds(int[][] seqs, int vocab, String what) {
    for (int i = 0; i < seqs.length; i++) {
      for (int t = 0; t < seqs[i].length; t++) {
        int id = seqs[i][t];
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException(what + " row " + i + " position " + t + ": token id " + id
              + " is outside the vocabulary of size " + vocab + " (expected 0.." + (vocab - 1) + ")");
        }
      }
    }
  }

  // ---------------------------------------------------------------- encoder

  /** Everything the encoder's backward pass needs, and what the decoder reads. */
  final class Encoded {
    int batch;
    int len;
    int[] lengths;
    int[] ids; // [S*B] time-major, PAD past a source's end
    float[][] layerIn; // [layer] [S*B, in]
    float[][] dropMask; // [layer] or null
    CellRun[][] runs; // [layer][dir]
    float[] bsd; // top-layer outputs [B*S, D], batch-major
    float[] fin; // final states of the top layer [B, D]
    float[] keys; // attention keys [B*S, A] (additive) or [B*S, H] (dot), or null
  }

  Encoded encode(int[][] sources, boolean training) {
    checkIds(sources, cfg.sourceVocab(), "source");
    int b = sources.length;
    int s = 1;
    for (int[] x : sources) {
      s = Math.max(s, x.length);
    }
    Encoded en = new Encoded();
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
    int layers = cfg.encoderLayers();
    int dirs = cfg.directions();
    int rows = s * b;
    en.layerIn = new float[layers][];
    en.dropMask = new float[layers][];
    en.runs = new CellRun[layers][dirs];
    float[] x = lookup(srcEmb, en.ids);
    float[] out = null;
    float[] fin = new float[b * encWidth];
    for (int l = 0; l < layers; l++) {
      if (l > 0 && training && cfg.dropout() > 0) {
        float keep = (float) (1 - cfg.dropout());
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
      int in = l == 0 ? emb : encWidth;
      out = new float[rows * encWidth];
      for (int d = 0; d < dirs; d++) {
        RecurrentCell cell = encCells[l][d];
        CellRun run = cell.run(s, b, en.lengths, cell.project(blas, x, 0, rows, in, 0));
        float[][] zeros = new float[cell.stateArrays()][b * hd];
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
          System.arraycopy(run.hOut, r * hd, out, r * encWidth + d * hd, hd);
        }
        int last = run.at(d == 0 ? s - 1 : 0);
        for (int i = 0; i < b; i++) {
          System.arraycopy(run.hOut, last + i * hd, fin, i * encWidth + d * hd, hd);
        }
      }
      x = out;
    }
    en.fin = fin;
    en.bsd = new float[rows * encWidth];
    for (int t = 0; t < s; t++) {
      for (int i = 0; i < b; i++) {
        System.arraycopy(out, (t * b + i) * encWidth, en.bsd, (i * s + t) * encWidth, encWidth);
      }
    }
    en.keys = attention.keys(en.bsd, rows);
    return en;
  }

  /** The last decoding's encoding, for the next decode of the same sources with the same parameters (SCST samples, then decodes greedily). */
  private record EncodingCache(int[][] sources, long paramsVersion, Encoded encoding) {}

  private EncodingCache lastEncoding;

  /** {@link #encode} without dropout, reused when the sources and parameters are those of the previous decode. */
  private Encoded encodeForDecoding(int[][] sources) {
    EncodingCache c = lastEncoding;
    if (c != null && c.paramsVersion() == params.version() && Arrays.deepEquals(c.sources(), sources)) {
      return c.encoding();
    }
    Encoded en = encode(sources, false);
    int[][] copy = new int[sources.length][];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = sources[i].clone();
    }
    lastEncoding = new EncodingCache(copy, params.version(), en);
    return en;
  }

  /** Backward of {@link #encode}: {@code dBsd} [B*S, D] into the outputs, {@code dFin} [B, D] into the final states (either may be null). */
  private void encodeBackward(Encoded en, float[] dBsd, float[] dFin) {
    int b = en.batch;
    int s = en.len;
    int rows = s * b;
    int dirs = cfg.directions();
    int top = cfg.encoderLayers() - 1;
    float[] dOut = new float[rows * encWidth];
    if (dBsd != null) {
      for (int t = 0; t < s; t++) {
        for (int i = 0; i < b; i++) {
          System.arraycopy(dBsd, (i * s + t) * encWidth, dOut, (t * b + i) * encWidth, encWidth);
        }
      }
    }
    for (int l = top; l >= 0; l--) {
      float[] x = en.layerIn[l];
      int in = l == 0 ? emb : encWidth;
      float[] dX = new float[rows * in];
      for (int d = 0; d < dirs; d++) {
        CellRun run = en.runs[l][d];
        float[][] dState = new float[encCells[l][d].stateArrays()][b * hd];
        float[] dh = dState[0];
        if (l == top && dFin != null) {
          for (int i = 0; i < b; i++) {
            System.arraycopy(dFin, i * encWidth + d * hd, dh, i * hd, hd);
          }
        }
        for (int i = s - 1; i >= 0; i--) {
          int t = d == 0 ? i : s - 1 - i;
          for (int r = 0; r < b; r++) {
            Mat.axpy(1f, dOut, (t * b + r) * encWidth + d * hd, dh, r * hd, hd);
          }
          run.backward(blas, t, dState);
        }
        run.accumulateRecurrent(blas);
        run.accumulateInput(blas, x, in, 0);
        run.addInputGradient(blas, 0, s, dX, 0, in, 0);
      }
      if (l > 0) {
        float[] m = en.dropMask[l];
        if (m != null) {
          for (int i = 0; i < dX.length; i++) {
            dX[i] *= m[i];
          }
        }
        dOut = dX;
      } else {
        Mat.scatterAddRows(srcEmb.grad, 0, emb, dX, 0, en.ids, rows);
      }
    }
  }

  // ---------------------------------------------------------------- attention

  /** The encoder outputs and keys as the decoder rows (which read source {@code srcOf[r]}) see them. */
  private SourceRows sourceRows(Encoded en, int[] srcOf) {
    if (en.keys == null) {
      return null;
    }
    return new SourceRows(srcOf, en.len, en.lengths, en.bsd, encWidth, en.keys, attention.keyWidth());
  }

  // ---------------------------------------------------------------- critic heads

  /** A head's hidden layer z = tanh(x W1 + b1) [rows, ch] for the rows of {@code x} from {@code xOff}. */
  private float[] headHidden(String p, float[] x, int xOff, int rows) {
    float[] z = affine(x, xOff, rows, params.get(p + ".W1"), null);
    Activations.tanhWithBias(z, 0, rows, cfg.criticHidden(), params.get(p + ".b1").value);
    return z;
  }

  /** v = z w2 + b2, one value per row. */
  private double[] head(String p, float[] x, int xOff, int rows) {
    float[] v = affine(headHidden(p, x, xOff, rows), rows, params.get(p + ".w2"), params.get(p + ".b2"));
    return Mat.toDouble(v, 0, rows);
  }

  /** Backward of {@link #head} for value gradients {@code dv}; returns the gradient of its input. */
  private float[] headBackward(String p, float[] x, int rows, float[] dv) {
    float[] z = headHidden(p, x, 0, rows);
    Param w2 = params.get(p + ".w2");
    accumulateAffine(z, dv, rows, w2, params.get(p + ".b2"));
    float[] dz = timesTransposed(dv, rows, w2);
    Mat.tanhBackward(dz, z, dz.length);
    Param w1 = params.get(p + ".W1");
    accumulateAffine(x, dz, rows, w1, params.get(p + ".b1"));
    return timesTransposed(dz, rows, w1);
  }

  // ---------------------------------------------------------------- decoder

  /** s0 = tanh(fin W + b) for every source [B, H]. */
  private float[] bridge(Encoded en) {
    float[] s0 = affine(en.fin, en.batch, bridgeW, null);
    Activations.tanhWithBias(s0, 0, en.batch, hd, bridgeB.value);
    return s0;
  }

  /**
   * The decoder over rows that read their source's encoding, one step at a time: teacher-forced
   * (every step's input projected up front) or decoded (each step's input chosen after the last).
   * With a trace every step keeps what the backward pass needs, so an update on the same rows can
   * start from it; without one, step slot 0 is reused and rows may be reordered (beams), so memory
   * stays at one step whatever the length.
   */
  private final class DecoderPass {
    final Encoded en;
    final int[] srcOf;
    final int rows;
    final boolean trace;
    final SourceRows src;
    final DecoderAttention.Pass att;
    final CellRun run;
    final float[] s0Src;
    /** Input token of every traced step and row [steps * rows]. */
    final int[] inIds;
    /** Embeddings of {@link #inIds}, kept from the projection when teacher-forced. */
    private float[] embIn;
    /** What the output layer reads, per step slot [slots*R, H]. */
    final float[] outAll;
    /** Per gate, tgt.emb Wx + bias of every token, for decoded steps. */
    private final float[][] embProj;
    int steps;
    /** The state the next step starts from: arrays [R, H] at {@link #stateOff}, h first. */
    private float[][] state;
    private int stateOff;

    /** Teacher forcing: the inputs of every step are known ({@code inIds} [steps * rows], time-major). */
    DecoderPass(Encoded en, int[] srcOf, int capacity, int[] inIds) {
      this(en, srcOf, capacity, true, inIds);
    }

    /** Decoding: inputs come one step at a time through {@link #advance}. */
    DecoderPass(Encoded en, int[] srcOf, int capacity, boolean trace) {
      this(en, srcOf, capacity, trace, null);
    }

    private DecoderPass(Encoded en, int[] srcOf, int capacity, boolean trace, int[] knownInputs) {
      this.en = en;
      this.srcOf = srcOf;
      this.rows = srcOf.length;
      this.trace = trace;
      int slots = trace ? capacity : 1;
      int rh = rows * hd;
      this.src = sourceRows(en, srcOf);
      this.att = attention.pass(src, capacity, trace);
      float[][] pre;
      if (knownInputs != null) {
        inIds = knownInputs;
        embProj = null;
        embIn = lookup(tgtEmb, knownInputs);
        pre = decCell.project(blas, embIn, 0, capacity * rows, emb, 0);
      } else {
        inIds = trace ? new int[capacity * rows] : null;
        embProj = decCell.project(blas, tgtEmb.value, 0, vocab, emb, 0);
        pre = new float[decCell.gates()][slots * rh];
      }
      run = decCell.run(slots, rows, null, pre);
      outAll = att.outputs(run);
      s0Src = bridge(en);
      state = decCell.startState(Mat.gatherRows(s0Src, hd, srcOf), rows);
    }

    /** Offset of the rows of the last step in per-step arrays of width {@code cols}. */
    int lastOffset(int cols) {
      return (trace ? steps - 1 : 0) * rows * cols;
    }

    /** The state the next step starts from, [R, H] at {@link #stateOffset}. */
    float[] state() {
      return state[0];
    }

    int stateOffset() {
      return stateOff;
    }

    /**
     * Runs the next step; {@code prev} holds each row's input token when decoding, null when
     * teacher-forced. Returns nothing: the step's output rows are {@link #outAll} at {@link #lastOffset}.
     */
    void advance(int[] prev) {
      int t = steps;
      int slot = trace ? t : 0;
      int o = run.at(slot);
      if (prev != null) {
        for (int g = 0; g < decCell.gates(); g++) {
          for (int r = 0; r < rows; r++) {
            System.arraycopy(embProj[g], prev[r] * hd, run.gate[g], o + r * hd, hd);
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
      run.steps = trace ? steps : 1;
    }

    /** Embeddings of the traced steps' inputs [steps*R, E], what the decoder's Wx multiplied. */
    float[] inputEmbeddings() {
      if (embIn == null) {
        embIn = lookup(tgtEmb, Arrays.copyOf(inIds, steps * rows));
      }
      return embIn;
    }

    /** Logits [R, V] of the last step. */
    float[] lastLogits() {
      return affine(outAll, lastOffset(hd), rows, outW, outB);
    }

    /** Beam search: row i continues the hypothesis of row {@code parent[i]}. */
    void reorder(int[] parent) {
      float[][] next = new float[state.length][];
      for (int k = 0; k < state.length; k++) {
        next[k] = Mat.gatherRows(Arrays.copyOfRange(state[k], stateOff, stateOff + rows * hd), hd, parent);
      }
      state = next;
      stateOff = 0;
    }
  }

  // ---------------------------------------------------------------- losses

  /**
   * Per-token weights of one teacher-forced objective (see {@link LossMath#weightedNllWithEntropy}).
   * Row {@code r} decodes {@code tokens[r]} from source {@code sources[sourceOfRow[r]]}.
   */
  record Objective(
      int[][] sources,
      int[] sourceOfRow,
      int[][] tokens,
      int[] lengths,
      double[][] weight,
      double[][] entropyWeight,
      double[] sequenceTargets,
      double[][] stepTargets,
      double criticCoefficient,
      double rowsNorm) {

    /** One source per row. */
    Objective(int[][] sources, int[][] tokens, int[] lengths, double[][] weight, double[][] entropyWeight,
        double[] sequenceTargets, double[][] stepTargets, double criticCoefficient, double rowsNorm) {
      this(sources, identity(sources.length), tokens, lengths, weight, entropyWeight, sequenceTargets, stepTargets,
          criticCoefficient, rowsNorm);
    }
  }

  /** Loss parts of one objective: total, token part (weighted NLL), entropy sum term, critic loss, mean entropy. */
  record LossParts(double loss, double policy, double entropyTerm, double critic, double meanEntropy, int tokens) {}

  /**
   * Forward, loss and backward of an objective; gradients are added into the parameters'
   * gradients (the caller zeroes them). Teacher forcing: the decoder reads START then the row's tokens.
   */
  LossParts lossAndGradients(Objective o, boolean training) {
    params.syncMirror();
    return backward(teacherForced(o, training), o);
  }

  /** Teacher forcing: the decoder reads START then each row's tokens. */
  private DecoderPass teacherForced(Objective o, boolean training) {
    int r = o.tokens().length;
    int tt = 0;
    for (int[] y : o.tokens()) {
      tt = Math.max(tt, y.length);
    }
    checkIds(o.tokens(), vocab, "target");
    Encoded en = encode(o.sources(), training);
    int[] inIds = new int[tt * r];
    for (int i = 0; i < r; i++) {
      for (int t = 0; t < tt; t++) {
        inIds[t * r + i] = t == 0 ? Tokens.START : (t - 1 < o.lengths()[i] ? o.tokens()[i][t - 1] : Tokens.PAD);
      }
    }
    DecoderPass pass = new DecoderPass(en, o.sourceOfRow(), tt, inIds);
    for (int t = 0; t < tt; t++) {
      pass.advance(null);
    }
    return pass;
  }

  /**
   * Loss and backward of an objective from a traced decoder pass over its rows (teacher-forced, or
   * the decode that sampled them); gradients are added into the parameters' gradients.
   */
  private LossParts backward(DecoderPass f, Objective o) {
    Encoded en = f.en;
    CellRun run = f.run;
    int[] srcOf = f.srcOf;
    int r = f.rows;
    int tt = f.steps;
    int rows = tt * r;
    int[] inIds = f.inIds;
    int[] outIds = new int[rows];
    double[] w = new double[rows];
    double[] ew = new double[rows];
    int tokens = 0;
    for (int i = 0; i < r; i++) {
      tokens += o.lengths()[i];
      for (int t = 0; t < tt; t++) {
        int idx = t * r + i;
        boolean live = t < o.lengths()[i];
        outIds[idx] = live ? o.tokens()[i][t] : Tokens.END;
        w[idx] = live ? o.weight()[i][t] : 0;
        ew[idx] = live && o.entropyWeight() != null ? o.entropyWeight()[i][t] : 0;
      }
    }
    SourceRows src = f.src;
    float[] outAll = f.outAll;
    float[] logits = affine(outAll, rows, outW, outB);
    // ---- loss
    double[][] lg = new double[rows][];
    for (int i = 0; i < rows; i++) {
      lg[i] = Mat.toDouble(logits, i * vocab, vocab);
    }
    double[][] dl = new double[rows][vocab];
    double[] parts = LossMath.weightedNllWithEntropy(lg, outIds, w, ew, dl);
    double entSum = 0;
    double[] lp = new double[vocab];
    for (int i = 0; i < rows; i++) {
      if (i / r < o.lengths()[i % r]) {
        LossMath.logSoftmax(lg[i], 1.0, lp);
        entSum += LossMath.entropy(lp);
      }
    }
    float[] dLogits = new float[rows * vocab];
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < vocab; k++) {
        dLogits[i * vocab + k] = (float) dl[i][k];
      }
    }
    boolean shared = cfg.criticTrunk() == CriticTrunk.SHARED;
    double critic = 0;
    float[] dFin = null;
    float[] dSPrev = null;
    if (o.sequenceTargets() != null && cfg.criticHeads().contains(CriticHead.SEQUENCE)) {
      // V(x) depends on the source only: rows of one source share a value, their gradients add up
      int b = en.batch;
      double[] v = head("vseq", en.fin, 0, b);
      double[] vRows = new double[r];
      double[] wt = new double[r];
      double[] gRows = new double[r];
      for (int i = 0; i < r; i++) {
        vRows[i] = v[srcOf[i]];
        wt[i] = 1.0 / o.rowsNorm();
      }
      critic += LossMath.squaredError(vRows, o.sequenceTargets(), wt, gRows);
      float[] gv = new float[b];
      for (int i = 0; i < r; i++) {
        gv[srcOf[i]] += (float) (gRows[i] * o.criticCoefficient());
      }
      float[] dIn = headBackward("vseq", en.fin, b, gv);
      if (shared) {
        dFin = dIn;
      }
    }
    if (o.stepTargets() != null && cfg.criticHeads().contains(CriticHead.STEP)) {
      double[] v = head("vstep", run.hPrev, 0, rows);
      double[] tg = new double[rows];
      double[] wt = new double[rows];
      for (int i = 0; i < r; i++) {
        for (int t = 0; t < tt && t < o.lengths()[i]; t++) {
          tg[t * r + i] = o.stepTargets()[i][t];
          wt[t * r + i] = 1.0 / o.rowsNorm();
        }
      }
      double[] gd = new double[rows];
      critic += LossMath.squaredError(v, tg, wt, gd);
      float[] gv = new float[rows];
      for (int i = 0; i < rows; i++) {
        gv[i] = (float) (gd[i] * o.criticCoefficient());
      }
      float[] dIn = headBackward("vstep", run.hPrev, rows, gv);
      if (shared) {
        dSPrev = dIn;
      }
    }
    // ---- backward through the output layer, attention and decoder
    accumulateAffine(outAll, dLogits, rows, outW, outB);
    float[] dOutAll = timesTransposed(dLogits, rows, outW);
    float[] dhOut = f.att.outputsBackward(dOutAll, run);
    float[][] dState = new float[decCell.stateArrays()][r * hd];
    float[] dh = dState[0];
    for (int t = tt - 1; t >= 0; t--) {
      Mat.axpy(1f, dhOut, run.at(t), dh, 0, r * hd);
      run.backward(blas, t, dState);
      f.att.stepBackward(t, run, dh);
      if (dSPrev != null) {
        Mat.axpy(1f, dSPrev, run.at(t), dh, 0, r * hd);
      }
    }
    run.accumulateRecurrent(blas);
    run.accumulateInput(blas, f.inputEmbeddings(), emb, 0);
    f.att.finishBackward(run);
    float[] dEmb = new float[rows * emb];
    run.addInputGradient(blas, 0, tt, dEmb, 0, emb, 0);
    Mat.scatterAddRows(tgtEmb.grad, 0, emb, dEmb, 0, inIds, rows);
    // ---- bridge: s0 = tanh(fin W + b), shared by the rows of one source
    float[] dS0 = new float[en.batch * hd];
    Mat.scatterAddRows(dS0, 0, hd, dh, 0, srcOf, r);
    Mat.tanhBackward(dS0, f.s0Src, dS0.length);
    accumulateAffine(en.fin, dS0, en.batch, bridgeW, bridgeB);
    float[] dF = timesTransposed(dS0, en.batch, bridgeW);
    if (dFin != null) {
      Mat.axpy(1f, dFin, 0, dF, 0, dF.length);
    }
    float[] dBsd = null;
    if (src != null) {
      dBsd = new float[en.batch * en.len * encWidth];
      float[] dKeys = new float[en.keys.length];
      src.foldGradients(dBsd, dKeys);
      attention.keysBackward(en.bsd, dKeys, en.batch * en.len, dBsd);
    }
    encodeBackward(en, dBsd, dF);
    double loss = parts[0] - parts[1] + o.criticCoefficient() * critic;
    return new LossParts(loss, parts[0], parts[1], critic, tokens == 0 ? 0 : entSum / tokens, tokens);
  }

  /** Largest rows x steps x hidden of a sample whose pass is kept for the update (about 50 MB of arrays). */
  private static final long TRACE_LIMIT = 1L << 21;

  /**
   * The traced pass of the last sample. An update on that very rollout starts its backward pass
   * from it instead of running the decoder again (what autograd's kept graph gives the peer): same
   * parameters, same tokens, so the same forward, up to float rounding.
   */
  private record SampleTrace(Rollout rollout, DecoderPass pass, long paramsVersion) {}

  private SampleTrace lastSample;

  /** The kept pass, if it was made by this rollout's sample with these parameters and the update would compute the same forward. */
  private DecoderPass tracedPass(Rollout rollout) {
    SampleTrace tr = lastSample;
    lastSample = null;
    // decoding runs without dropout; an update with dropout between encoder layers must run its own forward
    boolean sameEncoder = cfg.dropout() == 0 || cfg.encoderLayers() == 1;
    if (tr != null && tr.rollout() == rollout && tr.paramsVersion() == params.version() && sameEncoder) {
      tracedUpdates++;
      return tr.pass();
    }
    return null;
  }

  /** Updates that started from a sample's kept pass (for tests). */
  int tracedUpdates;

  private UpdateStats optimize(Objective o, DecoderPass traced, OptimizerSettings opt) {
    params.zeroGrad();
    params.syncMirror();
    LossParts lp = traced != null ? backward(traced, o) : lossAndGradients(o, true);
    double norm = params.gradNorm();
    double scale = opt.clips() && norm > opt.maxGradNorm() ? opt.maxGradNorm() / (norm + 1e-12) : 1.0;
    step++;
    params.adam(opt.learningRate(), step, scale);
    return new UpdateStats(lp.loss(), lp.policy(), lp.critic(), lp.meanEntropy(), norm, lp.tokens());
  }

  static Objective mleObjective(int[][] sources, int[][] targets) {
    int b = sources.length;
    int[][] tokens = new int[b][];
    int[] lengths = new int[b];
    double[][] w = new double[b][];
    for (int i = 0; i < b; i++) {
      tokens[i] = Arrays.copyOf(targets[i], targets[i].length + 1);
      tokens[i][targets[i].length] = Tokens.END;
      lengths[i] = tokens[i].length;
      w[i] = new double[lengths[i]];
      Arrays.fill(w[i], 1.0 / b);
    }
    return new Objective(sources, tokens, lengths, w, null, null, null, 0, b);
  }

  static Objective policyGradientObjective(PolicyGradientBatch batch) {
    Rollout ro = batch.rollout();
    int n = ro.rows();
    double[][] w = new double[n][];
    double[][] ew = new double[n][];
    for (int i = 0; i < n; i++) {
      w[i] = new double[ro.maxLength()];
      ew[i] = new double[ro.maxLength()];
      for (int t = 0; t < ro.lengths()[i]; t++) {
        w[i][t] = batch.advantages()[i][t] / n;
        ew[i][t] = batch.entropyCoefficient() / n;
      }
    }
    return new Objective(ro.sources(), repeatIndex(ro.inputs(), ro.samplesPerInput()), ro.tokens(), ro.lengths(), w, ew,
        batch.sequenceTargets(), batch.stepTargets(), batch.criticLossCoefficient(), n);
  }

  @Override
  public UpdateStats mleStep(int[][] sources, int[][] targets, OptimizerSettings optimizer) {
    if (sources.length != targets.length) {
      throw new IllegalArgumentException("mleStep: " + sources.length + " sources but " + targets.length + " targets");
    }
    lastSample = null;
    return optimize(mleObjective(sources, targets), null, optimizer);
  }

  @Override
  public UpdateStats update(PolicyGradientBatch batch, OptimizerSettings optimizer) {
    if (batch.sequenceTargets() != null && !cfg.criticHeads().contains(CriticHead.SEQUENCE)
        || batch.stepTargets() != null && !cfg.criticHeads().contains(CriticHead.STEP)) {
      throw new IllegalArgumentException("the batch has targets for a critic head this policy does not carry; heads: "
          + cfg.criticHeads() + " (set model.criticHeads)");
    }
    return optimize(policyGradientObjective(batch), tracedPass(batch.rollout()), optimizer);
  }

  // ---------------------------------------------------------------- decoding

  private Rollout decode(int[][] sources, int k, double temperature, int maxLength, boolean greedy) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
    }
    if (!greedy && !(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    params.syncMirror();
    int[] srcOf = repeatIndex(sources.length, k);
    int r = srcOf.length;
    Encoded en = encodeForDecoding(sources);
    boolean stepHead = cfg.criticHeads().contains(CriticHead.STEP);
    double[] seqValues = null;
    if (cfg.criticHeads().contains(CriticHead.SEQUENCE)) {
      double[] v = head("vseq", en.fin, 0, en.batch);
      seqValues = new double[r];
      for (int i = 0; i < r; i++) {
        seqValues[i] = v[srcOf[i]];
      }
    }
    // a sample is usually followed by an update on it: keep its pass when it is small enough
    boolean trace = !greedy && (long) r * maxLength * hd <= TRACE_LIMIT;
    DecoderPass dec = new DecoderPass(en, srcOf, maxLength, trace);
    if (!greedy) {
      lastSample = null;
    }
    int[] prev = new int[r];
    Arrays.fill(prev, Tokens.START);
    List<int[]> toks = new ArrayList<>();
    List<double[]> lps = new ArrayList<>();
    List<double[]> ents = new ArrayList<>();
    List<double[]> vals = new ArrayList<>();
    List<float[]> atts = new ArrayList<>();
    int[] lengths = new int[r];
    boolean[] done = new boolean[r];
    int live = r;
    double[] lg = new double[vocab];
    double[] lp = new double[vocab];
    double[] lpT = new double[vocab];
    for (int t = 0; t < maxLength && live > 0; t++) {
      if (stepHead) {
        vals.add(head("vstep", dec.state(), dec.stateOffset(), r));
      }
      dec.advance(prev);
      float[] logits = dec.lastLogits();
      if (dec.att.lastWeights() != null) {
        atts.add(dec.att.lastWeights());
      }
      int[] y = new int[r];
      double[] stepLp = new double[r];
      double[] stepEnt = new double[r];
      for (int i = 0; i < r; i++) {
        if (done[i]) {
          y[i] = Tokens.PAD;
          continue;
        }
        for (int v = 0; v < vocab; v++) {
          lg[v] = logits[i * vocab + v];
        }
        LossMath.logSoftmax(lg, 1.0, lp);
        int choice;
        if (greedy) {
          choice = argmax(lp);
        } else if (temperature != 1.0) {
          LossMath.logSoftmax(lg, temperature, lpT);
          choice = draw(lpT);
        } else {
          choice = draw(lp);
        }
        y[i] = choice;
        stepLp[i] = lp[choice];
        stepEnt[i] = LossMath.entropy(lp);
        lengths[i] = t + 1;
        if (choice == Tokens.END) {
          done[i] = true;
          live--;
        }
      }
      toks.add(y);
      lps.add(stepLp);
      ents.add(stepEnt);
      prev = y.clone();
      for (int i = 0; i < r; i++) {
        if (prev[i] == Tokens.PAD) {
          prev[i] = Tokens.END;
        }
      }
    }
    int steps = toks.size();
    int s = en.len;
    int[][] tokens = new int[r][steps];
    double[][] logProbs = new double[r][steps];
    double[][] entropies = new double[r][steps];
    double[][] stepValues = stepHead ? new double[r][steps] : null;
    double[][][] attention = atts.isEmpty() ? null : new double[r][steps][];
    for (int i = 0; i < r; i++) {
      int srcLen = sources[srcOf[i]].length;
      for (int t = 0; t < steps; t++) {
        boolean in = t < lengths[i];
        tokens[i][t] = in ? toks.get(t)[i] : Tokens.PAD;
        logProbs[i][t] = in ? lps.get(t)[i] : 0;
        entropies[i][t] = in ? ents.get(t)[i] : 0;
        if (stepValues != null) {
          stepValues[i][t] = in ? vals.get(t)[i] : 0;
        }
        if (attention != null) {
          attention[i][t] = in ? Mat.toDouble(atts.get(t), i * s, srcLen) : new double[srcLen];
        }
      }
    }
    Rollout rollout = new Rollout(sources, k, tokens, lengths, logProbs, entropies, seqValues, stepValues, attention);
    if (trace) {
      lastSample = new SampleTrace(rollout, dec, params.version());
    }
    return rollout;
  }

  private static int argmax(double[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (a[i] > a[best]) {
        best = i;
      }
    }
    return best;
  }

  private int draw(double[] logp) {
    double u = rng.nextDouble();
    double acc = 0;
    int last = -1;
    for (int k = 0; k < logp.length; k++) {
      if (logp[k] == Double.NEGATIVE_INFINITY) {
        continue;
      }
      acc += Math.exp(logp[k]);
      last = k;
      if (u < acc) {
        return k;
      }
    }
    return last; // rounding left u above the total mass
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength) {
    return decode(sources, samplesPerInput, temperature, maxLength, false);
  }

  @Override
  public Rollout greedy(int[][] sources, int maxLength) {
    return decode(sources, 1, 1.0, maxLength, true);
  }

  /** Beam search; also the scores (sum of log-probabilities, end token included when produced). */
  public BeamResult beamSearchWithScores(int[][] sources, int beamWidth, int maxLength) {
    if (beamWidth < 1) {
      throw new IllegalArgumentException("beamWidth must be >= 1, got " + beamWidth);
    }
    params.syncMirror();
    int b = sources.length;
    int w = beamWidth;
    int r = b * w;
    DecoderPass dec = new DecoderPass(encodeForDecoding(sources), repeatIndex(b, w), maxLength, false);
    double[] score = new double[r];
    int[][] hyp = new int[r][0];
    for (int i = 0; i < r; i++) {
      score[i] = i % w == 0 ? 0 : Double.NEGATIVE_INFINITY; // one live beam per source at the start
    }
    int[] prev = new int[r];
    Arrays.fill(prev, Tokens.START);
    int[][] best = new int[b][];
    double[] bestScore = new double[b];
    Arrays.fill(bestScore, Double.NEGATIVE_INFINITY);
    boolean[] done = new boolean[b];
    double[] lg = new double[vocab];
    double[] lp = new double[vocab];
    double[] candScore = new double[w * vocab];
    int[] candRow = new int[w * vocab];
    int[] candTok = new int[w * vocab];
    for (int t = 0; t < maxLength; t++) {
      dec.advance(prev);
      float[] logits = dec.lastLogits();
      int[] parent = new int[r];
      int[] next = new int[r];
      double[] nextScore = new double[r];
      int[][] nextHyp = new int[r][];
      boolean allDone = true;
      for (int s = 0; s < b; s++) {
        // candidates in (beam, token) order; taken best first, the first of equal scores first
        // (what a stable sort of that order gives), until w live hypotheses are placed
        int nc = 0;
        for (int k = 0; k < w; k++) {
          int row = s * w + k;
          if (score[row] == Double.NEGATIVE_INFINITY || done[s]) {
            continue;
          }
          for (int v = 0; v < vocab; v++) {
            lg[v] = logits[row * vocab + v];
          }
          LossMath.logSoftmax(lg, 1.0, lp);
          for (int v = 0; v < vocab; v++) {
            if (lp[v] != Double.NEGATIVE_INFINITY) {
              candScore[nc] = score[row] + lp[v];
              candRow[nc] = row;
              candTok[nc] = v;
              nc++;
            }
          }
        }
        int filled = 0;
        for (int taken = 0; taken < nc && filled < w; taken++) {
          int bi = -1;
          for (int j = 0; j < nc; j++) {
            if (candRow[j] >= 0 && (bi < 0 || candScore[j] > candScore[bi])) {
              bi = j;
            }
          }
          double cs = candScore[bi];
          int row = candRow[bi];
          int tok = candTok[bi];
          candRow[bi] = -1;
          if (tok == Tokens.END) {
            if (cs > bestScore[s]) {
              bestScore[s] = cs;
              best[s] = hyp[row];
            }
            continue;
          }
          int dst = s * w + filled++;
          parent[dst] = row;
          next[dst] = tok;
          nextScore[dst] = cs;
          int[] hy = Arrays.copyOf(hyp[row], hyp[row].length + 1);
          hy[hyp[row].length] = tok;
          nextHyp[dst] = hy;
        }
        double bestAlive = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < w; k++) {
          int dst = s * w + k;
          if (k >= filled) {
            parent[dst] = s * w;
            next[dst] = Tokens.END;
            nextScore[dst] = Double.NEGATIVE_INFINITY;
            nextHyp[dst] = new int[0];
          }
          bestAlive = Math.max(bestAlive, nextScore[dst]);
        }
        // log-probabilities only fall as a hypothesis grows: no live beam can beat a finished better one
        if (done[s] || bestScore[s] >= bestAlive) {
          done[s] = true;
        } else {
          allDone = false;
        }
      }
      score = nextScore;
      hyp = nextHyp;
      dec.reorder(parent);
      prev = next;
      if (allDone) {
        break;
      }
    }
    for (int s = 0; s < b; s++) {
      if (!done[s]) { // maxLength reached: unfinished hypotheses compete too
        for (int k = 0; k < w; k++) {
          int row = s * w + k;
          if (score[row] > bestScore[s]) {
            bestScore[s] = score[row];
            best[s] = hyp[row];
          }
        }
      }
      if (best[s] == null) {
        best[s] = new int[0];
      }
    }
    if (w > 1) {
      // Beam pruning can drop the greedy path and end lower; the greedy hypothesis competes too,
      // so a wider beam never returns a less likely sequence than greedy decoding.
      Rollout g = decode(sources, 1, 1.0, maxLength, true);
      for (int s = 0; s < b; s++) {
        double gs = 0;
        for (int t = 0; t < g.lengths()[s]; t++) {
          gs += g.logProbs()[s][t];
        }
        if (gs > bestScore[s]) {
          bestScore[s] = gs;
          best[s] = g.hypothesis(s);
        }
      }
    }
    return new BeamResult(best, bestScore);
  }

  /** Best hypotheses (tokens before the end) and their total log-probabilities. */
  public record BeamResult(int[][] hypotheses, double[] scores) {}

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength) {
    return beamSearchWithScores(sources, beamWidth, maxLength).hypotheses();
  }

  @Override
  public Set<CriticHead> criticHeads() {
    return cfg.criticHeads();
  }

  // ---------------------------------------------------------------- checkpoints

  @Override
  public void save(Path directory) throws IOException {
    Checkpoints.save(directory, cfg, params, step, rng.state(), dropoutRng.state());
  }

  @Override
  public void restore(Path directory) throws IOException {
    Checkpoints.State s = Checkpoints.restore(directory, cfg, params);
    params.markChanged();
    step = s.step();
    rng.setState(s.rngState());
    dropoutRng.setState(s.dropoutRngState());
  }

  @Override
  public void close() {
    lastSample = null;
    lastEncoding = null;
    blas.close();
    params.close();
  }
}
