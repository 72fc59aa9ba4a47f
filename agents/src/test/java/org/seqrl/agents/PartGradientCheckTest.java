package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.seqrl.agents.PartGradientCheck.Entry;
import org.seqrl.agents.PartGradientCheck.Part;
import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.LayerConnections;
import org.seqrl.agents.Seq2SeqConfig.SkipCarries;
import org.seqrl.rl.CriticHead;

/**
 * Each part other than the cells checked on its own against finite differences
 * ({@link PartGradientCheck}): the output layer, a value head, the critics' losses, each attention
 * kind driving a cell run, the recurrent decoder over a given encoding, and an encoder stack under each
 * connection pattern. For each, a 3% error in
 * a parameter's or an input's gradient is caught. ({@link GradientCheckTest} checks them together.)
 */
class PartGradientCheckTest {
  private static final int H = 4;
  private static final int E = 3;
  /** Sources: padded length, valid lengths (one shorter, so masking is checked). */
  private static final int S = 3;
  private static final int[] SOURCE_LENGTHS = {3, 2};
  /** Decoder rows and the source each reads (two rows share source 0, so their gradients add up). */
  private static final int[] SOURCE_OF_ROW = {0, 1, 0};
  private static final int R = SOURCE_OF_ROW.length;
  private static final int T = 3;

  private static void assertMatches(String what, Part part) {
    List<String> where = new ArrayList<>();
    double w = PartGradientCheck.worst(part, "", 1, where);
    String at = where.isEmpty() ? "-" : where.get(where.size() - 1);
    System.out.printf("%s: worst %.3f x tolerance at %s%n", what, w, at);
    assertTrue(w < 1, what + ": worst disagreement " + w + " x tolerance at " + at);
  }

  private static void assertCaught(String what, Part part, List<String> names) {
    for (String name : names) {
      double w = PartGradientCheck.worst(part, name, 1.03, new ArrayList<>());
      assertTrue(w > 1, what + " " + name + ": a 3% error went unnoticed (worst " + w + " x tolerance)");
    }
  }

  // ---------------------------------------------------------------- output layer

  /** Logits of 12 rows of width 5 over 7 classes, loss sum_ij W_ij logits_ij. */
  private static Part outputLayer(Params params, Blas blas) {
    Rng init = new Rng(21);
    OutputLayer out = new OutputLayer(blas, params, 5, 7, init);
    PartGradientCheck.perturb(params, init);
    Random r = new Random(1);
    int rows = 12;
    float[] x = PartGradientCheck.random(r, rows * 5, 1.0);
    float[] w = PartGradientCheck.random(r, rows * 7, 1.0);
    return new Part() {
      @Override
      public double loss() {
        params.markChanged();
        params.syncMirror();
        return PartGradientCheck.dot(w, out.forward(x, 0, rows), 0, w.length);
      }

      @Override
      public List<Entry> gradients() {
        params.zeroGrad();
        params.markChanged();
        params.syncMirror();
        float[] dx = out.backward(x, w.clone(), rows);
        List<Entry> e = PartGradientCheck.parameters(params);
        e.add(new Entry("x", x, dx));
        return e;
      }
    };
  }

  @Test
  void outputLayer() {
    try (Params params = new Params(); Blas blas = new Blas()) {
      Part part = outputLayer(params, blas);
      assertMatches("output layer", part);
      assertCaught("output layer", part, List.of("out.W", "out.b", "x"));
    }
  }

  // ---------------------------------------------------------------- value head

