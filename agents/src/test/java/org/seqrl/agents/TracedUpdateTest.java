package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.UpdateStats;

/**
 * What the policy reuses between calls gives what a fresh computation gives: an update that starts
 * from the sample's kept decoder pass, and a decode that reuses the previous decode's encoding.
 */
class TracedUpdateTest {
  private static final OptimizerSettings OPT = new OptimizerSettings(0.01, 5.0);

  private static PolicyGradientBatch batch(Rollout s, Random r) {
    double[][] adv = new double[s.rows()][s.maxLength()];
    double[] seq = new double[s.rows()];
    double[][] step = new double[s.rows()][s.maxLength()];
    for (int i = 0; i < s.rows(); i++) {
      seq[i] = r.nextGaussian();
      for (int t = 0; t < s.lengths()[i]; t++) {
        adv[i][t] = r.nextGaussian();
        step[i][t] = r.nextGaussian();
      }
    }
    return new PolicyGradientBatch(s, adv, seq, step, 0.02, 0.5);
  }

  /** The same rollout under another identity: an update on it cannot reuse the sample's pass. */
  private static Rollout copy(Rollout s) {
    return new Rollout(s.sources(), s.samplesPerInput(), s.tokens(), s.lengths(), s.logProbs(), s.entropies(),
        s.sequenceValues(), s.stepValues(), s.attention());
  }

  static void check(Seq2SeqConfig cfg) {
    int[][] src = {{4, 5, 6}, {7}, {8, 4, 4, 5, 6}, {5, 5}};
    try (Seq2SeqPolicy traced = new Seq2SeqPolicy(cfg); Seq2SeqPolicy fresh = new Seq2SeqPolicy(cfg)) {
      for (int round = 0; round < 3; round++) {
        Rollout a = traced.sample(src, 2, 1.0, 9);
        Rollout b = fresh.sample(src, 2, 1.0, 9);
        assertEquals(java.util.Arrays.deepToString(a.tokens()), java.util.Arrays.deepToString(b.tokens()));
        UpdateStats ua = traced.update(batch(a, new Random(round)), OPT);
        UpdateStats ub = fresh.update(batch(copy(b), new Random(round)), OPT);
        assertEquals(ub.loss(), ua.loss(), 1e-5 * (1 + Math.abs(ub.loss())), cfg + " loss");
        assertEquals(ub.gradNorm(), ua.gradNorm(), 1e-4 * (1 + ub.gradNorm()), cfg + " gradient norm");
        for (Params.Param p : traced.params.all()) {
          float[] x = fresh.params.get(p.name).value;
          for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], p.value[i], 1e-5 * (1 + Math.abs(x[i])), cfg + " " + p.name + "[" + i + "]");
          }
        }
      }
      assertEquals(3, traced.tracedUpdates());
      assertEquals(0, fresh.tracedUpdates());
    }
  }

  private static Seq2SeqConfig.Builder base() {
    return RolloutConsistencyTest.base();
  }

  @Test
  void keptAndFreshPassesGiveTheSameUpdates() {
    check(base().build());
    check(base().cell(CellType.LSTM).bidirectional(true).attention(Attention.ADDITIVE).build());
    check(base().attention(Attention.DOT).encoderLayers(2).build());
  }

  /**
   * A transformer sample at the benchmark's size (2+2 layers, width 256, feed-forward 1024; 32 rows
   * decoding to 35 steps) is kept for its update, as the peer's autograd keeps its graph: a fixed
   * 2M-float limit once left it out, so SCST ran the decoder's forward twice.
   */
  @Test
  void aTransformerSampleOfTheBenchmarksSizeIsKept() {
    Seq2SeqConfig cfg = base().transformer(Seq2SeqConfig.Transformer.defaults()).build();
    int[][] src = new int[32][];
    Random r = new Random(7);
    for (int i = 0; i < src.length; i++) {
      src[i] = r.ints(20 + r.nextInt(11), 4, 10).toArray();
    }
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
      Rollout s = p.sample(src, 1, 1.0, 35);
      p.update(batch(s, new Random(1)), OPT);
      assertEquals(1, p.tracedUpdates());
    }
  }

  @Test
  void aChangeBetweenSampleAndUpdateMeansAFreshPass() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(base().build())) {
      int[][] src = {{4, 5}, {6, 7, 8}};
      Rollout s = p.sample(src, 1, 1.0, 6);
      p.greedy(src, 6); // decoding greedily in between keeps the sample's pass
      p.update(batch(s, new Random(1)), OPT);
      assertEquals(1, p.tracedUpdates());
      s = p.sample(src, 1, 1.0, 6);
      p.mleStep(src, new int[][] {{4}, {5}}, OPT); // parameters moved: the pass is stale
      p.update(batch(s, new Random(2)), OPT);
      assertEquals(1, p.tracedUpdates());
      s = p.sample(src, 1, 1.0, 6);
      Rollout later = p.sample(src, 1, 1.0, 6); // only the last sample's pass is kept
      p.update(batch(s, new Random(3)), OPT);
      p.update(batch(later, new Random(4)), OPT);
      assertEquals(1, p.tracedUpdates());
    }
  }

  @Test
  void dropoutBetweenEncoderLayersMeansAFreshPass() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(base().encoderLayers(2).dropout(0.3).build())) {
      int[][] src = {{4, 5}, {6, 7, 8}};
      Rollout s = p.sample(src, 1, 1.0, 6);
      p.update(batch(s, new Random(1)), OPT);
      assertEquals(0, p.tracedUpdates());
    }
  }

  /** Embedding or output dropout: the update runs its own training pass, as with dropout between layers. */
  @Test
  void embeddingOrOutputDropoutMeansAFreshPass() {
    for (Seq2SeqConfig cfg : java.util.List.of(base().embeddingDropout(0.3).build(), base().outputDropout(0.3).build())) {
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
        int[][] src = {{4, 5}, {6, 7, 8}};
        Rollout s = p.sample(src, 1, 1.0, 6);
        p.update(batch(s, new Random(1)), OPT);
        assertEquals(0, p.tracedUpdates(), cfg.toString());
      }
    }
  }

  @Test
  void aDecodeReusesTheEncodingOnlyForTheSameSourcesAndParameters() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(base().attention(Attention.ADDITIVE).build());
        Seq2SeqPolicy q = new Seq2SeqPolicy(base().attention(Attention.ADDITIVE).build())) {
      int[][] src = {{4, 5, 6}, {7, 8}};
      p.greedy(src, 6);
      src[1][0] = 9; // the same array, new contents: a new encoding
      assertEquals(java.util.Arrays.deepToString(q.greedy(src, 6).logProbs()), java.util.Arrays.deepToString(p.greedy(src, 6).logProbs()));
      for (Seq2SeqPolicy x : new Seq2SeqPolicy[] {p, q}) {
        x.params.get("enc.0.0.Wx").value[0] += 0.5f;
        x.params.markChanged();
      }
      q.greedy(new int[][] {{4}}, 3); // q decodes other sources in between, so it must encode src afresh
      assertEquals(java.util.Arrays.deepToString(q.greedy(src, 6).logProbs()), java.util.Arrays.deepToString(p.greedy(src, 6).logProbs()),
          "new parameters: a new encoding");
    }
  }
}
