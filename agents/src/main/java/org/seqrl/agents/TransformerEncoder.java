package org.seqrl.agents;

import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.Norm;
import org.seqrl.agents.Seq2SeqConfig.PositionKind;
import org.seqrl.agents.Seq2SeqConfig.Transformer;
import org.seqrl.rl.Tokens;

/**
 * A transformer encoder: token embeddings plus positions, then layers of self-attention (padded
 * positions masked out as keys) and feed-forward sublayers, each inside a {@link Residual}; with
 * pre-norm a final layer norm. Activations hold only the sources' real positions, packed one
 * source after another (source i's position t is row {@code starts[i] + t}): padding positions are
 * no key of any query and no output anyone reads, and at lengths 20-30 they were a sixth of the
 * encoder's products. The top layer is spread into {@link Encoding#bsd} ({@code [B*S, D]}, row
 * {@code i*S + t}, zeros at padding). The summary {@link Encoding#fin} that the sequence critic
 * reads is the mean of a source's outputs.
 */
final class TransformerEncoder implements SourceEncoder {
  private final TokenEmbedding embedding;
  private final SelfAttention[] attention;
  private final FeedForward[] feedForward;
  private final Residual[] attentionResidual;
  private final Residual[] feedForwardResidual;
  /** Pre-norm only, else null. */
  private final LayerNorm finalNorm;
  private final int d;
  private final double dropout;
  private final Rng dropoutRng;

  /** Adds {@code enc.pos} (learned positions), then per layer {@code enc.<l>.att.*}, {@code .ln1.*}, {@code .ff.*}, {@code .ln2.*}, then {@code enc.norm.*}. */
  TransformerEncoder(Transformer t, Blas blas, Params params, Param srcEmb, Rng init, Rng dropoutRng) {
    this.d = t.width();
    this.dropout = t.dropout();
    this.dropoutRng = dropoutRng;
    boolean pre = t.norm() == Norm.PRE;
    embedding = new TokenEmbedding(srcEmb, new Positions(params, "enc", d, t.positions() == PositionKind.LEARNED, init));
    int n = t.encoderLayers();
    attention = new SelfAttention[n];
    feedForward = new FeedForward[n];
    attentionResidual = new Residual[n];
    feedForwardResidual = new Residual[n];
    for (int l = 0; l < n; l++) {
      String p = "enc." + l;
      attention[l] = new SelfAttention(blas, params, p + ".att", d, t.heads(), init);
      attentionResidual[l] = new Residual(params, p + ".ln1", d, pre, dropout, init);
      feedForward[l] = new FeedForward(blas, params, p + ".ff", d, t.feedForward(), init);
      feedForwardResidual[l] = new Residual(params, p + ".ln2", d, pre, dropout, init);
    }
    finalNorm = pre ? new LayerNorm(params, "enc.norm", d, init) : null;
  }

  /** What one encoding keeps for the backward, per layer. */
  static final class Trace {
    /** Source i's first row; rows in all. */
    int[] starts;
    int rows;
    Residual.Trace[] att;
    float[][] qkv;
    float[][] probs;
    float[][] ctx;
    Residual.Trace[] ff;
    float[][] pre;
    float[][] hidden;
    /** Each layer's output (the next one's input); the last is the top before the final norm. */
    float[][] out;
    /** The packed top (after the final norm), which {@link Encoding#bsd} spreads out. */
    float[] top;
    float[] finalHat;
    float[] finalRstd;
  }

  @Override
  public int width() {
    return d;
  }

