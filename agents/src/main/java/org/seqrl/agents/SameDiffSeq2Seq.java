package org.seqrl.agents;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;

/**
 * The shipped recurrent encoder-decoder of docs/design.md as a SameDiff graph, for
 * {@link SameDiffPolicy}: the same formulas, parameter names and shapes as the fast engine's
 * {@link Seq2SeqPolicy} (GRU with the reset after the hidden product, or LSTM; padded source steps
 * carry the state; bridge {@code tanh(W fin + b)}; additive attention fed into the cell, or none;
 * a dense output layer), unrolled to {@code maxSource} encoder and {@code maxTarget} decoder
 * positions. The initial values are the fast engine's for the same config and seed, so the two
 * engines start from the same weights, and {@link #copyWeights} carries trained ones across.
 *
 * <p>With {@code model.type: transformer} the graph is {@link SameDiffTransformer}'s (the fast
 * engine's transformer, same names and values). Inputs and outputs carry {@link SameDiffPolicy.Builder}'s
 * default names. Not built here yet: stacked or bidirectional encoders, dropout, dot attention, the
 * other cells and critic heads; {@link #supports} says so before anything is built.
 */
public final class SameDiffSeq2Seq {
  private SameDiffSeq2Seq() {}

  /** Null when {@code cfg} can be built as a SameDiff graph, else what cannot, in one line. */
  public static String unsupported(Seq2SeqConfig cfg) {
    String parts = unsupportedParts(cfg);
    return parts == null ? null : "model.engine samediff does not build " + parts;
  }

  /** Null when {@code cfg} can be built as a SameDiff graph, else the settings that cannot, comma-separated. */
  static String unsupportedParts(Seq2SeqConfig cfg) {
    List<String> no = new ArrayList<>();
    if (cfg.transformer() != null) {
      SameDiffTransformer.unsupported(cfg, no);
      return no.isEmpty() ? null : String.join(", ", no);
    }
    if (cfg.cell() != CellType.GRU && cfg.cell() != CellType.LSTM) {
      no.add("model.cell " + cfg.cell() + " (gru and lstm are)");
    }
    if (cfg.encoderLayers() != 1) {
      no.add("model.encoder_layers " + cfg.encoderLayers() + " (1 is)");
    }
    if (cfg.bidirectional()) {
      no.add("model.bidirectional");
    }
    if (cfg.dropout() > 0) {
      no.add("model.dropout " + cfg.dropout());
    }
    if (cfg.attention() == Attention.DOT) {
      no.add("model.attention dot (none and additive are)");
    }
    if (!cfg.criticHeads().isEmpty()) {
      no.add("critic heads " + cfg.criticHeads() + " (baselines without a critic are)");
    }
    if (cfg.decoderLayers() != 1) {
      no.add("model.decoder_layers " + cfg.decoderLayers() + " (1 is)");
    }
    if (cfg.normStabilizer() > 0) {
      no.add("model.norm_stabilizer");
    }
    if (cfg.initStateMeanRatio() > 0) {
      no.add("model.init_state_mean_ratio");
    }
    if (cfg.carryCellState()) {
      no.add("model.carry_cell_state");
    }
    if (!cfg.init().equals(Seq2SeqConfig.Init.DEFAULT)) {
      no.add("model.init " + cfg.init().scheme() + " (the default uniform init is)");
    }
    return no.isEmpty() ? null : String.join(", ", no);
  }

  /** Whether {@code cfg} can be built as a SameDiff graph. */
  public static boolean supports(Seq2SeqConfig cfg) {
    return unsupported(cfg) == null;
  }

  /**
   * The policy: the graph for {@code cfg} over sources of at most {@code maxSource} tokens and at most
   * {@code maxTarget} decoder steps, initialised as the fast engine initialises {@code cfg}.
   */
  public static SameDiffPolicy policy(Seq2SeqConfig cfg, int maxSource, int maxTarget) {
    return SameDiffPolicy.builder(graph(cfg, maxSource, maxTarget), cfg.targetVocab()).seed(cfg.seed()).build();
  }

