package org.seqrl.agents;

import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.Norm;
import org.seqrl.agents.Seq2SeqConfig.PositionKind;
import org.seqrl.agents.Seq2SeqConfig.Transformer;

/**
 * A transformer decoder: target embeddings plus positions, then layers of causal self-attention,
 * cross-attention to the encoder outputs and feed-forward, each inside a {@link Residual} (with
 * pre-norm a final layer norm), and {@link TransformerOutput} logits.
 *
 * <p>Decoding keeps every layer's keys and values of the positions run so far (the cache), so a
 * step runs one new position; {@link Pass#reorder} remaps the cache rows for beams (no copy). The cross
 * keys and values of every layer are computed once per encoding ({@link Encoding#keys}, [B*S,
 * L*2D]) and read by every decoder row of a source. A teacher-forced pass runs all positions as one
 * block through the same code. The step critic's features before step t are the top states of
 * position t-1 (what the recurrent decoder's state is), and the source summary before step 0.
 */
final class TransformerDecoder implements Decoder {
  private final TokenEmbedding embedding;
  private final SelfAttention[] self;
  private final CrossAttention[] cross;
  private final FeedForward[] feedForward;
  private final Residual[] selfResidual;
  private final Residual[] crossResidual;
  private final Residual[] feedForwardResidual;
  /** Pre-norm only, else null. */
  private final LayerNorm finalNorm;
  private final TransformerOutput output;
  private final int d;
  private final int layers;
  private final Rng dropoutRng;
  private final double dropout;

  /** Adds {@code dec.pos} (learned), per layer {@code dec.<l>.self.*}, {@code .ln1.*}, {@code .cross.*}, {@code .ln2.*}, {@code .ff.*}, {@code .ln3.*}, then {@code dec.norm.*} and {@code out.*}. */
  TransformerDecoder(Transformer t, Blas blas, Params params, Param tgtEmb, Rng init, Rng dropoutRng) {
    this.d = t.width();
    this.layers = t.decoderLayers();
    this.dropoutRng = dropoutRng;
    this.dropout = t.dropout();
    boolean pre = t.norm() == Norm.PRE;
    embedding = new TokenEmbedding(tgtEmb, new Positions(params, "dec", d, t.positions() == PositionKind.LEARNED, init));
    self = new SelfAttention[layers];
    cross = new CrossAttention[layers];
    feedForward = new FeedForward[layers];
    selfResidual = new Residual[layers];
    crossResidual = new Residual[layers];
    feedForwardResidual = new Residual[layers];
    for (int l = 0; l < layers; l++) {
      String p = "dec." + l;
      self[l] = new SelfAttention(blas, params, p + ".self", d, t.heads(), init);
      selfResidual[l] = new Residual(params, p + ".ln1", d, pre, t.dropout(), init);
      cross[l] = new CrossAttention(blas, params, p + ".cross", d, t.heads(), init);
      crossResidual[l] = new Residual(params, p + ".ln2", d, pre, t.dropout(), init);
      feedForward[l] = new FeedForward(blas, params, p + ".ff", d, t.feedForward(), init);
      feedForwardResidual[l] = new Residual(params, p + ".ln3", d, pre, t.dropout(), init);
    }
    finalNorm = pre ? new LayerNorm(params, "dec.norm", d, init) : null;
    output = new TransformerOutput(blas, params, tgtEmb, t.tiedEmbeddings(), init);
  }

  @Override
  public int vocab() {
    return output.vocab();
  }

  @Override
  public int featureWidth() {
    return d;
  }

  @Override
  public Pass start(Encoding en, int[] sourceOfRow, int capacity, boolean keep) {
    return new TransformerPass(en, sourceOfRow, capacity, keep, null);
  }

  @Override
  public boolean random(boolean training) {
    return training && dropout > 0;
  }

  /** {@code training} is the encoding's own flag here: a pass draws dropout on encodings made for training. */
  @Override
  public Pass teacherForced(Encoding en, int[] sourceOfRow, int[] inputs, int steps, boolean training) {
    TransformerPass p = new TransformerPass(en, sourceOfRow, steps, true, inputs);
    p.block(inputs, 0, steps);
    return p;
  }