  @Test
  void valueHead() {
    try (Params params = new Params(); Blas blas = new Blas()) {
      Rng init = new Rng(22);
      ValueHead head = new ValueHead(blas, params, "v", 5, 3, init);
      PartGradientCheck.perturb(params, init);
      Random r = new Random(2);
      int rows = 6;
      float[] x = PartGradientCheck.random(r, rows * 5, 1.0);
      float[] c = PartGradientCheck.random(r, rows, 1.0);
      Part part = new Part() {
        @Override
        public double loss() {
          params.markChanged();
          params.syncMirror();
          double[] v = head.values(x, 0, rows);
          double l = 0;
          for (int i = 0; i < rows; i++) {
            l += c[i] * v[i];
          }
          return l;
        }

        @Override
        public List<Entry> gradients() {
          params.zeroGrad();
          params.markChanged();
          params.syncMirror();
          float[] dx = head.backward(x, rows, c.clone());
          List<Entry> e = PartGradientCheck.parameters(params);
          e.add(new Entry("x", x, dx));
          return e;
        }
      };
      assertMatches("value head", part);
      assertCaught("value head", part, List.of("v.W1", "v.b1", "v.w2", "v.b2", "x"));
    }
  }

  // ---------------------------------------------------------------- attention

  /**
   * An attention kind on its own, around the cell run it feeds and reads as the decoder drives
   * them: T steps of R rows over encoder outputs of two sources, loss sum W . outputs. Checked: the
   * attention's parameters, the encoder outputs, the initial state (and the cell's parameters, which
   * the attention's gradients pass through).
   */
  private static Part attention(Attention kind, Params params, Blas blas) {
    Rng init = new Rng(23 + kind.ordinal());
    int d = 2 * H; // as wide as a bidirectional encoder's outputs, so that D != H
    int in = E + DecoderAttention.contextWidth(kind, d);
    RecurrentCell cell = RecurrentCell.create(CellType.GRU, params, "dec", in, H, init);
    DecoderAttention att = DecoderAttention.create(kind, blas, params, H, d, 5, E, init);
    PartGradientCheck.perturb(params, init);
    Random r = new Random(3 + kind.ordinal());
    int b = SOURCE_LENGTHS.length;
    float[] x = PartGradientCheck.random(r, T * R * E, 1.0);
    float[] bsd = PartGradientCheck.random(r, b * S * d, 1.0);
    float[] h0 = PartGradientCheck.random(r, R * H, 0.5);
    float[] w = PartGradientCheck.random(r, T * R * H, 1.0);
    return new Part() {
      SourceRows src;
      float[] keys;
      DecoderAttention.Pass pass;
      CellRun run;

      private float[] forward() {
        params.markChanged();
        params.syncMirror();
        keys = att.keys(bsd, b * S);
        src = keys == null ? null : new SourceRows(SOURCE_OF_ROW, S, SOURCE_LENGTHS, bsd, d, keys, att.keyWidth());
        pass = att.pass(src, T, true);
        run = cell.run(T, R, null, cell.project(blas, x, 0, T * R, E, 0));
        float[] outputs = pass.outputs(run.hOut);
        float[][] state = cell.startState(h0, R);
        int off = 0;
        for (int t = 0; t < T; t++) {
          pass.beforeCell(t, t, state[0], off, run);
          run.forward(blas, t, state, off);
          pass.afterCell(t, t, run.hOut);
          state = run.out;
          off = run.at(t);
          run.steps = t + 1;
        }
        return outputs;
      }

      @Override
      public double loss() {
        return PartGradientCheck.dot(w, forward(), 0, w.length);
      }

      @Override
      public List<Entry> gradients() {
        params.zeroGrad();
        forward();
        float[] dhOut = pass.outputsBackward(w.clone(), run.hOut);
        float[][] dState = new float[cell.stateArrays()][R * H];
        float[] dh = dState[0];
        for (int t = T - 1; t >= 0; t--) {
          Mat.axpy(1f, dhOut, run.at(t), dh, 0, R * H);
          run.backward(blas, t, dState);
          pass.stepBackward(t, run, dh);
        }
        run.accumulateRecurrent(blas);
        run.accumulateInput(blas, x, E, 0);
        pass.finishBackward(run);
        float[] dBsd = new float[bsd.length];
        if (src != null) {
          float[] dKeys = new float[keys.length];
          src.foldGradients(dBsd, dKeys);
          att.keysBackward(bsd, dKeys, b * S, dBsd);
        }
        List<Entry> e = PartGradientCheck.parameters(params);
        e.add(new Entry("encoder outputs", bsd, dBsd));
        e.add(new Entry("h0", h0, dh.clone()));
        return e;
      }
    };
  }