  @Override
  public boolean random(boolean training) {
    return training && dropout > 0;
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
    en.training = training;
    en.lengths = new int[b];
    en.ids = new int[s * b];
    int[] starts = new int[b];
    int rows = 0;
    for (int i = 0; i < b; i++) {
      en.lengths[i] = sources[i].length;
      starts[i] = rows;
      rows += sources[i].length;
      for (int t = 0; t < s; t++) {
        en.ids[t * b + i] = t < sources[i].length ? sources[i][t] : Tokens.PAD;
      }
    }
    float[] x = new float[rows * d];
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < sources[i].length; t++) {
        embedding.forward(sources[i][t], t, x, (starts[i] + t) * d);
      }
    }
    int layers = attention.length;
    Trace tr = new Trace();
    tr.starts = starts;
    tr.rows = rows;
    tr.att = new Residual.Trace[layers];
    tr.qkv = new float[layers][];
    tr.probs = new float[layers][];
    tr.ctx = new float[layers][];
    tr.ff = new Residual.Trace[layers];
    tr.pre = new float[layers][];
    tr.hidden = new float[layers][];
    tr.out = new float[layers][];
    float[] s1 = new float[rows * d];
    for (int l = 0; l < layers; l++) {
      SelfAttention att = attention[l];
      Residual.Trace ta = tr.att[l] = attentionResidual[l].trace(rows, training);
      attentionResidual[l].enter(ta, x, 0, rows);
      float[] qkv = tr.qkv[l] = new float[rows * 3 * d];
      att.project(ta.in, 0, rows, qkv, 0);
      float[] probs = tr.probs[l] = new float[rows * att.heads * s];
      float[] ctx = tr.ctx[l] = new float[rows * d];
      att.packed(qkv, starts, en.lengths, s, probs, ctx);
      att.output(ctx, 0, rows, s1);
      float[] a = new float[rows * d];
      attentionResidual[l].exit(ta, x, s1, a, 0, rows, dropoutRng);
      Residual.Trace tf = tr.ff[l] = feedForwardResidual[l].trace(rows, training);
      feedForwardResidual[l].enter(tf, a, 0, rows);
      float[] h = tr.hidden[l] = new float[rows * feedForward[l].hidden];
      float[] u = tr.pre[l] = new float[h.length];
      feedForward[l].forward(tf.in, 0, rows, u, h, s1);
      float[] out = tr.out[l] = new float[rows * d];
      feedForwardResidual[l].exit(tf, a, s1, out, 0, rows, dropoutRng);
      x = out;
    }
    if (finalNorm != null) {
      tr.top = new float[rows * d];
      tr.finalHat = new float[rows * d];
      tr.finalRstd = new float[rows];
      finalNorm.forward(x, 0, rows, tr.top, 0, tr.finalHat, 0, tr.finalRstd, 0);
    } else {
      tr.top = x;
    }
    en.bsd = new float[b * s * d];
    for (int i = 0; i < b; i++) {
      System.arraycopy(tr.top, starts[i] * d, en.bsd, i * s * d, en.lengths[i] * d);
    }
    en.fin = new float[b * d];
    for (int i = 0; i < b; i++) {
      int n = en.lengths[i];
      for (int t = 0; t < n; t++) {
        Mat.axpy(1f / n, en.bsd, (i * s + t) * d, en.fin, i * d, d);
      }
    }
    en.transformer = tr;
    return en;
  }

  @Override
  public void backward(Encoding en, float[] dBsd, float[] dFin) {
    Trace tr = en.transformer;
    int b = en.batch;
    int s = en.len;
    int rows = tr.rows;
    int[] starts = tr.starts;
    float[] dTop = new float[rows * d];
    if (dBsd != null) {
      for (int i = 0; i < b; i++) {
        System.arraycopy(dBsd, i * s * d, dTop, starts[i] * d, en.lengths[i] * d);
      }
    }
    if (dFin != null) {
      for (int i = 0; i < b; i++) {
        int n = en.lengths[i];
        for (int t = 0; t < n; t++) {
          Mat.axpy(1f / n, dFin, i * d, dTop, (starts[i] + t) * d, d);
        }
      }
    }
    float[] dX = dTop;
    if (finalNorm != null) {
      dX = new float[rows * d];
      finalNorm.backward(dTop, 0, rows, tr.finalHat, 0, tr.finalRstd, 0, dX, 0);
    }
    float[] dS = new float[rows * d];
    for (int l = attention.length - 1; l >= 0; l--) {
      float[] dA = new float[rows * d];
      feedForwardResidual[l].exitBackward(tr.ff[l], dX, dS, dA, rows);
      float[] dIn = new float[rows * d];
      feedForward[l].backward(tr.ff[l].in, tr.pre[l], tr.hidden[l], dS, rows, dIn);
      feedForwardResidual[l].enterBackward(tr.ff[l], dIn, dA, rows);
      float[] dPrev = new float[rows * d];
      attentionResidual[l].exitBackward(tr.att[l], dA, dS, dPrev, rows);
      SelfAttention att = attention[l];
      float[] dCtx = att.outputBackward(tr.ctx[l], dS, rows);
      float[] dQkv = att.packedBackward(tr.qkv[l], rows, starts, en.lengths, s, tr.probs[l], dCtx);
      java.util.Arrays.fill(dIn, 0f);
      att.projectBackward(tr.att[l].in, dQkv, rows, dIn);
      attentionResidual[l].enterBackward(tr.att[l], dIn, dPrev, rows);
      dX = dPrev;
    }
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < en.lengths[i]; t++) {
        embedding.backward(en.ids[t * b + i], t, dX, (starts[i] + t) * d);
      }
    }
  }
}
