package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.seqrl.metrics.NltkSmoothing;
import org.seqrl.rl.testing.TabularPolicy;

class EdgeCaseTest {
  static final int[][] SOURCES = {{4, 5}, {6}};
  static final int[][][] REFS = {{{4, 5}}, {{6}}};

  static TrainerSettings settings(int k) {
    return TrainerTest.settings(k);
  }

  /** A policy that emits END first on every source (almost surely). */
  static TabularPolicy endFirst(Set<CriticHead> heads) {
    TabularPolicy p = new TabularPolicy(3, heads, 3);
    for (int[] s : SOURCES) {
      p.setLogits(s, new int[0], 60, 0, 0, 0);
    }
    return p;
  }

  static List<Reward> allRewards() {
    return List.of(Rewards.bleu(NltkSmoothing.parse("method1")), Rewards.levenshtein(), Rewards.levenshteinNormalized(),
        Rewards.chrf(id -> "abcdefgh".substring(id - 4, id - 3), true), Rewards.exactMatch());
  }

  @Test
  void emptyHypothesesGetFiniteRewardsAndTrain() {
    for (Reward reward : allRewards()) {
      for (BaselineKind kind : BaselineKind.values()) {
        TabularPolicy p = endFirst(kind.create(0.9).requirements().criticHeads());
        Trainer t = new Trainer(p, reward, kind.create(0.9), settings(2), List.of());
        Rollout ro = p.sample(SOURCES, 2, 1.0, 3);
        for (int r = 0; r < ro.rows(); r++) {
          assertEquals(1, ro.lengths()[r]);
          assertEquals(0, ro.hypothesis(r).length);
        }
        Map<String, Double> m = t.rlStep(SOURCES, REFS).metrics();
        m.forEach((k, v) -> assertTrue(Double.isFinite(v), reward.name() + "/" + kind + " " + k + "=" + v));
        assertEquals(1.0, m.get("rl/seq_length"));
      }
    }
    // the values an empty hypothesis gets
    int[][] ref = {{4, 5}};
    assertEquals(0.0, Rewards.bleu(NltkSmoothing.parse("method1")).score(new int[0], ref));
    assertEquals(-2.0, Rewards.levenshtein().score(new int[0], ref));
    assertEquals(-1.0, Rewards.levenshteinNormalized().score(new int[0], ref));
    assertEquals(0.0, Rewards.exactMatch().score(new int[0], ref));
    assertEquals(1.0, Rewards.exactMatch().score(new int[0], new int[][] {{}}));
    assertEquals(0.0, Rewards.levenshtein().score(new int[0], new int[][] {{}}));
    for (Reward r : allRewards()) {
      assertTrue(Double.isFinite(r.score(new int[0], new int[][] {{}})), r.name());
      assertTrue(Double.isFinite(r.score(new int[] {4}, new int[][] {{}})), r.name());
    }
  }

  @Test
  void allEqualRewardsGiveZeroGrpoAdvantagesAndNoNaN() {
    TabularPolicy p = new TabularPolicy(3, Set.of(), 5);
    Reward constant = Rewards.named("constant", (h, r) -> 0.1);
    Trainer t = new Trainer(p, constant, BaselineKind.GRPO.create(0), new TrainerSettings(3, 1.0, 3, 0.0, 0.5,
        new OptimizerSettings(0.5, 5), new OptimizerSettings(0.5, 5)), List.of());
    StepResult r = t.rlStep(SOURCES, REFS);
    assertEquals(0.0, r.metrics().get("rl/advantage_mean"));
    assertEquals(0.0, r.metrics().get("rl/advantage_std"));
    assertEquals(0.0, r.metrics().get("rl/grad_norm"));
    assertEquals(0.0, r.update().loss());
    r.metrics().values().forEach(v -> assertTrue(Double.isFinite(v)));
    // and the policy did not move
    assertArrayEquals(new double[4], p.logits(SOURCES[0], new int[0]), 0.0);
  }

