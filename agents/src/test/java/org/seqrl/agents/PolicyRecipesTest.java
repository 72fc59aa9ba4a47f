package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.rl.BaselineKind;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.KlPenalty;
import org.seqrl.rl.MetricNames;
import org.seqrl.rl.MleMixing;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.PpoClip;
import org.seqrl.rl.PpoSettings;
import org.seqrl.rl.Reward;
import org.seqrl.rl.Rewards;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.StepResult;
import org.seqrl.rl.Trainer;
import org.seqrl.rl.TrainerSettings;
import org.seqrl.rl.UpdateStats;

/** The policy API the RL recipes use (log-probabilities, reference, PPO-clip and mixed updates) on the float32 engine. */
class PolicyRecipesTest {
  private static final OptimizerSettings OPT = new OptimizerSettings(0.01, 5.0);
  private static final int[][] SRC = {{4, 5, 6}, {7}, {8, 4, 4, 5, 6}, {5, 5}};

  private static Seq2SeqConfig cfg() {
    return Seq2SeqConfig.builder(10, 10).embedding(8).hidden(12).attention(Attention.ADDITIVE)
        .criticHeads(java.util.EnumSet.of(CriticHead.SEQUENCE, CriticHead.STEP)).seed(3).build();
  }

  private static double[][] advantages(Rollout s, Random r) {
    double[][] adv = new double[s.rows()][s.maxLength()];
    for (int i = 0; i < s.rows(); i++) {
      double a = r.nextGaussian();
      for (int t = 0; t < s.lengths()[i]; t++) {
        adv[i][t] = a;
      }
    }
    return adv;
  }

  private static void assertSameParams(Seq2SeqPolicy a, Seq2SeqPolicy b, double tol, String what) {
    for (Params.Param p : a.params.all()) {
      float[] x = b.params.get(p.name).value;
      for (int i = 0; i < x.length; i++) {
        assertEquals(x[i], p.value[i], tol * (1 + Math.abs(x[i])), what + " " + p.name + "[" + i + "]");
      }
    }
  }

