package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;

class Seq2SeqConfigTest {
  @Test
  void defaultsFollowTheReferenceSetup() {
    Seq2SeqConfig c = Seq2SeqConfig.builder(30, 40).build();
    assertEquals(64, c.embedding());
    assertEquals(256, c.hidden());
    assertEquals(CellType.GRU, c.cell());
    assertEquals(Attention.NONE, c.attention());
  }

  @Test
  void propertiesRoundTrip() {
    Seq2SeqConfig c = Seq2SeqConfig.builder(9, 11).cell(CellType.LSTM).bidirectional(true).encoderLayers(2)
        .dropout(0.25).attention(Attention.ADDITIVE).attentionSize(32).criticHeads(EnumSet.allOf(CriticHead.class))
        .criticTrunk(Seq2SeqConfig.CriticTrunk.SEPARATE).seed(42).build();
    assertEquals(c, Seq2SeqConfig.fromProperties(c.toProperties()));
  }

  @Test
  void stacksAndRegularisersRoundTripAndOldPropertiesMeanTheModelAsItWas() {
    Seq2SeqConfig c = Seq2SeqConfig.builder(9, 11).decoderLayers(3).layerConnections(Seq2SeqConfig.LayerConnections.DENSE)
        .normStabilizer(0.5).normStabilizerOn(Seq2SeqConfig.NormStabilized.LOGITS).initStateMeanRatio(0.3).build();
    assertEquals(c, Seq2SeqConfig.fromProperties(c.toProperties()));
    Seq2SeqConfig carry = Seq2SeqConfig.builder(9, 11).cell(CellType.LSTM).carryCellState(true).build();
    assertEquals(carry, Seq2SeqConfig.fromProperties(carry.toProperties()));
    java.util.Properties old = Seq2SeqConfig.builder(9, 11).build().toProperties();
    for (String k : new String[] {"decoderLayers", "layerConnections", "normStabilizer", "normStabilizerOn", "initStateMeanRatio",
        "carryCellState"}) {
      old.remove(k);
    }
    assertEquals(Seq2SeqConfig.builder(9, 11).build(), Seq2SeqConfig.fromProperties(old));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Seq2SeqConfig.builder(30, 30).initStateMeanRatio(1.5).build());
    assertTrue(e.getMessage().contains("model.initStateMeanRatio"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Seq2SeqConfig.builder(30, 30).decoderLayers(0).build());
    e = assertThrows(IllegalArgumentException.class,
        () -> Seq2SeqConfig.builder(30, 30).cell(CellType.LSTM).carryCellState(true).decoderLayers(2).build());
    assertTrue(e.getMessage().contains("model.carryCellState") && e.getMessage().contains("decoderLayers 2"), e.getMessage());
    Seq2SeqConfig ntm = Seq2SeqConfig.builder(9, 11).cell(CellType.NTM).carryCellState(true).build();
    assertEquals(ntm, Seq2SeqConfig.fromProperties(ntm.toProperties()));
    NtmSpec ff = new NtmSpec(8, 4, 1, 1, 1, NtmSpec.Controller.FEEDFORWARD, 1e-6);
    e = assertThrows(IllegalArgumentException.class,
        () -> Seq2SeqConfig.builder(30, 30).cell(CellType.NTM).memory(ff).carryCellState(true).build());
    assertTrue(e.getMessage().contains("model.carryCellState") && e.getMessage().contains("FEEDFORWARD"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Seq2SeqConfig.builder(30, 30).normStabilizer(-1).build());
  }

  @Test
  void skipConnectionsRoundTripAndAreValidated() {
    Seq2SeqConfig c = Seq2SeqConfig.builder(9, 11).cell(CellType.LSTM).encoderLayers(4).decoderLayers(2)
        .layerConnections(Seq2SeqConfig.LayerConnections.SKIP).skipDistance(3)
        .skipCarries(Seq2SeqConfig.SkipCarries.OUTPUT_AND_STATE).build();
    assertEquals(c, Seq2SeqConfig.fromProperties(c.toProperties()));
    java.util.Properties old = Seq2SeqConfig.builder(9, 11).build().toProperties();
    old.remove("skipDistance");
    old.remove("skipCarries");
    assertEquals(Seq2SeqConfig.builder(9, 11).build(), Seq2SeqConfig.fromProperties(old));
    Seq2SeqConfig.Builder skip = Seq2SeqConfig.builder(9, 11).encoderLayers(3).decoderLayers(2)
        .layerConnections(Seq2SeqConfig.LayerConnections.SKIP);
    String far = assertThrows(IllegalArgumentException.class, () -> skip.skipDistance(3).build()).getMessage();
    assertTrue(far.startsWith("model.skip_distance: 3 joins no two layers") && far.endsWith("expected 2..2"), far);
    String near = assertThrows(IllegalArgumentException.class, () -> skip.skipDistance(1).build()).getMessage();
    assertTrue(near.startsWith("model.skip_distance: 1 is too short"), near);
    String state = assertThrows(IllegalArgumentException.class,
        () -> skip.skipDistance(2).skipCarries(Seq2SeqConfig.SkipCarries.OUTPUT_AND_STATE).build()).getMessage();
    assertTrue(state.startsWith("model.skip_carries: output-and-state has no effect with model.cell gru"), state);
    String idle = assertThrows(IllegalArgumentException.class, () -> Seq2SeqConfig.builder(9, 11).decoderLayers(3)
        .layerConnections(Seq2SeqConfig.LayerConnections.DENSE).skipDistance(2).skipCarries(
            Seq2SeqConfig.SkipCarries.OUTPUT_AND_STATE).build()).getMessage();
    assertTrue(idle.startsWith("model.skip_carries: output-and-state has no effect with model.layer_connections dense"), idle);
  }

  @Test
  void embeddingAndOutputDropoutRoundTripAndAreValidated() {
    Seq2SeqConfig c = Seq2SeqConfig.builder(9, 11).embeddingDropout(0.2).outputDropout(0.35).build();
    assertEquals(c, Seq2SeqConfig.fromProperties(c.toProperties()));
    java.util.Properties old = Seq2SeqConfig.builder(9, 11).build().toProperties();
    old.remove("embeddingDropout");
    old.remove("outputDropout");
    assertEquals(Seq2SeqConfig.builder(9, 11).build(), Seq2SeqConfig.fromProperties(old), "older checkpoints: neither");
    String one = assertThrows(IllegalArgumentException.class, () -> Seq2SeqConfig.builder(9, 11).embeddingDropout(1.0).build())
        .getMessage();
    assertTrue(one.contains("model.embeddingDropout: 1.0 is invalid; expected in [0, 1)"), one);
    String negative = assertThrows(IllegalArgumentException.class, () -> Seq2SeqConfig.builder(9, 11).outputDropout(-0.1).build())
        .getMessage();
    assertTrue(negative.contains("model.outputDropout: -0.1"), negative);
    String tf = assertThrows(IllegalArgumentException.class, () -> Seq2SeqConfig.builder(9, 11).outputDropout(0.1)
        .transformer(Seq2SeqConfig.Transformer.defaults()).build()).getMessage();
    assertTrue(tf.contains("transformer.dropout"), tf);
    String sd = SameDiffSeq2Seq.unsupported(Seq2SeqConfig.builder(9, 11).cell(CellType.LSTM).embeddingDropout(0.2).build());
    assertEquals("model.engine samediff does not build model.embedding_dropout 0.2 (0 is)", sd);
  }

  @Test
  void invalidFieldsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Seq2SeqConfig.builder(30, 30).dropout(1.0).build());
    assertTrue(e.getMessage().contains("model.dropout") && e.getMessage().contains("[0, 1)"), e.getMessage());
  }

  @Test
  void tokenIdsOutsideTheVocabularyAreRejectedClearly() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(Seq2SeqConfig.builder(8, 8).embedding(4).hidden(4).build())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> p.mleStep(new int[][] {{4, 9}}, new int[][] {{5}}, new OptimizerSettings(0.1, 1)));
      assertTrue(e.getMessage().contains("source row 0 position 1: token id 9"), e.getMessage());
    }
  }

  @Test
  void criticTargetsForAMissingHeadAreRejected() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(Seq2SeqConfig.builder(8, 8).embedding(4).hidden(4).build())) {
      Rollout r = p.sample(new int[][] {{4, 5}}, 2, 1.0, 4);
      double[][] adv = new double[2][r.maxLength()];
      assertThrows(IllegalArgumentException.class,
          () -> p.update(new PolicyGradientBatch(r, adv, new double[2], null, 0.0, 1.0), new OptimizerSettings(0.1, 1)));
    }
  }
}