  /** Cross keys and values of every layer for the encoding, made on first use and kept with it. */
  private float[] crossKeys(Encoding en) {
    if (en.keys == null) {
      int ld = layers * 2 * d;
      en.keys = new float[en.batch * en.len * ld];
      for (int l = 0; l < layers; l++) {
        cross[l].keys(en.bsd, en.batch * en.len, en.keys, l * 2 * d, ld);
      }
    }
    return en.keys;
  }

  /**
   * With {@code keep}, every position has its own slot of every activation; without, the slots of
   * one step are reused (the key/value cache always holds every position). A teacher-forced pass
   * holds only the positions up to each row's last input ({@link DecoderRows#packed}); what it
   * hands out ({@link #keptLogits}, {@link #keptFeatures}) and takes back ({@link #backward}) is
   * dense, [steps * R, .], with zeros at the positions it left out.
   */
  private final class TransformerPass extends DecoderPass {
    final int cap;
    final boolean keep;
    final boolean training;
    final float[] kv;
    final int[] inIds;
    final DecoderRows map;
    /** The source of each slot's row. */
    final int[] srcOfSlot;
    final float[] x0;
    final Residual.Trace[] t1;
    final Residual.Trace[] t2;
    final Residual.Trace[] t3;
    /** Per layer [slots, 3D]: the cache. */
    final float[][] qkv;
    final float[][] p1;
    final float[][] ctx1;
    final float[][] a;
    final float[][] q2;
    final float[][] p2;
    final float[][] ctx2;
    final float[][] b;
    final float[][] u;
    final float[][] h;
    final float[][] out;
    final float[] top;
    final float[] finalHat;
    final float[] finalRstd;
    final float[] scratch;
    /** The source summary of each row: the features before step 0. */
    float[] finRows;
    /** Whether {@link #reorder} has remapped the cache (then there is no backward). */
    boolean reordered;

    TransformerPass(Encoding en, int[] srcOf, int capacity, boolean keep, int[] knownInputs) {
      super(en, srcOf);
      this.cap = capacity;
      this.keep = keep;
      this.training = en.training;
      this.kv = crossKeys(en);
      this.inIds = knownInputs != null ? knownInputs : keep ? new int[capacity * rows] : null;
      this.map = knownInputs != null ? DecoderRows.packed(knownInputs, rows, capacity) : DecoderRows.dense(rows, capacity);
      int slots = map.slots();
      srcOfSlot = new int[slots];
      for (int k = 0; k < slots; k++) {
        srcOfSlot[k] = srcOf[map.rowAt[k]];
      }
      int n = keep ? slots : rows;
      int heads = self[0].heads;
      x0 = new float[n * d];
      t1 = new Residual.Trace[layers];
      t2 = new Residual.Trace[layers];
      t3 = new Residual.Trace[layers];
      qkv = new float[layers][];
      p1 = new float[layers][];
      ctx1 = new float[layers][];
      a = new float[layers][];
      q2 = new float[layers][];
      p2 = new float[layers][];
      ctx2 = new float[layers][];
      b = new float[layers][];
      u = new float[layers][];
      h = new float[layers][];
      out = new float[layers][];
      for (int l = 0; l < layers; l++) {
        t1[l] = selfResidual[l].trace(n, training);
        t2[l] = crossResidual[l].trace(n, training);
        t3[l] = feedForwardResidual[l].trace(n, training);
        qkv[l] = new float[slots * 3 * d];
        p1[l] = new float[n * heads * capacity];
        ctx1[l] = new float[n * d];
        a[l] = new float[n * d];
        q2[l] = new float[n * d];
        p2[l] = new float[n * heads * en.len];
        ctx2[l] = new float[n * d];
        b[l] = new float[n * d];
        u[l] = new float[n * feedForward[l].hidden];
        h[l] = new float[n * feedForward[l].hidden];
        out[l] = new float[n * d];
      }
      top = finalNorm != null ? new float[n * d] : out[layers - 1];
      finalHat = finalNorm != null ? new float[n * d] : null;
      finalRstd = finalNorm != null ? new float[n] : null;
      scratch = new float[n * d];
      finRows = Mat.gatherRows(en.fin, d, srcOf);
    }