  private static List<String> attentionParameters(Params params) {
    List<String> names = new ArrayList<>();
    for (String n : params.names()) {
      if (n.startsWith("att.")) {
        names.add(n);
      }
    }
    return names;
  }

  @ParameterizedTest
  @EnumSource(Attention.class)
  void attention(Attention kind) {
    try (Params params = new Params(); Blas blas = new Blas()) {
      Part part = attention(kind, params, blas);
      assertMatches(kind + " attention", part);
      List<String> caught = new ArrayList<>(attentionParameters(params));
      caught.add("h0");
      if (kind != Attention.NONE) {
        caught.add("encoder outputs");
      }
      assertTrue(kind == Attention.NONE || caught.size() >= 4, "the attention has parameters: " + caught);
      assertCaught(kind + " attention", part, caught);
    }
  }

  // ---------------------------------------------------------------- decoder and critics

  /** A recurrent decoder (with the critics a policy would put on it) and a fixed encoding of two sources. */
  private static final class DecoderSetup implements AutoCloseable {
    final Params params = new Params();
    final Blas blas = new Blas();
    final Seq2SeqConfig cfg;
    final RecurrentDecoder decoder;
    final Critics critics;
    final Encoding en = new Encoding();
    final int[] inputs;
    final float[] wLogits;
    final float[] wFeatures;

    /** Norm-stabilizer weight on the pass's hidden states (0: none), and rows norm. */
    final double beta;
    /** The decoder's dropout generator, reset to {@link #dropState} before every pass: the same masks each time. */
    final Rng drop = new Rng(3);
    final long dropState = drop.state();
    /** Whether passes are training passes (they are when the config drops out anywhere in the decoder). */
    final boolean training;

    DecoderSetup(Attention kind, CellType cell) {
      this(kind, cell, b -> b);
    }

    DecoderSetup(Attention kind, CellType cell, java.util.function.UnaryOperator<Seq2SeqConfig.Builder> more) {
      cfg = more.apply(Seq2SeqConfig.builder(8, 7).embedding(E).hidden(H).cell(cell).attention(kind).attentionSize(5)
          .bidirectional(true).criticHeads(EnumSet.allOf(CriticHead.class)).criticHidden(3).seed(5)).build();
      beta = cfg.normStabilizer();
      Rng init = new Rng(31 + kind.ordinal());
      Param tgtEmb = params.add("tgt.emb", cfg.targetVocab(), E, init, 0.3, true);
      decoder = new RecurrentDecoder(cfg, blas, params, tgtEmb, init, drop);
      training = decoder.random(true);
      critics = new Critics(cfg, blas, params, cfg.encoderWidth(), decoder.featureWidth(), init);
      PartGradientCheck.perturb(params, init);
      Random r = new Random(7 + kind.ordinal());
      int d = cfg.encoderWidth();
      en.batch = SOURCE_LENGTHS.length;
      en.len = S;
      en.lengths = SOURCE_LENGTHS;
      en.bsd = PartGradientCheck.random(r, en.batch * S * d, 1.0);
      en.fin = PartGradientCheck.random(r, en.batch * d, 1.0);
      inputs = new int[T * R];
      for (int t = 0; t < T; t++) {
        for (int i = 0; i < R; i++) {
          inputs[t * R + i] = t == 0 ? org.seqrl.rl.Tokens.START : 4 + r.nextInt(cfg.targetVocab() - 4);
        }
      }
      wLogits = PartGradientCheck.random(r, T * R * cfg.targetVocab(), 1.0);
      wFeatures = PartGradientCheck.random(r, T * R * H, 1.0);
    }

