package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.rl.testing.TabularPolicy;

class TrainerTest {
  static final int[][] SOURCES = LearningTest.sources();
  static final int[][][] REFS = LearningTest.references(SOURCES);

  static TrainerSettings settings(int k) {
    return new TrainerSettings(k, 1.0, 3, 0.01, 0.5, new OptimizerSettings(0.5, 5.0), new OptimizerSettings(0.3, 5.0));
  }

  static Reward weighted() {
    Map<Reward, Double> w = new LinkedHashMap<>();
    w.put(Rewards.levenshtein(), 1.0);
    w.put(Rewards.exactMatch(), 0.5);
    return Rewards.weightedSum(w);
  }

  static final class Recorder implements RunListener {
    final List<StepEvent> steps = new ArrayList<>();

    @Override
    public void onStep(StepEvent event) {
      steps.add(event);
    }
  }

  @Test
  void rlStepReportsTheDocumentedMetrics() {
    Recorder rec = new Recorder();
    TabularPolicy p = new TabularPolicy(3, Set.of(), 1);
    Trainer t = new Trainer(p, weighted(), BaselineKind.SCST.create(0), settings(3), List.of(rec));
    StepResult res = t.rlStep(SOURCES, REFS);
    assertEquals(1, rec.steps.size());
    StepEvent e = rec.steps.get(0);
    assertEquals(Phase.RL, e.phase());
    assertEquals(1, e.step());
    // a weighted sum's name, 1.0*levenshtein+0.5*exact-match, as a key segment
    String total = "rl/reward_1.0xlevenshtein_0.5xexact-match";
    assertEquals(Set.of(total, "rl/reward_std_1.0xlevenshtein_0.5xexact-match",
        "rl/greedy_reward_1.0xlevenshtein_0.5xexact-match", "rl/advantage_mean",
        "rl/advantage_std", "rl/policy_loss", "rl/loss", "rl/entropy", "rl/grad_norm", "rl/lr",
        "rl/seq_length", "rl/reward_levenshtein", "rl/reward_exact-match", "perf/rl_steps_per_s"),
        e.metrics().keySet(), "no rl/critic_loss without a critic");
    Map<String, Double> m = e.metrics();
    m.values().forEach(v -> assertTrue(Double.isFinite(v), m.toString()));
    assertEquals(m, res.metrics());
    // the weighted sum's mean is the weighted sum of its components' means
    assertEquals(m.get(total), m.get("rl/reward_levenshtein") + 0.5 * m.get("rl/reward_exact-match"),
        1e-12);
    assertEquals(res.update().loss(), m.get("rl/loss"));
    assertEquals(res.update().gradNorm(), m.get("rl/grad_norm"));
    assertEquals(0.5, m.get("rl/lr"), "a constant schedule steps at the configured rate");
    // a uniform 4-action policy: entropy ln 4 on every token; greedy (ties to END) emits the empty sequence
    assertEquals(Math.log(4), m.get("rl/entropy"), 1e-12);
    assertEquals(-2.0, m.get("rl/greedy_reward_1.0xlevenshtein_0.5xexact-match"), 1e-12);
    assertTrue(m.get("rl/seq_length") >= 1 && m.get("rl/seq_length") <= 3);
    assertTrue(m.get("perf/rl_steps_per_s") > 0);

    // without scst there is no greedy decode to report
    Trainer plain = new Trainer(new TabularPolicy(3, Set.of(), 1), Rewards.levenshtein(), BaselineKind.NONE.create(0),
        settings(2), List.of());
    Map<String, Double> pm = plain.rlStep(SOURCES, REFS).metrics();
    assertFalse(pm.keySet().stream().anyMatch(k -> k.startsWith("rl/greedy_reward")), pm.toString());
    assertEquals(Set.of("rl/reward_levenshtein"), pm.keySet().stream().filter(k -> k.startsWith("rl/reward_") && !k.startsWith("rl/reward_std_"))
        .collect(java.util.stream.Collectors.toSet()), "a plain reward reports only its own mean");

    // a baseline with a critic reports the critic's loss
    Set<CriticHead> heads = BaselineKind.VALUE.create(0).requirements().criticHeads();
    Map<String, Double> vm = new Trainer(new TabularPolicy(3, heads, 1), Rewards.levenshtein(),
        BaselineKind.VALUE.create(0), settings(2), List.of()).rlStep(SOURCES, REFS).metrics();
    assertTrue(vm.containsKey("rl/critic_loss"), vm.toString());
    assertTrue(vm.get("rl/critic_loss") > 0, vm.toString());
  }

