package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.UpdateStats;

class SameDiffPolicyTest {
  private static final OptimizerSettings ADAM = new OptimizerSettings(0.02, 5.0);

  /** Random reverse-task batch over ids 4..7, lengths 1..{@code maxLen}. */
  private static int[][][] reverseBatch(Random r, int n, int maxLen) {
    int[][] src = new int[n][];
    int[][] tgt = new int[n][];
    for (int i = 0; i < n; i++) {
      int len = 1 + r.nextInt(maxLen);
      src[i] = new int[len];
      tgt[i] = new int[len];
      for (int t = 0; t < len; t++) {
        src[i][t] = 4 + r.nextInt(4);
      }
      for (int t = 0; t < len; t++) {
        tgt[i][t] = src[i][len - 1 - t];
      }
    }
    return new int[][][] {src, tgt};
  }

  @Test
  void samediffSeq2SeqLearnsToReverse() {
    // tiny on purpose: SameDiff's per-op overhead makes a step of even this model cost ~0.1-0.5 s here
    Seq2SeqConfig cfg = Seq2SeqConfig.builder(8, 8).embedding(8).hidden(16).attention(Attention.ADDITIVE).seed(3).build();
    try (SameDiffPolicy p = SameDiffSeq2Seq.policy(cfg, 2, 3)) {
      Random r = new Random(11);
      for (int s = 0; s < 100; s++) {
        int[][][] b = reverseBatch(r, 16, 2);
        p.mleStep(b[0], b[1], new OptimizerSettings(0.03, 5.0));
      }
      int[][][] test = reverseBatch(new Random(99), 24, 2);
      Rollout g = p.greedy(test[0], 3);
      int right = 0;
      for (int i = 0; i < 24; i++) {
        right += java.util.Arrays.equals(g.hypothesis(i), test[1][i]) ? 1 : 0;
      }
      assertTrue(right >= 20, "greedy reversed only " + right + " of 24 test sequences after MLE");
      // beam search runs through the same Search code; a beam never returns a less likely hypothesis than greedy
      Seq2SeqPolicy.BeamResult beam = p.beamSearchWithScores(test[0], 3, 3);
      for (int i = 0; i < 24; i++) {
        double greedyScore = 0;
        for (int t = 0; t < g.lengths()[i]; t++) {
          greedyScore += g.logProbs()[i][t];
        }
        assertTrue(beam.scores()[i] >= greedyScore - 1e-9, "beam score below greedy on row " + i);
      }
    }
  }

  @Test
  void resumesExactly(@TempDir Path dir) throws Exception {
    Seq2SeqConfig cfg = Seq2SeqConfig.builder(8, 8).embedding(4).hidden(6).attention(Attention.ADDITIVE).seed(5).build();
    int[][] src = {{4, 5, 6}, {7}};
    int[][] tgt = {{6, 5, 4}, {7}};
    float[] expected;
    int[][] expectedTokens;
    try (SameDiffPolicy a = SameDiffSeq2Seq.policy(cfg, 3, 5)) {
      a.mleStep(src, tgt, ADAM);
      a.mleStep(src, tgt, ADAM);
      a.save(dir.resolve("ck"));
      Rollout ro = a.sample(src, 2, 1.0, 5);
      a.update(pgBatch(ro), ADAM);
      expectedTokens = a.sample(src, 2, 1.0, 5).tokens();
      expected = a.values("dec.Wh");
    }
    try (SameDiffPolicy b = SameDiffSeq2Seq.policy(cfg.toBuilder().seed(77).build(), 3, 5)) {
      b.restore(dir.resolve("ck"));
      assertEquals(2, b.steps());
      Rollout ro = b.sample(src, 2, 1.0, 5);
      b.update(pgBatch(ro), ADAM);
      assertArrayEquals(expectedTokens, b.sample(src, 2, 1.0, 5).tokens(), "samples after resume");
      assertArrayEquals(expected, b.values("dec.Wh"), "weights after resume (bit for bit)");
    }
  }

  private static PolicyGradientBatch pgBatch(Rollout ro) {
    double[][] adv = new double[ro.rows()][ro.maxLength()];
    for (int i = 0; i < ro.rows(); i++) {
      for (int t = 0; t < ro.lengths()[i]; t++) {
        adv[i][t] = i % 2 == 0 ? 1.0 : -0.5;
      }
    }
    return new PolicyGradientBatch(ro, adv, null, null, 0.01, 0.0);
  }