    Decoder.Pass pass() {
      params.markChanged();
      params.syncMirror();
      en.keys = null; // keys belong to the encoding and the attention's parameters: made again from both
      drop.setState(dropState);
      return decoder.teacherForced(en, SOURCE_OF_ROW, inputs, T, training);
    }

    /** Rows' lengths for the norm-stabilizer. */
    static final int[] LENGTHS = {3, 1, 2};

    @Override
    public void close() {
      blas.close();
      params.close();
    }
  }

  /** The decoder's parameters only: the critics' are checked with the critics. */
  private static Part decoder(DecoderSetup s) {
    return new Part() {
      @Override
      public double loss() {
        Decoder.Pass p = s.pass();
        double stabilizer = s.beta > 0 ? p.stabilizeHidden(s.beta, 2, DecoderSetup.LENGTHS) : 0;
        return PartGradientCheck.dot(s.wLogits, p.keptLogits(), 0, s.wLogits.length)
            + PartGradientCheck.dot(s.wFeatures, p.keptFeatures(), 0, s.wFeatures.length) + stabilizer;
      }

      @Override
      public List<Entry> gradients() {
        s.params.zeroGrad();
        Decoder.Pass pass = s.pass();
        if (s.beta > 0) {
          pass.stabilizeHidden(s.beta, 2, DecoderSetup.LENGTHS);
        }
        Decoder.EncodingGradient g = pass.backward(s.wLogits.clone(), s.wFeatures.clone());
        List<Entry> e = new ArrayList<>();
        for (Entry p : PartGradientCheck.parameters(s.params)) {
          if (!p.name().startsWith("v")) {
            e.add(p);
          }
        }
        e.add(new Entry("encoder outputs", s.en.bsd, g.outputs() != null ? g.outputs() : new float[s.en.bsd.length]));
        e.add(new Entry("final states", s.en.fin, g.finals()));
        return e;
      }
    };
  }

  @ParameterizedTest
  @EnumSource(Attention.class)
  void recurrentDecoder(Attention kind) {
    CellType cell = kind == Attention.DOT ? CellType.LSTM : CellType.GRU; // a two-array state too
    try (DecoderSetup s = new DecoderSetup(kind, cell)) {
      Part part = decoder(s);
      assertMatches("recurrent decoder, " + kind + " attention, " + cell, part);
      List<String> caught = new ArrayList<>(List.of("tgt.emb", "bridge.W", "bridge.b", "dec.Wx", "dec.Wh", "dec.b", "out.W",
          "final states"));
      if (kind != Attention.NONE) {
        caught.add("encoder outputs");
      }
      assertCaught("recurrent decoder, " + kind, part, caught);
    }
  }

  /**
   * Embedding and output dropout in a teacher-forced training pass, the same masks in every
   * evaluation: on the target embeddings and on what the output layer reads (the cell output under
   * no and additive attention, the attentional vector under dot attention); for dot attention also
   * in a stack of two with dropout between the layers. A 3 % error is caught in the embedding, the
   * output layer and the first cell's input weights, and the training pass does draw masks (its
   * logits differ from a decoding pass's).
   */
  @ParameterizedTest
  @EnumSource(Attention.class)
  void embeddingAndOutputDropoutInTheDecoder(Attention kind) {
    CellType cell = kind == Attention.DOT ? CellType.LSTM : CellType.GRU;
    List<java.util.function.UnaryOperator<Seq2SeqConfig.Builder>> shapes = new ArrayList<>();
    shapes.add(b -> b.embeddingDropout(0.3).outputDropout(0.4));
    if (kind == Attention.DOT) {
      shapes.add(b -> b.decoderLayers(2).dropout(0.3).embeddingDropout(0.2).outputDropout(0.3));
    }
    for (var shape : shapes) {
      try (DecoderSetup s = new DecoderSetup(kind, cell, shape)) {
        String what = "recurrent decoder, " + kind + " attention, " + cell + ", " + s.cfg.decoderLayers() + " layers, dropout "
            + s.cfg.dropout() + ", embedding dropout " + s.cfg.embeddingDropout() + ", output dropout " + s.cfg.outputDropout();
        assertTrue(s.training, what);
        float[] dropped = s.pass().keptLogits();
        float[] plain = s.decoder.teacherForced(s.en, SOURCE_OF_ROW, s.inputs, T, false).keptLogits();
        assertTrue(!java.util.Arrays.equals(dropped, plain), what + ": the training pass drew no mask");
        Part part = decoder(s);
        assertMatches(what, part);
        assertCaught(what, part, List.of("tgt.emb", "out.W", "out.b", "dec.Wx", "final states"));
      }
    }
  }