  /**
   * rl.critic_warmup_steps: the first steps move the critic but not the policy (no policy-gradient or entropy
   * term), the step after them moves both; the same run without warm-up moves the policy at once.
   */
  @Test
  void criticWarmupStepsTrainTheCriticAlone() {
    for (BaselineKind kind : new BaselineKind[] {BaselineKind.VALUE, BaselineKind.STEP_VALUE}) {
      Set<CriticHead> heads = kind.create(0).requirements().criticHeads();
      TabularPolicy p = new TabularPolicy(3, heads, 4);
      Trainer t = new Trainer(p, Rewards.levenshtein(), kind.create(0), settings(2).withCriticWarmup(2), List.of());
      String state = TabularPolicy.key(SOURCES[0], new int[0]);
      double[] logits = p.logitsByKey(state).clone();
      java.util.function.DoubleSupplier critic = kind == BaselineKind.VALUE ? () -> p.sequenceValue(SOURCES[0])
          : () -> p.stepValue(SOURCES[0], new int[0]);
      double value = critic.getAsDouble();
      for (int i = 0; i < 2; i++) {
        t.rlStep(SOURCES, REFS);
        assertArrayEquals(logits, p.logitsByKey(state), 0.0, kind + ": warm-up step " + i + " moved the policy");
      }
      assertNotEquals(value, critic.getAsDouble(), kind + ": the critic did not learn during the warm-up");
      t.rlStep(SOURCES, REFS);
      assertFalse(java.util.Arrays.equals(logits, p.logitsByKey(state)), kind + ": the step after the warm-up moved no logit");

      TabularPolicy q = new TabularPolicy(3, heads, 4);
      new Trainer(q, Rewards.levenshtein(), kind.create(0), settings(2), List.of()).rlStep(SOURCES, REFS);
      assertFalse(java.util.Arrays.equals(logits, q.logitsByKey(state)), kind + ": without warm-up the first step moves it");
    }
  }

  @Test
  void mleThenRlShareOneStepCounter() {
    Recorder rec = new Recorder();
    TabularPolicy p = new TabularPolicy(3, Set.of(), 1);
    TrainerSettings fastMle = new TrainerSettings(2, 1.0, 3, 0, 0, new OptimizerSettings(0.5, 5.0),
        new OptimizerSettings(9.0, 0));
    Trainer t = new Trainer(p, Rewards.levenshtein(), BaselineKind.RLOO.create(0), fastMle, List.of(rec));
    StepResult first = t.mleStep(SOURCES, SOURCES);
    // uniform over 4 actions: every one of the 3 tokens (2 + END) costs ln 4
    assertEquals(3 * Math.log(4), first.metrics().get("pretrain/loss"), 1e-12);
    assertEquals(Math.log(4), first.metrics().get("pretrain/token_nll"), 1e-12);
    assertEquals(Set.of("pretrain/loss", "pretrain/token_nll", "pretrain/entropy", "pretrain/grad_norm",
        "pretrain/lr", "perf/pretrain_steps_per_s"), first.metrics().keySet());
    for (int i = 0; i < 40; i++) {
      t.mleStep(SOURCES, SOURCES);
    }
    assertEquals(SOURCES.length, LearningTest.solved(p, SOURCES));
    double exact = 0;
    for (int i = 0; i < SOURCES.length; i++) {
      exact += Exact.expectedReward(p, SOURCES[i], REFS[i], Rewards.levenshtein(), 3) / SOURCES.length;
    }
    double uniform = 0;
    for (int i = 0; i < SOURCES.length; i++) {
      uniform += Exact.expectedReward(new TabularPolicy(3, Set.of(), 0), SOURCES[i], REFS[i], Rewards.levenshtein(), 3)
          / SOURCES.length;
    }
    assertTrue(uniform < -1, "uniform policy: " + uniform);
    assertTrue(exact > -0.3, "expected reward after MLE: " + exact);
    t.rlStep(SOURCES, REFS);
    assertEquals(42, t.step());
    assertEquals(42, rec.steps.size());
    for (int i = 0; i < 42; i++) {
      assertEquals(i + 1, rec.steps.get(i).step());
      assertEquals(i < 41 ? Phase.PRETRAIN : Phase.RL, rec.steps.get(i).phase());
    }
  }

  static Map<String, Double> withoutPerf(Map<String, Double> m) {
    Map<String, Double> out = new TreeMap<>(m);
    out.keySet().removeIf(k -> k.startsWith("perf/"));
    return out;
  }

