package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.Init;
import org.seqrl.agents.Seq2SeqConfig.InitScheme;
import org.seqrl.rl.CriticHead;

/** {@code model.init}, {@code model.init_scale} and {@code model.forget_bias}. */
class InitTest {
  static Seq2SeqConfig.Builder model(CellType cell, Attention attention) {
    return Seq2SeqConfig.builder(10, 9).embedding(5).hidden(6).cell(cell).attention(attention).bidirectional(true)
        .encoderLayers(2).criticHeads(EnumSet.allOf(CriticHead.class)).seed(42);
  }

  static long checksum(Seq2SeqPolicy p) {
    long h = 17;
    for (Param q : p.params.all()) {
      h = h * 31 + q.name.hashCode();
      for (float v : q.value) {
        h = h * 31 + Float.floatToIntBits(v);
      }
    }
    return h;
  }

  /**
   * Checksums of every parameter (names, order and bits) of these seeded models, printed by the
   * engine at commit 8a5fb56, before {@code model.init} existed: the default init is that one, bit for bit.
   */
  private static final Map<String, Long> BEFORE = Map.ofEntries(
      Map.entry("GRU NONE", 5272914983497540259L), Map.entry("GRU ADDITIVE", -4833731202565091219L),
      Map.entry("GRU DOT", 8597363014280708525L), Map.entry("LSTM NONE", 508092541105957667L),
      Map.entry("LSTM ADDITIVE", 3245819548155532799L), Map.entry("LSTM DOT", 1441664037640726383L),
      Map.entry("LSTM_PEEPHOLE NONE", -4108425161089984891L), Map.entry("LSTM_PEEPHOLE ADDITIVE", 157610616737017074L),
      Map.entry("LSTM_PEEPHOLE DOT", 4085726413776782627L), Map.entry("RNN_TANH NONE", 3888636999509225940L),
      Map.entry("RNN_TANH ADDITIVE", -1692904683034176514L), Map.entry("RNN_TANH DOT", 670643565318007768L),
      Map.entry("IRNN NONE", 3150588456189944352L), Map.entry("IRNN ADDITIVE", -8814474721540472673L),
      Map.entry("IRNN DOT", -5524033104190595316L));

