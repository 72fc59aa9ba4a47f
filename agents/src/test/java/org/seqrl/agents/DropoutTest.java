package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.Rollout;

/**
 * Embedding dropout ({@code model.embedding_dropout}) and output dropout ({@code model.output_dropout})
 * act in training passes only and draw their masks from the policy's dropout generator: decoding,
 * log-probabilities and evaluation passes are those of the same model without them, a training pass
 * is not, and a seed, or a checkpoint's generator state, gives the same training again. (The
 * gradients with masks are checked in {@link GradientCheckTest} and {@link PartGradientCheckTest}.)
 */
class DropoutTest {
  private static final OptimizerSettings OPT = new OptimizerSettings(0.01, 1.0);

  /** A small G2P-shaped model: bidirectional LSTM encoder, LSTM decoder, additive attention. */
  private static Seq2SeqConfig.Builder base() {
    return Seq2SeqConfig.builder(10, 10).embedding(6).hidden(8).cell(CellType.LSTM).bidirectional(true)
        .attention(Attention.ADDITIVE).criticHeads(EnumSet.of(CriticHead.SEQUENCE)).seed(11);
  }

  private static final int[][] SOURCES = {{4, 5, 6}, {7}, {8, 4, 9, 5}, {6, 6}};
  private static final int[][] TARGETS = {{6, 5, 4}, {7}, {5, 9, 4, 8}, {6, 6}};