    /** Runs positions {@code [t0, t0 + n)} whose input tokens are {@code ids[(t - t0) * R + i]} (time-major). */
    void block(int[] ids, int t0, int n) {
      int r = rows;
      int from = map.start[t0];
      int to = map.start[t0 + n];
      // a step that keeps nothing runs in the first slots of the activations
      int base = keep ? 0 : from;
      int row0 = from - base;
      int nr = to - from;
      int ld = layers * 2 * d;
      for (int k = from; k < to; k++) {
        int t = map.timeAt[k];
        embedding.forward(ids[(t - t0) * r + map.rowAt[k]], t, x0, (k - base) * d);
      }
      float[] x = x0;
      float[] s = scratch;
      for (int l = 0; l < layers; l++) {
        selfResidual[l].enter(t1[l], x, row0, nr);
        self[l].project(t1[l].in, row0, nr, qkv[l], from);
        self[l].causal(qkv[l], map, from, to, base, p1[l], cap, ctx1[l]);
        self[l].output(ctx1[l], row0, nr, s);
        selfResidual[l].exit(t1[l], x, s, a[l], row0, nr, dropoutRng);
        crossResidual[l].enter(t2[l], a[l], row0, nr);
        cross[l].query(t2[l].in, row0, nr, q2[l]);
        cross[l].attend(q2[l], row0, nr, srcOfSlot, from, en.lengths, en.len, kv, l * 2 * d, ld, p2[l], ctx2[l]);
        cross[l].output(ctx2[l], row0, nr, s);
        crossResidual[l].exit(t2[l], a[l], s, b[l], row0, nr, dropoutRng);
        feedForwardResidual[l].enter(t3[l], b[l], row0, nr);
        feedForward[l].forward(t3[l].in, row0, nr, u[l], h[l], s);
        feedForwardResidual[l].exit(t3[l], b[l], s, out[l], row0, nr, dropoutRng);
        x = out[l];
      }
      if (finalNorm != null) {
        finalNorm.forward(x, row0 * d, nr, top, row0 * d, finalHat, row0 * d, finalRstd, row0);
      }
      steps += n;
    }

    /** The first activation slot of the last step (decoding: every row has every position). */
    private int lastRow0() {
      return keep ? (steps - 1) * rows : 0;
    }

    @Override
    public float[] step(int[] previous) {
      if (steps >= cap) {
        throw new IllegalStateException("the pass holds " + cap + " steps");
      }
      if (inIds != null) {
        System.arraycopy(previous, 0, inIds, steps * rows, rows);
      }
      block(previous, steps, 1);
      return output.forward(top, lastRow0() * d, rows);
    }

    @Override
    public void reorder(int[] parent) {
      // row i's earlier positions become its parent's: a remap of the cache's slots, no copy
      int[] moved = new int[rows];
      for (int t = 0; t < steps; t++) {
        int o = t * rows;
        for (int i = 0; i < rows; i++) {
          moved[i] = map.slot[o + parent[i]];
        }
        System.arraycopy(moved, 0, map.slot, o, rows);
      }
      reordered = true;
      if (steps > 0) {
        float[] tmp = new float[rows * d];
        int o = lastRow0() * d;
        for (int i = 0; i < rows; i++) {
          System.arraycopy(top, o + parent[i] * d, tmp, i * d, d);
        }
        System.arraycopy(tmp, 0, top, o, rows * d);
      }
      finRows = Mat.gatherRows(finRows, d, parent);
    }

    /** The last layer's cross-attention of the last step, averaged over heads [R, S]. */
    @Override
    public float[] attentionWeights() {
      if (steps == 0) {
        return null;
      }
      int s = en.len;
      int heads = cross[layers - 1].heads;
      float[] p = p2[layers - 1];
      float[] w = new float[rows * s];
      int row0 = lastRow0();
      for (int i = 0; i < rows; i++) {
        for (int k = 0; k < heads; k++) {
          Mat.axpy(1f / heads, p, ((row0 + i) * heads + k) * s, w, i * s, s);
        }
      }
      return w;
    }

    @Override
    public float[] features() {
      return steps == 0 ? finRows : top;
    }

    @Override
    public int featuresOffset() {
      return steps == 0 ? 0 : lastRow0() * d;
    }

    @Override
    public double stabilizeHidden(double beta, double rowsNorm, int[] lengths) {
      throw new UnsupportedOperationException("the norm-stabilizer on hidden states needs the recurrent decoder;"
          + " a transformer takes model.norm_stabilizer_on: logits");
    }