  @Test
  void logProbsOfARolloutAreTheSamplersAndTheReferenceStaysFrozen(@TempDir Path dir) throws Exception {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg())) {
      assertThrows(IllegalStateException.class, () -> p.logProbs(p.greedy(SRC, 9), PolicyParameters.REFERENCE,
          new double[4][9]));
      Rollout s = p.sample(SRC, 2, 1.0, 9);
      double[][] now = new double[s.rows()][s.maxLength()];
      p.logProbs(s, PolicyParameters.CURRENT, now);
      for (int i = 0; i < s.rows(); i++) {
        for (int t = 0; t < s.maxLength(); t++) {
          assertEquals(t < s.lengths()[i] ? s.logProbs()[i][t] : 0.0, now[i][t], 1e-5, "row " + i + " step " + t);
        }
      }
      p.freezeReference();
      double[][] ref0 = new double[s.rows()][s.maxLength()];
      p.logProbs(s, PolicyParameters.REFERENCE, ref0);
      for (int i = 0; i < s.rows(); i++) {
        for (int t = 0; t < s.maxLength(); t++) {
          assertEquals(now[i][t], ref0[i][t], 0.0, "the reference is the model at the freeze");
        }
      }
      for (int step = 0; step < 5; step++) {
        Rollout x = p.sample(SRC, 2, 1.0, 9);
        p.update(new PolicyGradientBatch(x, advantages(x, new Random(step)), null, null, 0.0, 0.0), OPT);
      }
      double[][] moved = new double[s.rows()][s.maxLength()];
      double[][] ref = new double[s.rows()][s.maxLength()];
      p.logProbs(s, PolicyParameters.CURRENT, moved);
      p.logProbs(s, PolicyParameters.REFERENCE, ref);
      assertFalse(java.util.Arrays.deepEquals(moved, ref0), "training moved the policy");
      assertTrue(java.util.Arrays.deepEquals(ref, ref0), "but not the reference");

      // the reference is part of the checkpoint, and a checkpoint without one clears it
      p.save(dir.resolve("rl"));
      try (Seq2SeqPolicy q = new Seq2SeqPolicy(cfg())) {
        q.restore(dir.resolve("rl"));
        assertTrue(q.hasReference());
        double[][] restored = new double[s.rows()][s.maxLength()];
        q.logProbs(s, PolicyParameters.REFERENCE, restored);
        assertTrue(java.util.Arrays.deepEquals(restored, ref0));
        try (Seq2SeqPolicy plain = new Seq2SeqPolicy(cfg())) {
          plain.save(dir.resolve("plain"));
        }
        q.restore(dir.resolve("plain"));
        assertFalse(q.hasReference());
      }
    }
  }

  @Test
  void ppoUpdateAtTheSamplersParametersIsThePlainUpdate() {
    try (Seq2SeqPolicy plain = new Seq2SeqPolicy(cfg()); Seq2SeqPolicy ppo = new Seq2SeqPolicy(cfg())) {
      for (int round = 0; round < 3; round++) {
        Rollout a = plain.sample(SRC, 2, 1.0, 9);
        Rollout b = ppo.sample(SRC, 2, 1.0, 9);
        double[][] adv = advantages(a, new Random(round));
        double[] seqT = new double[a.rows()];
        java.util.Arrays.fill(seqT, 0.3);
        plain.update(new PolicyGradientBatch(a, adv, seqT, null, 0.02, 0.5), OPT);
        double[][] now = new double[b.rows()][b.maxLength()];
        // a value clip wide enough never to bind: the critic loss is the plain one too
        UpdateStats u = ppo.update(new PolicyGradientBatch(b, adv, seqT, null, 0.02, 0.5, new PpoClip(0.2, 1e6, now)),
            OPT);
        for (int i = 0; i < b.rows(); i++) {
          for (int t = 0; t < b.lengths()[i]; t++) {
            assertEquals(b.logProbs()[i][t], now[i][t], 1e-5, "current log-probs written");
          }
        }
        assertTrue(Double.isFinite(u.loss()));
      }
      assertSameParams(plain, ppo, 2e-4, "PPO at ratio 1");
      assertEquals(plain.tracedUpdates(), ppo.tracedUpdates(), "PPO starts from the sample's kept pass too");
    }
  }

  /** The pass it wraps, counting the output projections asked of it (keptLogits). */
  private static final class CountingPass implements Decoder.Pass {
    private final Decoder.Pass inner;
    int keptLogitsCalls;

    CountingPass(Decoder.Pass inner) {
      this.inner = inner;
    }

    @Override
    public float[] keptLogits() {
      keptLogitsCalls++;
      return inner.keptLogits();
    }

    @Override
    public int rows() {
      return inner.rows();
    }

    @Override
    public Encoding encoding() {
      return inner.encoding();
    }

    @Override
    public int[] sourceOfRow() {
      return inner.sourceOfRow();
    }

    @Override
    public int steps() {
      return inner.steps();
    }

    @Override
    public float[] step(int[] previous) {
      return inner.step(previous);
    }

    @Override
    public void reorder(int[] parent) {
      inner.reorder(parent);
    }

    @Override
    public float[] attentionWeights() {
      return inner.attentionWeights();
    }

    @Override
    public float[] features() {
      return inner.features();
    }

    @Override
    public int featuresOffset() {
      return inner.featuresOffset();
    }

    @Override
    public float[] keptFeatures() {
      return inner.keptFeatures();
    }

    @Override
    public double stabilizeHidden(double beta, double rowsNorm, int[] lengths) {
      return inner.stabilizeHidden(beta, rowsNorm, lengths);
    }

    @Override
    public Decoder.EncodingGradient backward(float[] dLogits, float[] dFeatures) {
      return inner.backward(dLogits, dFeatures);
    }
  }

  /** The importance ratios and the backward of a PPO-clip update read one projection of the kept pass's logits. */
  @Test
  void ppoClipProjectsTheKeptLogitsOnce() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg())) {
      Rollout s = p.sample(SRC, 2, 1.0, 9);
      double[][] now = new double[s.rows()][s.maxLength()];
      PolicyGradientBatch batch = new PolicyGradientBatch(s, advantages(s, new Random(1)), null, null, 0.02, 0.0,
          new PpoClip(0.2, 1e6, now));
      CountingPass pass = new CountingPass(p.teacherForced(Objective.policyGradient(batch), true));
      UpdateStats u = new Seq2SeqRecipes(p).optimizeClipped(batch, pass, OPT);
      assertEquals(1, pass.keptLogitsCalls, "output projections of the kept logits in one PPO-clip update");
      assertTrue(Double.isFinite(u.loss()), "loss " + u.loss());
    }
  }

  @Test
  void mixedUpdateAtTheEndsIsMleOrPolicyGradient() {
    for (double lambda : new double[] {0.0, 1.0}) {
      try (Seq2SeqPolicy ref = new Seq2SeqPolicy(cfg()); Seq2SeqPolicy mixed = new Seq2SeqPolicy(cfg())) {
        for (int round = 0; round < 3; round++) {
          Rollout a = ref.sample(SRC, 1, 1.0, 9);
          Rollout b = mixed.sample(SRC, 1, 1.0, 9);
          double[][] adv = advantages(a, new Random(round));
          if (lambda == 0) {
            ref.update(new PolicyGradientBatch(a, adv, null, null, 0.02, 0.0), OPT);
          } else {
            ref.mleStep(SRC, SRC, OPT);
          }
          mixed.mixedUpdate(new PolicyGradientBatch(b, adv, null, null, 0.02, 0.0), SRC, lambda, OPT);
        }
        assertSameParams(ref, mixed, 0.0, "lambda " + lambda);
      }
    }
  }

  /** Copy task: strings over the alphabet, the target is the string itself. */
  private static int[][][] copyBatch(Random r, int n) {
    int[][][] rev = LearningTest.reverseBatch(r, n);
    return new int[][][] {rev[0], rev[0]};
  }

  private static double greedyMatch(Seq2SeqPolicy p, int[][][] data) {
    return LearningTest.greedyReward(p, data);
  }

  @Test
  void ppoClipLearnsToCopy() {
    Random data = new Random(5);
    int[][][] test = copyBatch(new Random(95), 200);
    Reward match = Rewards.named("match", (h, refs) -> LearningTest.matchReward(h, refs[0]));
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(LearningTest.small().attention(Attention.DOT).build())) {
      for (int step = 0; step < 40; step++) { // a weak start
        int[][][] b = copyBatch(data, 32);
        p.mleStep(b[0], b[1], new OptimizerSettings(0.01, 5.0));
      }
      double before = greedyMatch(p, test);
      TrainerSettings s = new TrainerSettings(4, 1.0, 10, 0.0, 0.5, new OptimizerSettings(0.001, 5.0), OPT)
          .with(KlPenalty.OFF, MleMixing.OFF, new PpoSettings(4, 2, 0.2, 0, 1));
      Trainer t = new Trainer(p, match, BaselineKind.RLOO.create(0), s, List.of());
      double clipFraction = 0;
      for (int step = 0; step < 60; step++) {
        int[][][] b = copyBatch(data, 16);
        int[][][] refs = new int[16][][];
        for (int i = 0; i < 16; i++) {
          refs[i] = new int[][] {b[1][i]};
        }
        StepResult r = t.rlStep(b[0], refs);
        clipFraction = Math.max(clipFraction, r.metrics().get(MetricNames.RL_CLIP_FRACTION));
      }
      double after = greedyMatch(p, test);
      System.out.printf("copy, dot attention, PPO-clip 60 batches x 4 epochs x 2 minibatches: greedy match %.3f -> %.3f,"
          + " largest clip fraction %.3f%n", before, after, clipFraction);
      assertTrue(after > before + 0.1, "greedy match reward before " + before + ", after PPO " + after);
      assertTrue(after > 0.8, "greedy match reward after PPO " + after);
    }
  }
}