  @Test
  void masksAreDrawnOnlyWhileTraining() {
    for (Seq2SeqConfig dropped : List.of(base().embeddingDropout(0.3).outputDropout(0.4).build(),
        base().attention(Attention.DOT).decoderLayers(2).dropout(0.2).embeddingDropout(0.5).build(),
        base().attention(Attention.NONE).outputDropout(0.5).build())) {
      Seq2SeqConfig plain = dropped.toBuilder().embeddingDropout(0).outputDropout(0).dropout(0).build();
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(dropped); Seq2SeqPolicy q = new Seq2SeqPolicy(plain)) {
        for (Params.Param x : p.params.all()) {
          assertArrayEquals(q.params.get(x.name).value, x.value, "the keys do not change the initial draws: " + x.name);
        }
        long before = p.dropoutRng.state();
        Rollout greedyP = p.greedy(SOURCES, 8);
        Rollout greedyQ = q.greedy(SOURCES, 8);
        assertEquals(Arrays.deepToString(greedyQ.tokens()), Arrays.deepToString(greedyP.tokens()), dropped + " greedy");
        assertEquals(Arrays.deepToString(greedyQ.logProbs()), Arrays.deepToString(greedyP.logProbs()), dropped + " greedy");
        Seq2SeqPolicy.BeamResult beamP = p.beamSearchWithScores(SOURCES, 3, 8);
        Seq2SeqPolicy.BeamResult beamQ = q.beamSearchWithScores(SOURCES, 3, 8);
        assertEquals(Arrays.deepToString(beamQ.hypotheses()), Arrays.deepToString(beamP.hypotheses()), dropped + " beam");
        assertArrayEquals(beamQ.scores(), beamP.scores(), dropped + " beam scores");
        Rollout sampleP = p.sample(SOURCES, 2, 1.0, 8);
        Rollout sampleQ = q.sample(SOURCES, 2, 1.0, 8);
        assertEquals(Arrays.deepToString(sampleQ.tokens()), Arrays.deepToString(sampleP.tokens()), dropped + " sample");
        assertEquals(Arrays.deepToString(sampleQ.logProbs()), Arrays.deepToString(sampleP.logProbs()), dropped + " sample");
        double[][] lpP = new double[sampleP.rows()][sampleP.maxLength()];
        double[][] lpQ = new double[sampleQ.rows()][sampleQ.maxLength()];
        p.logProbs(sampleP, PolicyParameters.CURRENT, lpP);
        q.logProbs(sampleQ, PolicyParameters.CURRENT, lpQ);
        assertEquals(Arrays.deepToString(lpQ), Arrays.deepToString(lpP), dropped + " logProbs");
        Objective o = Objective.mle(SOURCES, TARGETS);
        assertEquals(q.lossAndGradients(o, false).loss(), p.lossAndGradients(o, false).loss(), dropped + " evaluation pass");
        assertEquals(before, p.dropoutRng.state(), dropped + ": decoding and evaluation drew no mask");

        double trainP = p.lossAndGradients(o, true).loss();
        assertNotEquals(before, p.dropoutRng.state(), dropped + ": a training pass draws masks");
        assertNotEquals(q.lossAndGradients(o, true).loss(), trainP, dropped + ": a training pass is dropped out");
      }
    }
  }

  @Test
  void eachKeyAloneDropsOutInTraining() {
    Objective o = Objective.mle(SOURCES, TARGETS);
    double plain;
    try (Seq2SeqPolicy q = new Seq2SeqPolicy(base().build())) {
      plain = q.lossAndGradients(o, true).loss();
      assertFalse(q.encoder.random(true) || q.decoder.random(true));
    }
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(base().embeddingDropout(0.3).build())) {
      assertTrue(p.encoder.random(true) && p.decoder.random(true), "source and target embeddings");
      assertFalse(p.encoder.random(false) || p.decoder.random(false));
      assertNotEquals(plain, p.lossAndGradients(o, true).loss());
    }
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(base().outputDropout(0.3).build())) {
      assertFalse(p.encoder.random(true), "output dropout is the decoder's");
      assertTrue(p.decoder.random(true));
      assertNotEquals(plain, p.lossAndGradients(o, true).loss());
    }
  }

  /** The same seed trains to the same parameters, bit for bit; another dropout generator state does not. */
  @Test
  void theSameSeedTrainsTheSame() {
    Seq2SeqConfig cfg = base().embeddingDropout(0.3).outputDropout(0.4).build();
    try (Seq2SeqPolicy a = new Seq2SeqPolicy(cfg); Seq2SeqPolicy b = new Seq2SeqPolicy(cfg);
        Seq2SeqPolicy c = new Seq2SeqPolicy(cfg)) {
      c.dropoutRng.setState(c.dropoutRng.state() + 1);
      List<Double> ra = CheckpointTest.run(a, new Random(5), 6, 3);
      List<Double> rb = CheckpointTest.run(b, new Random(5), 6, 3);
      List<Double> rc = CheckpointTest.run(c, new Random(5), 6, 3);
      assertEquals(ra, rb);
      assertNotEquals(ra, rc, "the masks come from the dropout generator");
      for (Params.Param x : a.params.all()) {
        assertArrayEquals(x.value, b.params.get(x.name).value, x.name);
      }
      assertEquals(a.dropoutRng.state(), b.dropoutRng.state());
    }
  }

  /** A run resumed from a checkpoint draws the masks an uninterrupted one draws. */
  @Test
  void aResumedRunDrawsTheSameMasks(@TempDir Path dir) throws IOException {
    Seq2SeqConfig cfg = base().embeddingDropout(0.3).outputDropout(0.4).build();
    List<Double> uninterrupted;
    try (Seq2SeqPolicy a = new Seq2SeqPolicy(cfg)) {
      Random data = new Random(7);
      CheckpointTest.run(a, data, 4, 2);
      uninterrupted = CheckpointTest.run(a, data, 4, 2);
    }
    Path ck = dir.resolve("ck");
    Random data = new Random(7);
    try (Seq2SeqPolicy a = new Seq2SeqPolicy(cfg)) {
      CheckpointTest.run(a, data, 4, 2);
      a.save(ck);
    }
    try (Seq2SeqPolicy b = new Seq2SeqPolicy(cfg.toBuilder().seed(99).build())) {
      b.restore(ck);
      assertEquals(uninterrupted, CheckpointTest.run(b, data, 4, 2));
    }
  }
}