  /**
   * A stack of decoder layers under each connection pattern, with hidden-state averaging in the
   * bridge and the norm-stabilizer on every layer's hidden states (three GRU layers under additive
   * attention, two LSTM layers under dot attention, so that a two-array state and the top-output
   * hook are in it).
   */
  @ParameterizedTest
  @EnumSource(value = Seq2SeqConfig.LayerConnections.class, names = "SKIP", mode = EnumSource.Mode.EXCLUDE)
  void stackedRecurrentDecoder(Seq2SeqConfig.LayerConnections connections) {
    for (Attention kind : List.of(Attention.ADDITIVE, Attention.DOT)) {
      CellType cell = kind == Attention.DOT ? CellType.LSTM : CellType.GRU;
      // Three LSTM layers under dot attention left float32 rounding of the loss at 0.98-1.0 of the
      // tolerance whatever the norm-stabilizer's weight (0 included), growing as 1/step at smaller
      // steps: rounding, not a wrong gradient; two LSTM layers keep it clear, three GRU layers take
      // the dense gather of several layers.
      int layers = cell == CellType.LSTM ? 2 : 3;
      try (DecoderSetup s = new DecoderSetup(kind, cell, b -> b.decoderLayers(layers).layerConnections(connections)
          .initStateMeanRatio(0.4).normStabilizer(0.3))) {
        Part part = decoder(s);
        String what = "decoder stack, " + connections + ", " + kind + " attention, " + cell;
        assertMatches(what, part);
        assertCaught(what, part, List.of("dec.Wx", "dec.1.Wx", "dec." + (layers - 1) + ".Wh", "dec." + (layers - 1) + ".b",
            "bridge.W", "encoder outputs", "final states"));
      }
    }
  }

  /**
   * Skip connections in a decoder stack, for what they carry: the output of layer l − k (GRU) or
   * its output and its memory cell c (LSTM); three layers with k = 2 under additive attention, and
   * four with k = 2 (two layers read a skip) or k = 3 under dot attention, with hidden-state
   * averaging. A 3 % error in the reading layer's input weights, in the skipped layer's weights and
   * in what flows back into the encoding is caught.
   */
  @ParameterizedTest
  @EnumSource(SkipCarries.class)
  void skipConnectionsInADecoderStack(SkipCarries carries) {
    CellType cell = carries == SkipCarries.OUTPUT ? CellType.GRU : CellType.LSTM;
    for (int[] shape : new int[][] {{3, 2}, {4, 2}, {4, 3}}) {
      int layers = shape[0];
      int k = shape[1];
      Attention kind = layers == 3 ? Attention.ADDITIVE : Attention.DOT;
      try (DecoderSetup s = new DecoderSetup(kind, cell, b -> b.decoderLayers(layers).layerConnections(LayerConnections.SKIP)
          .skipDistance(k).skipCarries(carries).initStateMeanRatio(0.4))) {
        Part part = decoder(s);
        String what = "decoder stack, skip " + k + " carrying " + carries + ", " + layers + " layers, " + kind + " attention, " + cell;
        assertMatches(what, part);
        assertCaught(what, part, List.of("dec." + k + ".Wx", "dec." + (layers - 1) + ".Wx", "dec.Wx", "dec.Wh", "dec.1.b",
            "bridge.W", "encoder outputs", "final states"));
      }
    }
  }