  @Test
  void stateAndPolicyRestoreContinueExactly(@TempDir Path dir) throws Exception {
    // moving-average keeps state in the strategy; value exercises a critic head
    for (BaselineKind kind : List.of(BaselineKind.MOVING_AVERAGE, BaselineKind.VALUE, BaselineKind.SCST_CORRECTION)) {
      Set<CriticHead> heads = kind.create(0.8).requirements().criticHeads();
      Trainer a = new Trainer(new TabularPolicy(3, heads, 9), Rewards.levenshtein(), kind.create(0.8), settings(2), List.of());
      a.mleStep(SOURCES, SOURCES);
      List<Map<String, Double>> uninterrupted = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        uninterrupted.add(withoutPerf(a.rlStep(SOURCES, REFS).metrics()));
      }

      Trainer b = new Trainer(new TabularPolicy(3, heads, 9), Rewards.levenshtein(), kind.create(0.8), settings(2), List.of());
      b.mleStep(SOURCES, SOURCES);
      for (int i = 0; i < 3; i++) {
        assertEquals(uninterrupted.get(i), withoutPerf(b.rlStep(SOURCES, REFS).metrics()));
      }
      Path d = dir.resolve(kind.configName());
      b.policy().save(d);
      Map<String, Double> state = b.state();
      assertEquals(4.0, state.get("step"));
      if (kind == BaselineKind.MOVING_AVERAGE) {
        assertTrue(state.containsKey("baseline.moving_average"), state.toString());
      }

      TabularPolicy fresh = new TabularPolicy(3, heads, 12345);
      fresh.restore(d);
      Trainer c = new Trainer(fresh, Rewards.levenshtein(), kind.create(0.8), settings(2), List.of());
      c.restore(state);
      assertEquals(4, c.step());
      for (int i = 3; i < 6; i++) {
        StepResult r = c.rlStep(SOURCES, REFS);
        assertEquals(i + 2, r.step());
        assertEquals(uninterrupted.get(i), withoutPerf(r.metrics()), kind.configName() + " step " + (i + 2));
      }
      TabularPolicy pa = (TabularPolicy) a.policy();
      for (int[] s : SOURCES) {
        for (String k : pa.states(s, 3)) {
          assertArrayEquals(pa.logitsByKey(k), fresh.logitsByKey(k), 0.0);
        }
      }
    }
  }

  @Test
  void nonFiniteLossStopsWithAClearException() {
    // A finite but enormous reward overflows the loss: the update must not be taken silently.
    Reward huge = Rewards.named("huge", (h, r) -> Double.MAX_VALUE);
    try (TabularPolicy p = new TabularPolicy(3, Set.of(), 5)) {
      Trainer t = new Trainer(p, huge, BaselineKind.NONE.create(0), settings(1), List.of());
      NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> t.rlStep(SOURCES, REFS));
      assertTrue(e.getMessage().contains("step 1"), e.getMessage());
      assertEquals(0, t.step());
    }
  }

  @Test
  void nanRewardStopsTheStepNamingTheReward() {
    Reward nan = Rewards.named("broken", (h, r) -> Double.NaN);
    try (TabularPolicy p = new TabularPolicy(3, Set.of(), 6)) {
      Trainer t = new Trainer(p, nan, BaselineKind.NONE.create(0), settings(1), List.of());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.rlStep(SOURCES, REFS));
      assertTrue(e.getMessage().contains("'broken'") && e.getMessage().contains("row 0"), e.getMessage());
    }
  }

  @Test
  void constructionChecksTheBaselinesRequirements() {
    try (TabularPolicy p = new TabularPolicy(3, Set.of(), 7)) {
      IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
          () -> new Trainer(p, Rewards.levenshtein(), BaselineKind.GRPO.create(0), settings(1), List.of()));
      assertTrue(k.getMessage().contains("at least 2 samples"), k.getMessage());
      IllegalArgumentException h = assertThrows(IllegalArgumentException.class,
          () -> new Trainer(p, Rewards.levenshtein(), BaselineKind.STEP_VALUE.create(0), settings(1), List.of()));
      assertTrue(h.getMessage().contains("STEP"), h.getMessage());
    }
  }

  /**
   * Every baseline, wired through the trainer (greedy decodes, critic heads, k samples), learns
   * to copy all nine length-2 strings over 3 symbols from a uniform start, with a fixed seed.
   */
}
