package org.seqrl.agents;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.Norm;
import org.seqrl.agents.Seq2SeqConfig.PositionKind;
import org.seqrl.agents.Seq2SeqConfig.Transformer;

/**
 * The fast engine's transformer ({@link TransformerEncoder}, {@link TransformerDecoder}) as a
 * SameDiff graph for {@link SameDiffPolicy}: the same formulas (pre- or post-norm residuals, layer
 * norm with eps 1e-5, multi-head scaled dot-product attention, GELU in its tanh form, {@code sqrt(D)}
 * scaled embeddings plus sinusoidal or learned positions, tied or separate output), the same
 * parameter names and shapes, initialised with the fast engine's values for the same config and
 * seed. The source is {@code maxSource} positions with padded keys masked out, the decoder
 * {@code maxTarget} positions with a causal mask; padded and future positions get −1e9 added to
 * their scores before {@code softmax} (exp gives exactly 0; no log-softmax is taken of a masked row).
 */
final class SameDiffTransformer {
  private static final double EPS = 1e-5;
  private static final double MASKED = -1e9;
  private static final double GELU_C = Math.sqrt(2 / Math.PI);
  private static final double GELU_A = 0.044715;

  private final SameDiff sd;
  private final Transformer tf;
  private final int d;
  private final int heads;
  private final int dh;
  private final boolean pre;
  private final Map<String, SDVariable> vars = new LinkedHashMap<>();

  private SameDiffTransformer(SameDiff sd, Transformer tf) {
    this.sd = sd;
    this.tf = tf;
    this.d = tf.width();
    this.heads = tf.heads();
    this.dh = d / heads;
    this.pre = tf.norm() == Norm.PRE;
  }

  /** What of a transformer config the graph does not build (added to {@code no}). */
  static void unsupported(Seq2SeqConfig cfg, List<String> no) {
    if (cfg.transformer().dropout() > 0) {
      no.add("model.transformer.dropout " + cfg.transformer().dropout() + " (0 is)");
    }
    if (!cfg.criticHeads().isEmpty()) {
      no.add("critic heads " + cfg.criticHeads() + " (baselines without a critic are)");
    }
    if (cfg.normStabilizer() > 0) {
      no.add("model.norm_stabilizer");
    }
    if (cfg.labelSmoothing() > 0) {
      no.add("pretrain.label_smoothing " + cfg.labelSmoothing() + " (0 is)");
    }
  }

  /** Builds the graph into {@code sd} with the values of {@code init} (the fast engine's parameters for the config). */
  static void build(SameDiff sd, Seq2SeqConfig cfg, Params init, int maxSource, int maxTarget) {
    Transformer tf = cfg.transformer();
    if (tf.positions() == PositionKind.LEARNED && Math.max(maxSource, maxTarget) > Positions.LEARNED) {
      throw new IllegalArgumentException("sequences of " + Math.max(maxSource, maxTarget) + " positions are past the learned"
          + " position table (" + Positions.LEARNED + "); use model.transformer.positions: sinusoidal or shorter sequences");
    }
    new SameDiffTransformer(sd, tf).graph(cfg, init, maxSource, maxTarget);
  }

  private void graph(Seq2SeqConfig cfg, Params init, int s, int t) {
    SDVariable src = sd.placeHolder("source_ids", DataType.INT, -1, s);
    SDVariable mask = sd.placeHolder("source_mask", DataType.FLOAT, -1, s);
    SDVariable dec = sd.placeHolder("decoder_input", DataType.INT, -1, t);
    for (Param p : init.all()) { // the fast engine's order, names and values
      vars.put(p.name, sd.var(p.name, Nd4j.create(p.value.clone(), new long[] {p.rows, p.cols}, 'c')));
    }
    // padded source keys: -1e9 on their scores, broadcast over heads and queries [R, 1, 1, S]
    SDVariable padPenalty = sd.reshape(mask.rsub(1.0).mul(MASKED), -1, 1, 1, s);
    float[] causal = new float[t * t];
    for (int q = 0; q < t; q++) {
      for (int k = q + 1; k < t; k++) {
        causal[q * t + k] = (float) MASKED;
      }
    }
    SDVariable causalPenalty = sd.constant(Nd4j.create(causal, new long[] {1, 1, t, t}, 'c'));

    SDVariable x = embed(src, "src.emb", cfg.sourceVocab(), "enc", s);
    for (int l = 0; l < tf.encoderLayers(); l++) {
      String p = "enc." + l;
      x = residual(x, p + ".ln1", in -> selfAttention(in, p + ".att", s, padPenalty));
      x = residual(x, p + ".ln2", in -> feedForward(in, p + ".ff"));
    }
    SDVariable enc = pre ? layerNorm(x, "enc.norm") : x; // [R*S, D]

    SDVariable y = embed(dec, "tgt.emb", cfg.targetVocab(), "dec", t);
    for (int l = 0; l < tf.decoderLayers(); l++) {
      String p = "dec." + l;
      y = residual(y, p + ".ln1", in -> selfAttention(in, p + ".self", t, causalPenalty));
      y = residual(y, p + ".ln2", in -> crossAttention(in, enc, p + ".cross", t, s, padPenalty));
      y = residual(y, p + ".ln3", in -> feedForward(in, p + ".ff"));
    }
    SDVariable top = pre ? layerNorm(y, "dec.norm") : y;
    SDVariable logits = tf.tiedEmbeddings()
        ? sd.mmul(top, v("tgt.emb"), false, true, false).add(v("out.b"))
        : sd.mmul(top, v("out.W")).add(v("out.b"));
    sd.identity("logits", sd.reshape(logits, -1, t, cfg.targetVocab()));
  }