  @Test
  void theDefaultIsTheInitBeforeTheSetting() {
    for (Map.Entry<String, Long> e : BEFORE.entrySet()) {
      String[] k = e.getKey().split(" ");
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(model(CellType.valueOf(k[0]), Attention.valueOf(k[1])).build())) {
        assertEquals(e.getValue(), checksum(p), e.getKey());
      }
    }
  }

  /** Orthogonal blocks: each [H, H] block of every Wh is gain times an orthogonal matrix; everything else as with uniform. */
  @Test
  void orthogonalChangesOnlyTheRecurrentBlocks() {
    for (CellType cell : new CellType[] {CellType.GRU, CellType.LSTM, CellType.JZS1, CellType.RNN_TANH}) {
      double gain = 1.5;
      try (Seq2SeqPolicy u = new Seq2SeqPolicy(model(cell, Attention.ADDITIVE).build());
          Seq2SeqPolicy o = new Seq2SeqPolicy(model(cell, Attention.ADDITIVE)
              .init(new Init(InitScheme.ORTHOGONAL, gain, 1.0)).build())) {
        int recurrent = 0;
        for (Param q : o.params.all()) {
          Param before = u.params.get(q.name);
          if (!q.name.endsWith(".Wh")) {
            assertTrue(java.util.Arrays.equals(before.value, q.value), cell + " " + q.name + " unchanged");
            continue;
          }
          recurrent++;
          int hd = q.rows;
          for (int blk = 0; blk < q.cols / hd; blk++) {
            for (int i = 0; i < hd; i++) {
              for (int j = 0; j < hd; j++) {
                double dot = 0;
                for (int k = 0; k < hd; k++) {
                  dot += (double) q.value[i * q.cols + blk * hd + k] * q.value[j * q.cols + blk * hd + k];
                }
                assertEquals(i == j ? gain * gain : 0, dot, 1e-5, cell + " " + q.name + " block " + blk + " (Q Q^T)[" + i + "][" + j + "]");
              }
            }
          }
        }
        assertEquals(5, recurrent, cell + ": 4 encoder cells and the decoder's");
      }
    }
  }

  @Test
  void identityAndItsScale() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(model(CellType.RNN_TANH, Attention.DOT)
        .init(new Init(InitScheme.IDENTITY, 0.5, 1.0)).build());
        Seq2SeqPolicy irnn = new Seq2SeqPolicy(model(CellType.IRNN, Attention.DOT)
            .init(new Init(InitScheme.UNIFORM, 0.01, 1.0)).build())) {
      for (Seq2SeqPolicy m : new Seq2SeqPolicy[] {p, irnn}) {
        float diag = m == p ? 0.5f : 0.01f;
        Param wh = m.params.get("dec.Wh");
        for (int i = 0; i < wh.rows; i++) {
          for (int j = 0; j < wh.cols; j++) {
            assertEquals(i == j ? diag : 0f, wh.value[i * wh.cols + j], 0f, "dec.Wh[" + i + "][" + j + "]");
          }
        }
      }
    }
  }

  @Test
  void uniformScaleScalesTheRange() {
    try (Seq2SeqPolicy u = new Seq2SeqPolicy(model(CellType.GRU, Attention.NONE).build());
        Seq2SeqPolicy s = new Seq2SeqPolicy(model(CellType.GRU, Attention.NONE).init(new Init(InitScheme.UNIFORM, 0.5, 1.0)).build())) {
      float[] a = u.params.get("enc.0.0.Wh").value;
      float[] b = s.params.get("enc.0.0.Wh").value;
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i] * 0.5f, b[i], 0f);
      }
    }
  }

  @Test
  void forgetBiasOfTheLstmKinds() {
    for (CellType cell : new CellType[] {CellType.LSTM, CellType.LSTM_PEEPHOLE}) {
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(model(cell, Attention.NONE).init(new Init(InitScheme.UNIFORM, 1.0, 2.5)).build())) {
        float[] b = p.params.get("dec.b").value;
        for (int j = 0; j < 4 * 6; j++) {
          assertEquals(j >= 6 && j < 12 ? 2.5f : 0f, b[j], 0f, cell + " dec.b[" + j + "]");
        }
      }
    }
  }

  @Test
  void choicesThatDoNotFitTheCellAreRejected() {
    String identity = assertThrows(IllegalArgumentException.class,
        () -> model(CellType.GRU, Attention.NONE).init(new Init(InitScheme.IDENTITY, 1.0, 1.0)).build()).getMessage();
    assertTrue(identity.startsWith("model.init: 'identity' does not fit model.cell gru"), identity);
    String orth = assertThrows(IllegalArgumentException.class,
        () -> model(CellType.IRNN, Attention.NONE).init(new Init(InitScheme.ORTHOGONAL, 1.0, 1.0)).build()).getMessage();
    assertTrue(orth.startsWith("model.init: 'orthogonal' does not fit model.cell irnn"), orth);
    String bias = assertThrows(IllegalArgumentException.class,
        () -> model(CellType.JZS2, Attention.NONE).init(new Init(InitScheme.UNIFORM, 1.0, 0.0)).build()).getMessage();
    assertTrue(bias.startsWith("model.forget_bias: 0.0 has no effect with model.cell jzs2"), bias);
    for (double bad : new double[] {0, -1, 11, Double.NaN}) {
      String scale = assertThrows(IllegalArgumentException.class, () -> new Init(InitScheme.ORTHOGONAL, bad, 1.0)).getMessage();
      assertTrue(scale.startsWith("model.init_scale: " + bad + " is invalid"), scale);
    }
  }

  /** Saved with the model's shape; a checkpoint from before the keys existed reads as the default. */
  @Test
  void propertiesRoundTripAndOldOnesMeanTheDefault() {
    Seq2SeqConfig cfg = model(CellType.LSTM, Attention.DOT).init(new Init(InitScheme.ORTHOGONAL, 1.2, 0.5)).build();
    assertEquals(cfg, Seq2SeqConfig.fromProperties(cfg.toProperties()));
    Properties old = cfg.toProperties();
    old.remove("init");
    old.remove("initScale");
    old.remove("forgetBias");
    assertEquals(Init.DEFAULT, Seq2SeqConfig.fromProperties(old).init());
  }
}
