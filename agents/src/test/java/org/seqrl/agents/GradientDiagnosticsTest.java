package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.rl.BaselineKind;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.GradientDiagnostics;
import org.seqrl.rl.KlPenalty;
import org.seqrl.rl.MetricNames;
import org.seqrl.rl.MleMixing;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Reward;
import org.seqrl.rl.Rewards;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.StepResult;
import org.seqrl.rl.Trainer;
import org.seqrl.rl.TrainerSettings;
import org.seqrl.rl.UpdateStats;

/**
 * Gradient diagnostics on the float32 engine: the gradient without a step is the update's gradient
 * and changes nothing; turning diagnostics on leaves training's trajectory bit for bit as it was;
 * and the measured variance shows what a baseline is for.
 */
class GradientDiagnosticsTest {
  private static final OptimizerSettings MLE = new OptimizerSettings(0.01, 5.0);
  private static final Reward MATCH = Rewards.named("match", (h, refs) -> LearningTest.matchReward(h, refs[0]));

  /** Two stacked layers with dropout between them, so that a forward with dropout draws random masks. */
  private static Seq2SeqConfig cfg() {
    return cfg(0.3);
  }

  /** Without dropout, gradients start from the kept pass of the sample they are of. */
  private static Seq2SeqConfig cfg(double dropout) {
    return Seq2SeqConfig.builder(LearningTest.VOCAB, LearningTest.VOCAB).embedding(8).hidden(16)
        .encoderLayers(2).decoderLayers(2).dropout(dropout).attention(Attention.ADDITIVE)
        .criticHeads(EnumSet.of(CriticHead.SEQUENCE, CriticHead.STEP)).seed(5).build();
  }

  private static int[][][] references(int[][] targets) {
    int[][][] refs = new int[targets.length][][];
    for (int i = 0; i < targets.length; i++) {
      refs[i] = new int[][] {targets[i]};
    }
    return refs;
  }

  private static void pretrain(Seq2SeqPolicy p, int steps) {
    Random data = new Random(2);
    for (int s = 0; s < steps; s++) {
      int[][][] b = LearningTest.reverseBatch(data, 16);
      p.mleStep(b[0], b[1], MLE);
    }
  }

  private static Map<String, float[]> values(Seq2SeqPolicy p) {
    Map<String, float[]> v = new TreeMap<>();
    for (Params.Param x : p.params.all()) {
      v.put(x.name, x.value.clone());
    }
    return v;
  }