  /** Copies every weight of a fast-engine policy into a SameDiff policy built for the same config (Adam moments are not copied). */
  public static void copyWeights(Seq2SeqPolicy from, SameDiffPolicy to) {
    for (String name : to.variableNames()) {
      to.setValues(name, from.params.get(name).value);
    }
  }

  static SameDiff graph(Seq2SeqConfig cfg, int maxSource, int maxTarget) {
    String why = unsupported(cfg);
    if (why != null) {
      throw new IllegalArgumentException(why);
    }
    if (maxSource < 1 || maxTarget < 1) {
      throw new IllegalArgumentException("maxSource and maxTarget must be >= 1, got " + maxSource + " and " + maxTarget);
    }
    SameDiff sd = SameDiff.create();
    // the fast engine draws the initial values: one initialisation, whatever the engine
    try (Seq2SeqPolicy init = new Seq2SeqPolicy(cfg)) {
      if (cfg.transformer() != null) {
        SameDiffTransformer.build(sd, cfg, init.params, maxSource, maxTarget);
      } else {
        new Builder(sd, cfg, init.params, maxSource, maxTarget).build();
      }
    }
    return sd;
  }

  private static final class Builder {
    final SameDiff sd;
    final Seq2SeqConfig cfg;
    final Params init;
    final int s;
    final int t;
    final int h;
    final boolean lstm;

    Builder(SameDiff sd, Seq2SeqConfig cfg, Params init, int s, int t) {
      this.sd = sd;
      this.cfg = cfg;
      this.init = init;
      this.s = s;
      this.t = t;
      this.h = cfg.hidden();
      this.lstm = cfg.cell() == CellType.LSTM;
    }

    SDVariable var(String name) {
      Param p = init.get(name);
      return sd.var(name, Nd4j.create(p.value.clone(), new long[] {p.rows, p.cols}, 'c'));
    }

    /** Embeddings of one position's ids [R] as one-hot rows times the table (a gather's backward broke in M2.1 when chained). */
    SDVariable embed(SDVariable ids, SDVariable table, int vocab) {
      return sd.mmul(sd.oneHot(ids, vocab, -1, 1.0, 0.0, DataType.FLOAT), table);
    }

    SDVariable cols(SDVariable x, int from, int to) {
      return x.get(SDIndex.all(), SDIndex.interval(from, to));
    }

    /** One cell step from state {@code st} (h, then c for an LSTM) on input x. */
    SDVariable[] cell(SDVariable x, SDVariable[] st, SDVariable wx, SDVariable wh, SDVariable b, SDVariable bh) {
      SDVariable gx = sd.mmul(x, wx).add(b);
      SDVariable hp = st[0];
      if (lstm) {
        SDVariable pre = gx.add(sd.mmul(hp, wh));
        SDVariable i = sd.nn().sigmoid(cols(pre, 0, h));
        SDVariable f = sd.nn().sigmoid(cols(pre, h, 2 * h));
        SDVariable o = sd.nn().sigmoid(cols(pre, 2 * h, 3 * h));
        SDVariable g = sd.math().tanh(cols(pre, 3 * h, 4 * h));
        SDVariable c = f.mul(st[1]).add(i.mul(g));
        return new SDVariable[] {o.mul(sd.math().tanh(c)), c};
      }
      // GRU, reset after the hidden product: n = tanh(x Wx_n + b_n + r (h Wh_n + bh_n))
      SDVariable gh = sd.mmul(hp, wh).add(bh);
      SDVariable rz = sd.nn().sigmoid(cols(gx, 0, 2 * h).add(cols(gh, 0, 2 * h)));
      SDVariable r = cols(rz, 0, h);
      SDVariable z = cols(rz, h, 2 * h);
      SDVariable n = sd.math().tanh(cols(gx, 2 * h, 3 * h).add(r.mul(cols(gh, 2 * h, 3 * h))));
      return new SDVariable[] {hp.sub(n).mul(z).add(n)};
    }