  // ---------------------------------------------------------------- encoder

  /**
   * An encoder stack on its own: three sources of lengths 3, 1 and 2 (padding is part of it), inverted
   * dropout between layers (the same masks in every evaluation), loss W . outputs + V . final states
   * (+ the norm-stabilizer on its hidden states when the config puts it there); checked: every
   * parameter, the embedding included.
   */
  private static Part encoder(Seq2SeqConfig cfg, Params params, Blas blas) {
    double beta = cfg.normStabilizerOn() == Seq2SeqConfig.NormStabilized.ENCODER_AND_HIDDEN ? cfg.normStabilizer() : 0;
    Rng init = new Rng(41);
    Rng drop = new Rng(43);
    Param srcEmb = params.add("src.emb", cfg.sourceVocab(), cfg.embedding(), init, 0.3, true);
    Encoder enc = new Encoder(cfg, blas, params, srcEmb, init, drop);
    PartGradientCheck.perturb(params, init);
    int[][] sources = {{4, 5, 6}, {7}, {6, 4}};
    long dropState = drop.state();
    Random r = new Random(11);
    float[] wOut = PartGradientCheck.random(r, sources.length * 3 * enc.width(), 1.0);
    float[] wFin = PartGradientCheck.random(r, sources.length * enc.width(), 1.0);
    return new Part() {
      private Encoding encode() {
        params.markChanged();
        params.syncMirror();
        drop.setState(dropState);
        return enc.encode(sources, true);
      }

      @Override
      public double loss() {
        Encoding en = encode();
        double stabilizer = beta > 0 ? enc.stabilizeHidden(en, beta) : 0;
        return PartGradientCheck.dot(wOut, en.bsd, 0, wOut.length) + PartGradientCheck.dot(wFin, en.fin, 0, wFin.length)
            + stabilizer;
      }

      @Override
      public List<Entry> gradients() {
        params.zeroGrad();
        Encoding en = encode();
        if (beta > 0) {
          enc.stabilizeHidden(en, beta);
        }
        enc.backward(en, wOut.clone(), wFin.clone());
        return PartGradientCheck.parameters(params);
      }
    };
  }