  private SDVariable v(String name) {
    SDVariable x = vars.get(name);
    if (x == null) {
      throw new IllegalStateException("the fast engine made no parameter '" + name + "'; it made " + vars.keySet());
    }
    return x;
  }

  /** {@code sqrt(D) E[id] + position} for ids [R, L], as rows [R*L, D]; lookups are one-hot products (chained gathers broke backprop in M2.1). */
  private SDVariable embed(SDVariable ids, String table, int vocab, String prefix, int len) {
    SDVariable oneHot = sd.reshape(sd.oneHot(ids, vocab, -1, 1.0, 0.0, DataType.FLOAT), -1, vocab);
    SDVariable e = sd.reshape(sd.mmul(oneHot, v(table)).mul(Math.sqrt(d)), -1, len, d);
    SDVariable pos = tf.positions() == PositionKind.LEARNED
        ? v(prefix + ".pos").get(SDIndex.interval(0, len), SDIndex.all())
        : sd.constant(Nd4j.create(Positions.sinusoids(len, d), new long[] {len, d}, 'c'));
    return sd.reshape(e.add(pos), -1, d);
  }

  private interface Sublayer {
    SDVariable apply(SDVariable in);
  }

  /** Pre-norm {@code x + f(LN(x))} or post-norm {@code LN(x + f(x))}, as {@link Residual} (no dropout). */
  private SDVariable residual(SDVariable x, String norm, Sublayer f) {
    return pre ? x.add(f.apply(layerNorm(x, norm))) : layerNorm(x.add(f.apply(x)), norm);
  }

  private SDVariable layerNorm(SDVariable x, String prefix) {
    SDVariable c = x.sub(sd.mean(x, true, 1));
    SDVariable var = sd.mean(c.mul(c), true, 1);
    return c.div(sd.math().sqrt(var.add(EPS))).mul(v(prefix + ".g")).add(v(prefix + ".b"));
  }

  private SDVariable cols(SDVariable x, int from, int to) {
    return x.get(SDIndex.all(), SDIndex.interval(from, to));
  }

  private SDVariable selfAttention(SDVariable in, String p, int len, SDVariable penalty) {
    SDVariable qkv = sd.mmul(in, v(p + ".Wqkv")).add(v(p + ".bqkv"));
    SDVariable ctx = attend(cols(qkv, 0, d), cols(qkv, d, 2 * d), cols(qkv, 2 * d, 3 * d), len, len, penalty);
    return sd.mmul(ctx, v(p + ".Wo")).add(v(p + ".bo"));
  }

  private SDVariable crossAttention(SDVariable in, SDVariable enc, String p, int t, int s, SDVariable penalty) {
    SDVariable q = sd.mmul(in, v(p + ".Wq")).add(v(p + ".bq"));
    SDVariable kv = sd.mmul(enc, v(p + ".Wkv")).add(v(p + ".bkv"));
    SDVariable ctx = attend(q, cols(kv, 0, d), cols(kv, d, 2 * d), t, s, penalty);
    return sd.mmul(ctx, v(p + ".Wo")).add(v(p + ".bo"));
  }

  /** Multi-head attention of rows q [R*Lq, D] over k, v [R*Lk, D]; head h is columns [h*dh, (h+1)*dh). Context [R*Lq, D]. */
  private SDVariable attend(SDVariable q, SDVariable k, SDVariable val, int lq, int lk, SDVariable penalty) {
    SDVariable qh = heads(q, lq);
    SDVariable kh = heads(k, lk);
    SDVariable vh = heads(val, lk);
    SDVariable scores = sd.mmul(qh, kh, false, true, false).mul(1 / Math.sqrt(dh)).add(penalty); // [R, H, Lq, Lk]
    // softmax on the last axis of a 2-d view: the form the recurrent graph's attention already uses
    SDVariable probs = sd.reshape(sd.nn().softmax(sd.reshape(scores, -1, lk)), -1, heads, lq, lk);
    SDVariable ctx = sd.permute(sd.mmul(probs, vh), 0, 2, 1, 3); // [R, Lq, H, dh]
    return sd.reshape(ctx, -1, d);
  }

  /** Rows [R*L, D] as [R, H, L, dh]. */
  private SDVariable heads(SDVariable x, int len) {
    return sd.permute(sd.reshape(x, -1, len, heads, dh), 0, 2, 1, 3);
  }

  /** {@code gelu(x W1 + b1) W2 + b2}, GELU's tanh form as {@link FeedForward}. */
  private SDVariable feedForward(SDVariable in, String p) {
    SDVariable u = sd.mmul(in, v(p + ".W1")).add(v(p + ".b1"));
    SDVariable inner = u.add(u.mul(u).mul(u).mul(GELU_A)).mul(GELU_C);
    SDVariable h = u.mul(sd.math().tanh(inner).add(1.0)).mul(0.5);
    return sd.mmul(h, v(p + ".W2")).add(v(p + ".b2"));
  }
}
