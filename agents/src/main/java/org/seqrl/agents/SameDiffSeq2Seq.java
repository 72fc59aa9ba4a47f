package org.seqrl.agents;

import java.util.ArrayList;
import java.util.Arrays;
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
    if (cfg.embeddingDropout() > 0) {
      no.add("model.embedding_dropout " + cfg.embeddingDropout() + " (0 is)");
    }
    if (cfg.outputDropout() > 0) {
      no.add("model.output_dropout " + cfg.outputDropout() + " (0 is)");
    }
    if (cfg.attention() == Attention.DOT || cfg.attention() == Attention.LOCATION) {
      no.add("model.attention " + cfg.attention().name().toLowerCase(java.util.Locale.ROOT) + " (none and additive are)");
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
    if (cfg.labelSmoothing() > 0) {
      no.add("pretrain.label_smoothing " + cfg.labelSmoothing() + " (0 is)");
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
   * {@code maxTarget} decoder steps, initialised as the fast engine initialises {@code cfg}; a
   * recurrent one decodes with its step graph.
   */
  public static SameDiffPolicy policy(Seq2SeqConfig cfg, int maxSource, int maxTarget) {
    return policy(cfg, maxSource, maxTarget, true);
  }

  /**
   * The same, decoding with the step graph when {@code stepDecoding} and the model has one, else by
   * re-running the unrolled graph on the growing prefix (the path a graph without a step takes; kept
   * for tests and the step-graph benchmark).
   */
  public static SameDiffPolicy policy(Seq2SeqConfig cfg, int maxSource, int maxTarget, boolean stepDecoding) {
    SameDiffPolicy.Builder b = SameDiffPolicy.builder(graph(cfg, maxSource, maxTarget), cfg.targetVocab()).seed(cfg.seed());
    if (stepDecoding) {
      b.stepGraph(stepGraph(cfg));
    }
    return b.build();
  }

  // the step graph's names in the recurrent graph (docs/export.md lists them for readers of an export)
  static final String STEP_PREVIOUS = "step_previous";
  static final String STEP_LOGITS = "step_logits";
  static final String STEP_H = "step_h";
  static final String STEP_H_NEXT = "step_h_next";
  static final String INIT_H = "decoder_initial_h";
  static final String STEP_C = "step_c";
  static final String STEP_C_NEXT = "step_c_next";
  static final String INIT_C = "decoder_initial_c";
  static final String STEP_ENCODER_OUTPUTS = "step_encoder_outputs";
  static final String ENCODER_OUTPUTS = "encoder_outputs";
  static final String STEP_ATTENTION_KEYS = "step_attention_keys";
  static final String ATTENTION_KEYS = "attention_keys";

  /**
   * The names of the step graph {@link #graph} builds for {@code cfg}, or null for the transformer
   * (whose step state would be every layer's keys and values so far; it re-runs the prefix).
   */
  public static SameDiffStepGraph stepGraph(Seq2SeqConfig cfg) {
    if (cfg.transformer() != null) {
      return null;
    }
    List<SameDiffStepGraph.State> st = new ArrayList<>();
    st.add(new SameDiffStepGraph.State(STEP_H, INIT_H, STEP_H_NEXT));
    if (cfg.cell() == CellType.LSTM) {
      st.add(new SameDiffStepGraph.State(STEP_C, INIT_C, STEP_C_NEXT));
    }
    if (cfg.attention() == Attention.ADDITIVE) {
      st.add(new SameDiffStepGraph.State(STEP_ENCODER_OUTPUTS, ENCODER_OUTPUTS, null));
      st.add(new SameDiffStepGraph.State(STEP_ATTENTION_KEYS, ATTENTION_KEYS, null));
    }
    return new SameDiffStepGraph(STEP_PREVIOUS, STEP_LOGITS, st);
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
    /** The decoder's variables, which the unrolled graph and the step graph share. */
    SDVariable tgtEmb, dwx, dwh, db, dbh, ws, av, ow, ob;

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
      tgtEmb = var("tgt.emb");
      SDVariable ewx = var("enc.0.0.Wx");
      SDVariable ewh = var("enc.0.0.Wh");
      SDVariable eb = var("enc.0.0.b");
      SDVariable ebh = lstm ? null : var("enc.0.0.bh");
      SDVariable bw = var("bridge.W");
      SDVariable bb = var("bridge.b");
      dwx = var("dec.Wx");
      dwh = var("dec.Wh");
      db = var("dec.b");
      dbh = lstm ? null : var("dec.bh");
      boolean additive = cfg.attention() == Attention.ADDITIVE;
      ws = additive ? var("att.Ws") : null;
      SDVariable uk = additive ? var("att.Uk") : null;
      av = additive ? var("att.v") : null;
      ow = var("out.W");
      ob = var("out.b");

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
        ds = decoderStep(in[p], ds, encOut, keys, padPenalty);
        logits.add(ds[ds.length - 1]);
        ds = Arrays.copyOf(ds, ds.length - 1);
      }
      sd.identity("logits", sd.stack(1, logits.toArray(new SDVariable[0])));
      stepGraph(encOut, keys, s0, lstm ? zeros : null, padPenalty);
    }

    /**
     * One decoder position: attention (if any) from state {@code ds}, the cell, the logits; returns the
     * new state followed by the logits. The unrolled graph and the step graph both call it, so their
     * formulas are the same by construction.
     */
    SDVariable[] decoderStep(SDVariable previous, SDVariable[] ds, SDVariable encOut, SDVariable keys, SDVariable padPenalty) {
      SDVariable x = embed(previous, tgtEmb, cfg.targetVocab());
      if (keys != null) {
        int a = (int) init.get("att.Ws").cols;
        SDVariable u = sd.math().tanh(keys.add(sd.expandDims(sd.mmul(ds[0], ws), 1)));
        SDVariable e = sd.reshape(sd.mmul(sd.reshape(u, -1, a), av), -1, s);
        SDVariable alpha = sd.nn().softmax(e.add(padPenalty));
        SDVariable ctx = sd.sum(encOut.mul(sd.expandDims(alpha, 2)), 1);
        x = sd.concat(1, x, ctx);
      }
      SDVariable[] next = cell(x, ds, dwx, dwh, db, dbh);
      SDVariable[] out = Arrays.copyOf(next, next.length + 1);
      out[next.length] = sd.mmul(next[0], ow).add(ob);
      return out;
    }

    /**
     * The step graph ({@link #STEP}) beside the unrolled one, on the same variables: the encoder's
     * outputs are named as the states' initial values, and one {@link #decoderStep} reads the
     * states from placeholders. Training never runs it (SameDiff computes only what an output needs).
     */
    void stepGraph(SDVariable encOut, SDVariable keys, SDVariable h0, SDVariable c0, SDVariable padPenalty) {
      sd.identity(INIT_H, h0);
      SDVariable[] st = {sd.placeHolder(STEP_H, DataType.FLOAT, -1, h)};
      if (lstm) {
        sd.identity(INIT_C, c0);
        st = new SDVariable[] {st[0], sd.placeHolder(STEP_C, DataType.FLOAT, -1, h)};
      }
      SDVariable mem = null;
      SDVariable kk = null;
      if (keys != null) {
        sd.identity(ENCODER_OUTPUTS, encOut);
        sd.identity(ATTENTION_KEYS, keys);
        mem = sd.placeHolder(STEP_ENCODER_OUTPUTS, DataType.FLOAT, -1, s, h);
        kk = sd.placeHolder(STEP_ATTENTION_KEYS, DataType.FLOAT, -1, s, init.get("att.Ws").cols);
      }
      SDVariable[] out = decoderStep(sd.placeHolder(STEP_PREVIOUS, DataType.INT, -1), st, mem, kk, padPenalty);
      sd.identity(STEP_H_NEXT, out[0]);
      if (lstm) {
        sd.identity(STEP_C_NEXT, out[1]);
      }
      sd.identity(STEP_LOGITS, out[out.length - 1]);
    }
  }
}