  @Test
  void groupBaselinesRejectOneSamplePerInput() {
    for (BaselineKind kind : List.of(BaselineKind.RLOO, BaselineKind.GRPO)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new Trainer(new TabularPolicy(3, Set.of(), 1), Rewards.levenshtein(), kind.create(0), settings(1), List.of()));
      assertTrue(e.getMessage().contains("at least 2 samples per input") && e.getMessage().contains("samplesPerInput is 1"),
          e.getMessage());
    }
  }

  @Test
  void nanRewardNamesTheRewardAndTheRow() {
    TabularPolicy p = new TabularPolicy(3, Set.of(), 1);
    // source {4,5} never ends at once; source {6} always does
    p.setLogits(SOURCES[0], new int[0], -60, 0, 0, 0);
    p.setLogits(SOURCES[1], new int[0], 60, 0, 0, 0);
    Reward nanOnEmpty = Rewards.named("nan-on-empty", (h, r) -> h.length == 0 ? Double.NaN : 1);
    Trainer t = new Trainer(p, nanOnEmpty, BaselineKind.NONE.create(0), settings(1), List.of());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.rlStep(SOURCES, REFS));
    assertTrue(e.getMessage().contains("'nan-on-empty'") && e.getMessage().contains("NaN")
        && e.getMessage().contains("rollout row 1"), e.getMessage());
    Reward infinite = Rewards.named("inf", (h, r) -> Double.NEGATIVE_INFINITY);
    Evaluator ev = new Evaluator(p, List.of(new NamedMetric("inf", infinite)), 3, 4, 1, 0);
    e = assertThrows(IllegalStateException.class, () -> ev.evaluate(0, "dev", SOURCES, REFS));
    assertTrue(e.getMessage().contains("'inf'") && e.getMessage().contains("-Infinity"), e.getMessage());
  }

  /** A tabular policy whose updates report a non-finite loss, as a diverged network would. */
  static final class Diverging implements SequencePolicy {
    final TabularPolicy inner = new TabularPolicy(3, Set.of(), 1);

    @Override
    public Rollout sample(int[][] sources, int k, double temperature, int maxLength) {
      return inner.sample(sources, k, temperature, maxLength);
    }

    @Override
    public Rollout greedy(int[][] sources, int maxLength) {
      return inner.greedy(sources, maxLength);
    }

    @Override
    public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength) {
      return inner.beamSearch(sources, beamWidth, maxLength);
    }

    @Override
    public UpdateStats update(PolicyGradientBatch batch, OptimizerSettings optimizer) {
      UpdateStats s = inner.update(batch, optimizer);
      return new UpdateStats(Double.NaN, Double.NaN, s.criticLoss(), s.entropy(), s.gradNorm(), s.tokens());
    }

    @Override
    public UpdateStats mleStep(int[][] sources, int[][] targets, OptimizerSettings optimizer) {
      UpdateStats s = inner.mleStep(sources, targets, optimizer);
      return new UpdateStats(s.loss(), s.policyLoss(), 0, s.entropy(), Double.POSITIVE_INFINITY, s.tokens());
    }

    @Override
    public UpdateStats mixedUpdate(PolicyGradientBatch batch, int[][] targets, double mleWeight,
        OptimizerSettings optimizer) {
      UpdateStats s = inner.mixedUpdate(batch, targets, mleWeight, optimizer);
      return new UpdateStats(Double.NaN, Double.NaN, s.criticLoss(), s.entropy(), s.gradNorm(), s.tokens());
    }

    @Override
    public void logProbs(Rollout rollout, PolicyParameters parameters, double[][] out) {
      inner.logProbs(rollout, parameters, out);
    }

    @Override
    public void freezeReference() {
      inner.freezeReference();
    }

    @Override
    public boolean hasReference() {
      return inner.hasReference();
    }

    @Override
    public Set<CriticHead> criticHeads() {
      return Set.of();
    }

    @Override
    public void save(Path directory) {}

    @Override
    public void restore(Path directory) {}

    @Override
    public void close() {}
  }

  @Test
  void nonFiniteLossOrGradientStopsTraining() {
    TrainerTest.Recorder rec = new TrainerTest.Recorder();
    Trainer t = new Trainer(new Diverging(), Rewards.levenshtein(), BaselineKind.NONE.create(0), settings(2), List.of(rec));
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> t.rlStep(SOURCES, REFS));
    assertTrue(e.getMessage().contains("RL update at step 1") && e.getMessage().contains("loss NaN"), e.getMessage());
    e = assertThrows(NonFiniteLossException.class, () -> t.mleStep(SOURCES, new int[][] {{4, 5}, {6}}));
    assertTrue(e.getMessage().contains("MLE update at step 1") && e.getMessage().contains("Infinity"), e.getMessage());
    assertEquals(0, t.step());
    assertTrue(rec.steps.isEmpty(), "a failed step is not reported");
  }

  @Test
  void trainerRejectsAPolicyLackingTheCriticHeadsABaselineNeeds() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(
        new TabularPolicy(3, Set.of(), 1), Rewards.levenshtein(), BaselineKind.VALUE.create(0), settings(1), List.of()));
    assertTrue(e.getMessage().contains("[SEQUENCE]") && e.getMessage().contains("carries []"), e.getMessage());
    for (BaselineKind kind : List.of(BaselineKind.STEP_VALUE, BaselineKind.SCST_CORRECTION)) {
      e = assertThrows(IllegalArgumentException.class, () -> new Trainer(new TabularPolicy(3, Set.of(CriticHead.SEQUENCE), 1),
          Rewards.levenshtein(), kind.create(0), settings(1), List.of()));
      assertTrue(e.getMessage().contains("[STEP]") && e.getMessage().contains("[SEQUENCE]"), e.getMessage());
    }
    // extra heads are fine
    new Trainer(new TabularPolicy(3, Set.of(CriticHead.SEQUENCE, CriticHead.STEP), 1), Rewards.levenshtein(),
        BaselineKind.NONE.create(0), settings(1), List.of());
  }

  @Test
  void settingsRejectNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new OptimizerSettings(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new OptimizerSettings(Double.NaN, 1));
    assertThrows(IllegalArgumentException.class, () -> new TrainerSettings(0, 1, 3, 0, 0, null, null));
    assertThrows(IllegalArgumentException.class, () -> new TrainerSettings(1, 0, 3, 0, 0, null, null));
    assertThrows(IllegalArgumentException.class, () -> new TrainerSettings(1, 1, 0, 0, 0, null, null));
    assertTrue(!new OptimizerSettings(1, 0).clips() && !new OptimizerSettings(1, Double.POSITIVE_INFINITY).clips()
        && new OptimizerSettings(1, 2).clips());
  }
}