    @Override
    public float[] keptLogits() {
      int slots = map.start[steps];
      float[] logits = output.forward(top, 0, slots);
      if (map.isDense()) {
        return logits;
      }
      int v = output.vocab();
      float[] dense = new float[steps * rows * v];
      for (int k = 0; k < slots; k++) {
        System.arraycopy(logits, k * v, dense, (map.timeAt[k] * rows + map.rowAt[k]) * v, v);
      }
      return dense;
    }

    @Override
    public float[] keptFeatures() {
      float[] f = new float[steps * rows * d];
      System.arraycopy(finRows, 0, f, 0, rows * d);
      for (int k = 0; k < map.start[steps - 1]; k++) {
        System.arraycopy(top, k * d, f, ((map.timeAt[k] + 1) * rows + map.rowAt[k]) * d, d);
      }
      return f;
    }

    @Override
    public EncodingGradient backward(float[] dLogits, float[] dFeatures) {
      if (reordered) {
        throw new IllegalStateException("a reordered pass (beam search) keeps no backward");
      }
      int r = rows;
      int all = map.start[steps];
      int ld = layers * 2 * d;
      float[] dPacked = dLogits;
      if (!map.isDense()) {
        int v = output.vocab();
        dPacked = new float[all * v];
        for (int k = 0; k < all; k++) {
          System.arraycopy(dLogits, (map.timeAt[k] * r + map.rowAt[k]) * v, dPacked, k * v, v);
        }
      }
      float[] dTop = output.backward(top, dPacked, all);
      float[] dFin = new float[en.batch * d];
      if (dFeatures != null) {
        for (int k = 0; k < map.start[steps - 1]; k++) {
          Mat.axpy(1f, dFeatures, ((map.timeAt[k] + 1) * r + map.rowAt[k]) * d, dTop, k * d, d);
        }
        Mat.scatterAddRows(dFin, 0, d, dFeatures, 0, srcOf, r);
      }
      float[] dX = dTop;
      if (finalNorm != null) {
        dX = new float[all * d];
        finalNorm.backward(dTop, 0, all, finalHat, 0, finalRstd, 0, dX, 0);
      }
      float[] dS = new float[all * d];
      float[] dIn = new float[all * d];
      float[] dKv = new float[kv.length];
      for (int l = layers - 1; l >= 0; l--) {
        float[] dB = new float[all * d];
        feedForwardResidual[l].exitBackward(t3[l], dX, dS, dB, all);
        java.util.Arrays.fill(dIn, 0f);
        feedForward[l].backward(t3[l].in, u[l], h[l], dS, all, dIn);
        feedForwardResidual[l].enterBackward(t3[l], dIn, dB, all);
        float[] dA = new float[all * d];
        crossResidual[l].exitBackward(t2[l], dB, dS, dA, all);
        float[] dCtx = cross[l].outputBackward(ctx2[l], dS, all);
        float[] dQ = cross[l].attendBackward(q2[l], all, srcOfSlot, en.lengths, en.len, kv, l * 2 * d, ld, p2[l], dCtx, dKv);
        java.util.Arrays.fill(dIn, 0f);
        cross[l].queryBackward(t2[l].in, dQ, all, dIn);
        crossResidual[l].enterBackward(t2[l], dIn, dA, all);
        float[] dPrev = new float[all * d];
        selfResidual[l].exitBackward(t1[l], dA, dS, dPrev, all);
        dCtx = self[l].outputBackward(ctx1[l], dS, all);
        float[] dQkv = self[l].causalBackward(qkv[l], map, steps, p1[l], cap, dCtx);
        java.util.Arrays.fill(dIn, 0f);
        self[l].projectBackward(t1[l].in, dQkv, all, dIn);
        selfResidual[l].enterBackward(t1[l], dIn, dPrev, all);
        dX = dPrev;
      }
      for (int k = 0; k < all; k++) {
        int t = map.timeAt[k];
        embedding.backward(inIds[t * r + map.rowAt[k]], t, dX, k * d);
      }
      int srcRows = en.batch * en.len;
      float[] dBsd = new float[srcRows * d];
      for (int l = 0; l < layers; l++) {
        cross[l].keysBackward(en.bsd, srcRows, dKv, l * 2 * d, ld, dBsd);
      }
      return new EncodingGradient(dBsd, dFin);
    }
  }
}