  /**
   * An encoder of three bidirectional GRU layers (dropout 0.2) under each connection pattern, and
   * skip connections carrying outputs and memory cells in LSTM stacks (three bidirectional layers
   * with k = 2; four unidirectional peephole-LSTM layers with k = 2 and with k = 3), and the
   * norm-stabilizer on the hidden states of a bidirectional GRU and an LSTM stack; embedding dropout
   * on one bidirectional LSTM layer and under a stack of two GRU layers with dropout between them.
   */
  @Test
  void stackedEncoder() {
    List<Seq2SeqConfig> cases = new ArrayList<>();
    Seq2SeqConfig.Builder base = Seq2SeqConfig.builder(8, 7).embedding(E).hidden(3).seed(5);
    for (LayerConnections c : LayerConnections.values()) {
      cases.add(base.cell(CellType.GRU).encoderLayers(3).bidirectional(true).dropout(0.2).layerConnections(c).build());
    }
    cases.add(base.cell(CellType.LSTM).encoderLayers(3).bidirectional(true).dropout(0)
        .layerConnections(LayerConnections.SKIP).skipCarries(SkipCarries.OUTPUT_AND_STATE).build());
    for (int k : new int[] {2, 3}) {
      cases.add(base.cell(CellType.LSTM_PEEPHOLE).encoderLayers(4).bidirectional(false).dropout(0.1)
          .layerConnections(LayerConnections.SKIP).skipDistance(k).skipCarries(SkipCarries.OUTPUT_AND_STATE).build());
    }
    cases.add(base.cell(CellType.GRU).encoderLayers(2).bidirectional(true).dropout(0.2)
        .layerConnections(LayerConnections.NONE).skipDistance(2).skipCarries(SkipCarries.OUTPUT).normStabilizer(0.5)
        .normStabilizerOn(Seq2SeqConfig.NormStabilized.ENCODER_AND_HIDDEN).build());
    cases.add(base.cell(CellType.LSTM).encoderLayers(3).bidirectional(false).dropout(0).layerConnections(LayerConnections.SKIP)
        .skipDistance(2).normStabilizer(0.3).build());
    // embedding dropout, alone on one layer and with dropout between layers
    Seq2SeqConfig.Builder plain = Seq2SeqConfig.builder(8, 7).embedding(E).hidden(3).seed(5);
    cases.add(plain.cell(CellType.LSTM).encoderLayers(1).bidirectional(true).embeddingDropout(0.4).build());
    cases.add(plain.cell(CellType.GRU).encoderLayers(2).bidirectional(true).dropout(0.2).embeddingDropout(0.3).build());
    for (Seq2SeqConfig cfg : cases) {
      try (Params params = new Params(); Blas blas = new Blas()) {
        Part part = encoder(cfg, params, blas);
        String what = "encoder, " + cfg.encoderLayers() + " " + cfg.cell() + " layers x " + cfg.directions() + ", "
            + cfg.layerConnections() + (cfg.layerConnections() == LayerConnections.SKIP
                ? " " + cfg.skipDistance() + " carrying " + cfg.skipCarries() : "")
            + (cfg.normStabilizer() > 0 ? ", norm-stabilizer " + cfg.normStabilizer() : "")
            + (cfg.embeddingDropout() > 0 ? ", embedding dropout " + cfg.embeddingDropout() : "");
        assertMatches(what, part);
        int top = cfg.encoderLayers() - 1;
        List<String> caught = new ArrayList<>(List.of("src.emb", "enc.0.0.Wx", "enc.0.0.Wh", "enc." + top + ".0.Wx",
            "enc." + Math.min(1, top) + ".0.b"));
        if (cfg.bidirectional()) {
          caught.add("enc." + top + ".1.Wx");
        }
        assertCaught(what, part, caught);
      }
    }
  }

  /**
   * Both critic heads on a decoder pass, shared trunk: loss c * (sequence and step squared errors);
   * checked: the heads' parameters, the final states and the decoder features they read.
   */
  @Test
  void critics() {
    try (DecoderSetup s = new DecoderSetup(Attention.ADDITIVE, CellType.GRU)) {
      Decoder.Pass pass = s.pass();
      Random r = new Random(9);
      int[] lengths = {3, 1, 2};
      double[] seqTargets = new double[R];
      double[][] stepTargets = new double[R][T];
      for (int i = 0; i < R; i++) {
        seqTargets[i] = r.nextGaussian();
        for (int t = 0; t < T; t++) {
          stepTargets[i][t] = r.nextGaussian();
        }
      }
      double c = 0.7;
      Objective o = new Objective(new int[2][], SOURCE_OF_ROW, new int[R][T], lengths, new double[R][T], null, seqTargets,
          stepTargets, c, R);
      float[] features = pass.keptFeatures();
      Part part = new Part() {
        @Override
        public double loss() {
          s.params.markChanged();
          s.params.syncMirror();
          return c * s.critics.backward(o, s.en, pass).loss();
        }

        @Override
        public List<Entry> gradients() {
          s.params.zeroGrad();
          s.params.markChanged();
          s.params.syncMirror();
          Critics.Result res = s.critics.backward(o, s.en, pass);
          List<Entry> e = new ArrayList<>();
          for (Entry p : PartGradientCheck.parameters(s.params)) {
            if (p.name().startsWith("vseq") || p.name().startsWith("vstep")) {
              e.add(p);
            }
          }
          e.add(new Entry("final states", s.en.fin, res.dFinals()));
          e.add(new Entry("features", features, res.dFeatures()));
          return e;
        }
      };
      assertMatches("critics", part);
      assertCaught("critics", part, List.of("vseq.W1", "vseq.w2", "vstep.W1", "vstep.b2", "final states", "features"));
    }
  }
}