  @Test
  void gradientWithoutAStepIsTheUpdatesGradientAndChangesNothing() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg())) {
      pretrain(p, 5);
      int[][][] b = LearningTest.reverseBatch(new Random(8), 6);
      Rollout ro = p.sample(b[0], 3, 1.0, 8);
      double[][] adv = new double[ro.rows()][ro.maxLength()];
      Random r = new Random(4);
      for (int i = 0; i < ro.rows(); i++) {
        double a = r.nextGaussian();
        for (int t = 0; t < ro.lengths()[i]; t++) {
          adv[i][t] = a;
        }
      }
      PolicyGradientBatch batch = new PolicyGradientBatch(ro, adv, null, null, 0, 0);
      Map<String, float[]> before = values(p);
      long steps = p.steps();
      long rng = p.rng.state();
      double[] g1 = p.policyGradient(batch);
      double[] g2 = p.policyGradient(batch);
      assertArrayEquals(g1, g2, "the same batch twice, with its dropout masks restored, gives the same gradient");
      Map<String, float[]> after = values(p);
      before.forEach((name, v) -> assertArrayEquals(v, after.get(name), name + " changed"));
      assertEquals(steps, p.steps());
      assertEquals(rng, p.rng.state());
      double sumSq = 0;
      for (double x : g1) {
        sumSq += x * x;
      }
      assertTrue(sumSq > 0);
      // the update that follows draws the same dropout masks: its gradient norm is the norm of g1
      UpdateStats u = p.update(batch, new OptimizerSettings(1e-3, 1e9));
      assertEquals(Math.sqrt(sumSq), u.gradNorm(), 1e-6 * u.gradNorm());
      int total = 0;
      for (Params.Param x : p.params.all()) {
        total += x.size();
      }
      assertEquals(total, g1.length);
    }
  }

  @Test
  void aSeededSamplesKeptPassGivesTheGradientAFreshPassGives() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg(0.0))) {
      pretrain(p, 5);
      int[][] src = LearningTest.reverseBatch(new Random(8), 6)[0];
      Rollout ro = p.sample(src, 3, 1.0, 8, 5L);
      double[][] adv = new double[ro.rows()][ro.maxLength()];
      for (int i = 0; i < ro.rows(); i++) {
        for (int t = 0; t < ro.lengths()[i]; t++) {
          adv[i][t] = i % 3 - 1.0;
        }
      }
      PolicyGradientBatch batch = new PolicyGradientBatch(ro, adv, null, null, 0, 0);
      double[] fromKept = p.policyGradient(batch);
      assertEquals(1, p.diagnosticKept.reused());
      double[] fresh = p.policyGradient(batch); // the kept pass is given out once: this one runs its own forward
      assertEquals(1, p.diagnosticKept.reused());
      for (int i = 0; i < fresh.length; i++) {
        assertEquals(fresh[i], fromKept[i], 1e-5 * (1e-3 + Math.abs(fresh[i])), "parameter " + i);
      }
    }
  }

  @Test
  void seededSamplesRepeatAndLeaveTrainingsGeneratorAlone() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg())) {
      pretrain(p, 5);
      int[][] src = LearningTest.reverseBatch(new Random(8), 6)[0];
      long rng = p.rng.state();
      Rollout a = p.sample(src, 4, 1.0, 8, 77L);
      Rollout b = p.sample(src, 4, 1.0, 8, 77L);
      Rollout c = p.sample(src, 4, 1.0, 8, 78L);
      assertEquals(rng, p.rng.state());
      assertTrue(java.util.Arrays.deepEquals(a.tokens(), b.tokens()));
      assertFalse(java.util.Arrays.deepEquals(a.tokens(), c.tokens()));
      assertThrows(IllegalArgumentException.class, () -> p.sample(src, 4, 0.0, 8, 1L));
    }
  }

  /** Runs MLE then RL steps; returns every step's metrics (without the diagnostics' own and timings) and the final weights. */
  private static List<Map<String, Double>> run(BaselineKind kind, GradientDiagnostics diag, Map<String, float[]> weights,
      KlPenalty kl, double dropout) {
    List<Map<String, Double>> out = new ArrayList<>();
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg(dropout))) {
      TrainerSettings s = new TrainerSettings(3, 1.0, 8, 0.01, 0.5, new OptimizerSettings(3e-3, 5.0), MLE)
          .with(kl, MleMixing.OFF, null).with(diag);
      Trainer t = new Trainer(p, MATCH, kind.create(0.9), s, List.of());
      Random data = new Random(3);
      for (int step = 0; step < 3; step++) {
        int[][][] b = LearningTest.reverseBatch(data, 8);
        Map<String, Double> m = new TreeMap<>(t.mleStep(b[0], b[1]).metrics());
        m.keySet().removeIf(k -> k.startsWith(MetricNames.PERF));
        out.add(m);
      }
      for (int step = 0; step < 5; step++) {
        int[][][] b = LearningTest.reverseBatch(data, 8);
        StepResult r = t.rlStep(b[0], references(b[1]));
        Map<String, Double> m = new TreeMap<>(r.metrics());
        assertEquals(diag.due(step), m.containsKey(MetricNames.DIAG_GRAD_VARIANCE), "RL step " + step);
        m.keySet().removeIf(k -> k.startsWith(MetricNames.DIAG) || k.startsWith(MetricNames.PERF));
        out.add(m);
      }
      weights.putAll(values(p));
      if (diag.enabled() && dropout == 0) {
        assertTrue(p.diagnosticKept.reused() > 0, "diagnostic gradients started from their samples' passes");
      }
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(value = BaselineKind.class, names = {"MOVING_AVERAGE", "SCST", "VALUE", "RLOO"})
  void diagnosticsOnLeaveTheTrainingTrajectoryAsItWas(BaselineKind kind) {
    for (double dropout : new double[] {0.3, 0.0}) {
      Map<String, float[]> off = new TreeMap<>();
      Map<String, float[]> on = new TreeMap<>();
      List<Map<String, Double>> a = run(kind, GradientDiagnostics.OFF, off, KlPenalty.OFF, dropout);
      List<Map<String, Double>> b = run(kind, new GradientDiagnostics(2, 3, 99), on, KlPenalty.OFF, dropout);
      assertEquals(a, b, "step metrics with diagnostics off vs on, dropout " + dropout);
      off.forEach((name, v) -> assertArrayEquals(v, on.get(name), name + " differs with diagnostics on, dropout " + dropout));
    }
  }

  @Test
  void diagnosticsOnLeaveATrajectoryWithKlPenaltyAsItWas() {
    Map<String, float[]> off = new TreeMap<>();
    Map<String, float[]> on = new TreeMap<>();
    KlPenalty kl = new KlPenalty(0.05, 0.5, 100);
    assertEquals(run(BaselineKind.SCST, GradientDiagnostics.OFF, off, kl, 0.3),
        run(BaselineKind.SCST, new GradientDiagnostics(1, 2, 99), on, kl, 0.3));
    off.forEach((name, v) -> assertArrayEquals(v, on.get(name), name));
  }

  /**
   * The reward is the match score plus 2: without a baseline every token's log-probability gradient
   * is pushed by about 2, a constant whose contribution to the gradient is zero in expectation but
   * not in any one batch; SCST subtracts the greedy decode's reward, and the constant with it. The
   * samples are the same in both runs (same diagnostics seed, same parameters), so only the
   * advantages differ: a baseline that were ignored would give the same variance.
   */
  @Test
  void scstGivesLowerGradientVarianceThanNoBaseline() {
    double none = firstStepDiagnostics(BaselineKind.NONE, 2).get(MetricNames.DIAG_GRAD_VARIANCE);
    Map<String, Double> scst = firstStepDiagnostics(BaselineKind.SCST, 2);
    double scstVariance = scst.get(MetricNames.DIAG_GRAD_VARIANCE);
    System.out.printf("gradient variance on the first RL step: none %.4g, scst %.4g (ratio %.3f)%n", none, scstVariance,
        scstVariance / none);
    assertTrue(scstVariance < 0.2 * none, "scst " + scstVariance + " vs none " + none);
    assertNotEquals(none, scstVariance);
    assertTrue(scst.get(MetricNames.DIAG_GRAD_NORM) > 0);
    assertTrue(scst.containsKey(MetricNames.DIAG_GRAD_SNR));
  }

  /**
   * SCST's advantage R − R(greedy) does not see a constant added to the reward, so neither does its
   * gradient's variance; without a baseline the constant's noise term grows with it.
   */
  @Test
  void aConstantRewardShiftMovesTheVarianceWithoutABaselineOnly() {
    double scst0 = firstStepDiagnostics(BaselineKind.SCST, 0).get(MetricNames.DIAG_GRAD_VARIANCE);
    double scst2 = firstStepDiagnostics(BaselineKind.SCST, 2).get(MetricNames.DIAG_GRAD_VARIANCE);
    double none0 = firstStepDiagnostics(BaselineKind.NONE, 0).get(MetricNames.DIAG_GRAD_VARIANCE);
    double none2 = firstStepDiagnostics(BaselineKind.NONE, 2).get(MetricNames.DIAG_GRAD_VARIANCE);
    assertEquals(scst0, scst2, 1e-6 * scst0);
    assertTrue(none2 > 5 * none0, "no baseline: shift 0 " + none0 + ", shift 2 " + none2);
  }

  private static Map<String, Double> firstStepDiagnostics(BaselineKind kind, double shift) {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(Seq2SeqConfig.builder(LearningTest.VOCAB, LearningTest.VOCAB)
        .embedding(8).hidden(16).attention(Attention.ADDITIVE).seed(5).build())) {
      pretrain(p, 60);
      Reward shifted = Rewards.named("match_shifted", (h, refs) -> shift + LearningTest.matchReward(h, refs[0]));
      TrainerSettings s = new TrainerSettings(4, 1.0, 8, 0.0, 0.0, new OptimizerSettings(1e-3, 5.0), MLE)
          .with(new GradientDiagnostics(1, 8, 7));
      Trainer t = new Trainer(p, shifted, kind.create(0.9), s, List.of());
      int[][][] b = LearningTest.reverseBatch(new Random(31), 16);
      return t.rlStep(b[0], references(b[1])).metrics();
    }
  }

  /** A run saved after 2 RL steps and resumed measures what the uninterrupted run measures at steps 3 and 4. */
  @Test
  void aResumedRunDrawsTheSameDiagnosticSamples(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    GradientDiagnostics diag = new GradientDiagnostics(1, 3, 21);
    TrainerSettings s = new TrainerSettings(3, 1.0, 8, 0.01, 0.5, new OptimizerSettings(3e-3, 5.0), MLE).with(diag);
    Random data = new Random(6);
    int[][][][] batches = new int[4][][][];
    for (int i = 0; i < 4; i++) {
      batches[i] = LearningTest.reverseBatch(data, 8);
    }
    List<Map<String, Double>> whole = new ArrayList<>();
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg())) {
      Trainer t = new Trainer(p, MATCH, BaselineKind.MOVING_AVERAGE.create(0.9), s, List.of());
      for (int[][][] b : batches) {
        whole.add(diagOf(t.rlStep(b[0], references(b[1]))));
      }
    }
    List<Map<String, Double>> resumed = new ArrayList<>();
    Map<String, Double> state;
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg())) {
      Trainer t = new Trainer(p, MATCH, BaselineKind.MOVING_AVERAGE.create(0.9), s, List.of());
      for (int i = 0; i < 2; i++) {
        resumed.add(diagOf(t.rlStep(batches[i][0], references(batches[i][1]))));
      }
      p.save(dir);
      state = t.state();
    }
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg())) {
      p.restore(dir);
      Trainer t = new Trainer(p, MATCH, BaselineKind.MOVING_AVERAGE.create(0.9), s, List.of());
      t.restore(state);
      for (int i = 2; i < 4; i++) {
        resumed.add(diagOf(t.rlStep(batches[i][0], references(batches[i][1]))));
      }
    }
    assertEquals(whole, resumed);
    assertTrue(whole.get(3).containsKey(MetricNames.DIAG_GRAD_VARIANCE));
  }

  private static Map<String, Double> diagOf(StepResult r) {
    Map<String, Double> m = new TreeMap<>(r.metrics());
    m.keySet().removeIf(k -> k.startsWith(MetricNames.PERF));
    return m;
  }
}