  /**
   * A user's own graph (not SeqRL's): a causal bag-of-embeddings decoder with both critic heads,
   * under names of the user's choosing. The loss the graph computes must be the one
   * {@link PolicyGradientBatch} defines, from the rollout's own log-probabilities, entropies and values.
   */
  @Test
  void userGraphWithCriticsComputesThePolicyGradientLoss() {
    int v = 7;
    int e = 5;
    SameDiff sd = SameDiff.create();
    // fixed lengths (2 source, 4 decoder positions): the policy pads its inputs to them
    SDVariable src = sd.placeHolder("src", DataType.INT, -1, 2);
    SDVariable mask = sd.placeHolder("srcMask", DataType.FLOAT, -1, 2);
    SDVariable dec = sd.placeHolder("dec", DataType.INT, -1, 4);
    Random r = new Random(1);
    Nd4j.getRandom().setSeed(1);
    SDVariable emb = sd.var("emb", Nd4j.rand(DataType.FLOAT, v, e).subi(0.5));
    SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, e, v).subi(0.5));
    SDVariable vw = sd.var("vw", Nd4j.rand(DataType.FLOAT, e, 1).subi(0.5));
    // source summary: masked sum of embeddings [R, E]; decoder features at t: the input token's embedding plus it
    SDVariable srcEmb = sd.reshape(sd.mmul(sd.reshape(sd.oneHot(src, v, -1, 1.0, 0.0, DataType.FLOAT), -1, v), emb), -1, 2, e);
    SDVariable srcSum = sd.sum(srcEmb.mul(sd.expandDims(mask, 2)), 1);
    SDVariable decEmb = sd.reshape(sd.mmul(sd.reshape(sd.oneHot(dec, v, -1, 1.0, 0.0, DataType.FLOAT), -1, v), emb), -1, 4, e);
    SDVariable flatFeat = sd.reshape(sd.math().tanh(decEmb.add(sd.expandDims(srcSum, 1))), -1, e);
    sd.identity("next", sd.reshape(sd.mmul(flatFeat, w), -1, 4, v));
    sd.identity("vstep", sd.reshape(sd.mmul(flatFeat, vw), -1, 4));
    sd.identity("vseq", sd.reshape(sd.mmul(sd.math().tanh(srcSum), vw), -1));
    try (SameDiffPolicy p = SameDiffPolicy.builder(sd, v).sourceIds("src").sourceMask("srcMask").decoderInput("dec")
        .logits("next").stepValues("vstep").sequenceValue("vseq").seed(9).build()) {
      assertEquals(Set.of(CriticHead.SEQUENCE, CriticHead.STEP), p.criticHeads());
      int[][] sources = {{4, 5}, {6}};
      Rollout ro = p.sample(sources, 3, 1.0, 4);
      assertTrue(ro.sequenceValues() != null && ro.stepValues() != null, "the rollout carries both critics' values");
      int n = ro.rows();
      double[][] adv = new double[n][ro.maxLength()];
      double[] seqT = new double[n];
      double[][] stepT = new double[n][ro.maxLength()];
      double beta = 0.03;
      double c = 0.5;
      double expected = 0;
      double critic = 0;
      for (int i = 0; i < n; i++) {
        seqT[i] = r.nextGaussian();
        critic += Math.pow(ro.sequenceValues()[i] - seqT[i], 2) / n;
        for (int t = 0; t < ro.lengths()[i]; t++) {
          adv[i][t] = r.nextGaussian();
          stepT[i][t] = r.nextGaussian();
          expected -= (adv[i][t] * ro.logProbs()[i][t] + beta * ro.entropies()[i][t]) / n;
          critic += Math.pow(ro.stepValues()[i][t] - stepT[i][t], 2) / n;
        }
      }
      expected += c * critic;
      UpdateStats u = p.update(new PolicyGradientBatch(ro, adv, seqT, stepT, beta, c), new OptimizerSettings(1e-3, 0));
      assertEquals(expected, u.loss(), 1e-5 * (1 + Math.abs(expected)), "loss of PolicyGradientBatch's formula");
      assertEquals(critic, u.criticLoss(), 1e-5 * (1 + critic), "critic loss before its coefficient");
      assertEquals(ro.tokenCount(), u.tokens());
      assertTrue(u.gradNorm() > 0);
    }
  }

  @Test
  void namesThatAreNotInTheGraphAreRejected() {
    SameDiff sd = SameDiff.create();
    sd.placeHolder("source_ids", DataType.INT, -1, -1);
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> SameDiffPolicy.builder(sd, 8).build());
    assertTrue(ex.getMessage().startsWith("sourceMask: 'source_mask' is not a placeholder of the graph"), ex.getMessage());
    Seq2SeqConfig dot = Seq2SeqConfig.builder(8, 8).attention(Attention.DOT).build();
    ex = assertThrows(IllegalArgumentException.class, () -> SameDiffSeq2Seq.policy(dot, 3, 3));
    assertEquals("model.engine samediff does not build model.attention dot (none and additive are)", ex.getMessage());
    Seq2SeqConfig location = Seq2SeqConfig.builder(8, 8).attention(Attention.LOCATION).build();
    ex = assertThrows(IllegalArgumentException.class, () -> SameDiffSeq2Seq.policy(location, 3, 3));
    assertEquals("model.engine samediff does not build model.attention location (none and additive are)", ex.getMessage());
    Seq2SeqConfig.Transformer drop = new Seq2SeqConfig.Transformer(1, 1, 2, 8, 16, 0.1, Seq2SeqConfig.Norm.PRE,
        Seq2SeqConfig.PositionKind.SINUSOIDAL, true);
    Seq2SeqConfig tf = Seq2SeqConfig.builder(8, 8).transformer(drop).build();
    ex = assertThrows(IllegalArgumentException.class, () -> SameDiffSeq2Seq.policy(tf, 3, 3));
    assertEquals("model.engine samediff does not build model.transformer.dropout 0.1 (0 is)", ex.getMessage());
    Seq2SeqConfig noDrop = tf.toBuilder().transformer(new Seq2SeqConfig.Transformer(1, 1, 2, 8, 16, 0.0,
        Seq2SeqConfig.Norm.PRE, Seq2SeqConfig.PositionKind.SINUSOIDAL, true)).build();
    assertTrue(SameDiffSeq2Seq.supports(noDrop), "a transformer without dropout is built");
  }

  /** The gradient without a step: the update's gradient (same norm), parameters and the training sampler untouched. */
  @Test
  void policyGradientIsTheUpdatesGradientWithoutAStep() {
    Seq2SeqConfig cfg = Seq2SeqConfig.builder(8, 8).embedding(4).hidden(6).attention(Attention.ADDITIVE).seed(5).build();
    try (SameDiffPolicy p = SameDiffSeq2Seq.policy(cfg, 3, 4)) {
      int[][][] b = reverseBatch(new Random(2), 4, 3);
      Rollout a = p.sample(b[0], 2, 1.0, 4, 9L);
      Rollout again = p.sample(b[0], 2, 1.0, 4, 9L);
      assertTrue(java.util.Arrays.deepEquals(a.tokens(), again.tokens()), "the same seed draws the same samples");
      double[][] adv = new double[a.rows()][a.maxLength()];
      for (int i = 0; i < a.rows(); i++) {
        for (int t = 0; t < a.lengths()[i]; t++) {
          adv[i][t] = i % 2 == 0 ? 1.0 : -0.5;
        }
      }
      PolicyGradientBatch batch = new PolicyGradientBatch(a, adv, null, null, 0, 0);
      java.util.Map<String, float[]> before = new java.util.TreeMap<>();
      p.variableNames().forEach(n -> before.put(n, p.values(n).clone()));
      double[] g = p.policyGradient(batch);
      before.forEach((n, v) -> assertArrayEquals(v, p.values(n), n + " changed"));
      assertEquals(0, p.steps());
      int total = before.values().stream().mapToInt(v -> v.length).sum();
      assertEquals(total, g.length);
      double sumSq = 0;
      for (double x : g) {
        sumSq += x * x;
      }
      UpdateStats u = p.update(batch, new OptimizerSettings(1e-3, 1e9));
      assertTrue(sumSq > 0);
      assertEquals(Math.sqrt(sumSq), u.gradNorm(), 1e-6 * u.gradNorm());
    }
  }
}