    void build() {
      SDVariable src = sd.placeHolder("source_ids", DataType.INT, -1, s);
      SDVariable mask = sd.placeHolder("source_mask", DataType.FLOAT, -1, s);
      SDVariable dec = sd.placeHolder("decoder_input", DataType.INT, -1, t);
      SDVariable srcEmb = var("src.emb");
      SDVariable tgtEmb = var("tgt.emb");
      SDVariable ewx = var("enc.0.0.Wx");
      SDVariable ewh = var("enc.0.0.Wh");
      SDVariable eb = var("enc.0.0.b");
      SDVariable ebh = lstm ? null : var("enc.0.0.bh");
      SDVariable bw = var("bridge.W");
      SDVariable bb = var("bridge.b");
      SDVariable dwx = var("dec.Wx");
      SDVariable dwh = var("dec.Wh");
      SDVariable db = var("dec.b");
      SDVariable dbh = lstm ? null : var("dec.bh");
      boolean additive = cfg.attention() == Attention.ADDITIVE;
      SDVariable ws = additive ? var("att.Ws") : null;
      SDVariable uk = additive ? var("att.Uk") : null;
      SDVariable av = additive ? var("att.v") : null;
      SDVariable ow = var("out.W");
      SDVariable ob = var("out.b");

      // encoder: padded steps keep the previous state (m = 0), so the last position holds the final state
      SDVariable[] ids = sd.unstack(src, 1, s);
      SDVariable[] m = sd.unstack(mask, 1, s);
      SDVariable zeros = sd.mmul(sd.expandDims(sd.sum(mask, 1), 1).mul(0.0), sd.constant(Nd4j.zeros(DataType.FLOAT, 1, h)));
      SDVariable[] st = lstm ? new SDVariable[] {zeros, zeros} : new SDVariable[] {zeros};
      List<SDVariable> outs = new ArrayList<>();
      for (int p = 0; p < s; p++) {
        SDVariable[] next = cell(embed(ids[p], srcEmb, cfg.sourceVocab()), st, ewx, ewh, eb, ebh);
        SDVariable keep = sd.expandDims(m[p], 1);
        SDVariable[] carried = new SDVariable[st.length];
        for (int k = 0; k < st.length; k++) {
          carried[k] = next[k].sub(st[k]).mul(keep).add(st[k]);
        }
        st = carried;
        outs.add(st[0]);
      }
      SDVariable encOut = sd.stack(1, outs.toArray(new SDVariable[0])); // [R, S, H]
      SDVariable s0 = sd.math().tanh(sd.mmul(st[0], bw).add(bb));
      SDVariable[] ds = lstm ? new SDVariable[] {s0, zeros} : new SDVariable[] {s0};

      SDVariable keys = null;
      SDVariable padPenalty = null;
      int a = additive ? init.get("att.Ws").cols : 0;
      if (additive) {
        keys = sd.reshape(sd.mmul(sd.reshape(encOut, -1, h), uk), -1, s, a);
        padPenalty = mask.rsub(1.0).mul(-1e9); // exactly zero weight on padding after the softmax
      }
      SDVariable[] in = sd.unstack(dec, 1, t);
      List<SDVariable> logits = new ArrayList<>();
      for (int p = 0; p < t; p++) {
        SDVariable x = embed(in[p], tgtEmb, cfg.targetVocab());
        if (additive) {
          SDVariable u = sd.math().tanh(keys.add(sd.expandDims(sd.mmul(ds[0], ws), 1)));
          SDVariable e = sd.reshape(sd.mmul(sd.reshape(u, -1, a), av), -1, s);
          SDVariable alpha = sd.nn().softmax(e.add(padPenalty));
          SDVariable ctx = sd.sum(encOut.mul(sd.expandDims(alpha, 2)), 1);
          x = sd.concat(1, x, ctx);
        }
        ds = cell(x, ds, dwx, dwh, db, dbh);
        logits.add(sd.mmul(ds[0], ow).add(ob));
      }
      sd.identity("logits", sd.stack(1, logits.toArray(new SDVariable[0])));
    }
  }
}
