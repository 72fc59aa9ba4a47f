package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.seqrl.rl.testing.TabularPolicy;

/** The trainer loop with the exact tabular policy: metric names, MLE to RL, resume, failures. */
class TrainerTest {
  static final int A = Tokens.FIRST_REGULAR, B = A + 1, C = A + 2;
  static final int[][] SOURCES = {{A, B}, {B, C}};
  static final int[][][] REFERENCES = {{{A, B}}, {{B, C}}};
  static final Set<String> RL_METRICS = Set.of("train/reward_mean", "train/reward_std", "train/advantage_mean",
      "train/advantage_std", "train/policy_loss", "train/critic_loss", "train/loss", "train/entropy",
      "train/grad_norm", "train/seq_length", "perf/steps_per_s");

  static TrainerSettings settings(int k) {
    return new TrainerSettings(k, 1.0, 3, 0.01, 0.5, new OptimizerSettings(0.5, 5), new OptimizerSettings(0.5, 5));
  }

  /** Keeps every event it gets. */
  static final class Recorder implements RunListener {
    final List<StepEvent> steps = new ArrayList<>();

    @Override
    public void onStep(StepEvent event) {
      steps.add(event);
    }
  }

  @Test
  void rlStepReportsTheStableMetricNames() {
    Recorder rec = new Recorder();
    try (TabularPolicy p = new TabularPolicy(3, Set.of(), 1)) {
      Trainer t = new Trainer(p, Rewards.levenshtein(), BaselineKind.RLOO.create(0), settings(2), List.of(rec));
      t.rlStep(SOURCES, REFERENCES);
    }
    assertEquals(1, rec.steps.size());
    assertEquals(Phase.RL, rec.steps.get(0).phase());
    assertEquals(1, rec.steps.get(0).step());
    assertEquals(RL_METRICS, rec.steps.get(0).metrics().keySet());
    rec.steps.get(0).metrics().forEach((k, v) -> assertTrue(Double.isFinite(v), k + " = " + v));
  }

  @Test
  void greedyRewardAndRewardComponentsAreReportedWhenPresent() {
    Recorder rec = new Recorder();
    Map<Reward, Double> w = new LinkedHashMap<>();
    w.put(Rewards.levenshtein(), 1.0);
    w.put(Rewards.exactMatch(), 2.0);
    try (TabularPolicy p = new TabularPolicy(3, Set.of(), 2)) {
      new Trainer(p, Rewards.weightedSum(w), BaselineKind.SCST.create(0), settings(1), List.of(rec))
          .rlStep(SOURCES, REFERENCES);
    }
    Map<String, Double> m = rec.steps.get(0).metrics();
    Set<String> expected = new TreeSet<>(RL_METRICS);
    expected.addAll(List.of("train/greedy_reward_mean", "train/reward/levenshtein", "train/reward/exact-match"));
    assertEquals(expected, new TreeSet<>(m.keySet()));
    // The components' weighted means add up to the reward mean.
    assertEquals(m.get("train/reward_mean"),
        m.get("train/reward/levenshtein") + 2 * m.get("train/reward/exact-match"), 1e-12);
  }

  @Test
  void mleThenRlKeepsOneStepCounterAndLearnsTheCopyTask() {
    Recorder rec = new Recorder();
    try (TabularPolicy p = new TabularPolicy(3, Set.of(), 3)) {
      Trainer t = new Trainer(p, Rewards.levenshtein(), BaselineKind.SCST.create(0), settings(1), List.of(rec));
      int[][] targets = {{A, B}, {B, C}};
      for (int i = 0; i < 40; i++) {
        t.mleStep(SOURCES, targets);
      }
      for (int i = 0; i < 10; i++) {
        t.rlStep(SOURCES, REFERENCES);
      }
      assertEquals(50, t.step());
      int[][] greedy = new int[2][];
      Rollout g = p.greedy(SOURCES, 3);
      for (int i = 0; i < 2; i++) {
        greedy[i] = g.hypothesis(i);
      }
      assertEquals(List.of(List.of(A, B), List.of(B, C)),
          List.of(List.of(greedy[0][0], greedy[0][1]), List.of(greedy[1][0], greedy[1][1])));
    }
    assertEquals(Phase.PRETRAIN, rec.steps.get(0).phase());
    assertEquals(Set.of("train/mle_loss", "train/mle_token_nll", "train/entropy", "train/grad_norm", "perf/steps_per_s"),
        rec.steps.get(0).metrics().keySet());
    assertEquals(Phase.RL, rec.steps.get(40).phase());
    for (int i = 0; i < rec.steps.size(); i++) {
      assertEquals(i + 1, rec.steps.get(i).step());
    }
    // MLE lowered the loss from the uniform start (3 steps of ln 4 per sequence).
    assertEquals(3 * Math.log(4), rec.steps.get(0).metrics().get("train/mle_loss"), 1e-9);
    assertTrue(rec.steps.get(39).metrics().get("train/mle_loss") < 0.5, rec.steps.get(39).toString());
  }

  @Test
  void saveAndRestoreOfTrainerAndPolicyContinuesIdentically(@TempDir Path dir) throws Exception {
    List<Map<String, Double>> continued = new ArrayList<>();
    try (TabularPolicy p = new TabularPolicy(3, Set.of(), 4)) {
      Trainer t = new Trainer(p, Rewards.levenshtein(), BaselineKind.MOVING_AVERAGE.create(0.8), settings(2), List.of());
      for (int i = 0; i < 3; i++) {
        t.rlStep(SOURCES, REFERENCES);
      }
      p.save(dir);
      Map<String, Double> state = t.state();
      assertEquals(3.0, state.get("step"));
      assertTrue(state.containsKey("baseline.moving_average"), state.toString());
      for (int i = 0; i < 4; i++) {
        continued.add(withoutTiming(t.rlStep(SOURCES, REFERENCES).metrics()));
      }
      try (TabularPolicy q = new TabularPolicy(3, Set.of(), 999)) {
        q.restore(dir);
        Trainer u = new Trainer(q, Rewards.levenshtein(), BaselineKind.MOVING_AVERAGE.create(0.8), settings(2), List.of());
        u.restore(state);
        assertEquals(3, u.step());
        for (int i = 0; i < 4; i++) {
          StepResult s = u.rlStep(SOURCES, REFERENCES);
          assertEquals(4 + i, s.step());
          assertEquals(continued.get(i), withoutTiming(s.metrics()), "step " + s.step());
        }
      }
    }
  }

  private static Map<String, Double> withoutTiming(Map<String, Double> m) {
    Map<String, Double> out = new TreeMap<>(m);
    out.remove("perf/steps_per_s");
    return out;
  }

  @Test
  void nonFiniteLossStopsWithAClearException() {
    // A finite but enormous reward overflows the loss: the update must not be taken silently.
    Reward huge = Rewards.named("huge", (h, r) -> Double.MAX_VALUE);
    try (TabularPolicy p = new TabularPolicy(3, Set.of(), 5)) {
      Trainer t = new Trainer(p, huge, BaselineKind.NONE.create(0), settings(1), List.of());
      NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> t.rlStep(SOURCES, REFERENCES));
      assertTrue(e.getMessage().contains("step 1"), e.getMessage());
      assertEquals(0, t.step());
    }
  }

  @Test
  void nanRewardStopsTheStepNamingTheReward() {
    Reward nan = Rewards.named("broken", (h, r) -> Double.NaN);
    try (TabularPolicy p = new TabularPolicy(3, Set.of(), 6)) {
      Trainer t = new Trainer(p, nan, BaselineKind.NONE.create(0), settings(1), List.of());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.rlStep(SOURCES, REFERENCES));
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
  @ParameterizedTest
  @EnumSource(BaselineKind.class)
  void everyBaselineLearnsTheCopyTaskThroughTheTrainer(BaselineKind kind) {
    int[][] sources = new int[9][];
    int[][][] refs = new int[9][][];
    for (int i = 0; i < 9; i++) {
      sources[i] = new int[] {A + i / 3, A + i % 3};
      refs[i] = new int[][] {sources[i]};
    }
    BaselineStrategy baseline = kind.create(0.9);
    TrainerSettings s = new TrainerSettings(4, 1.0, 3, 0.0, 0.5, new OptimizerSettings(1.0, 10),
        new OptimizerSettings(1.0, 10));
    try (TabularPolicy p = new TabularPolicy(3, baseline.requirements().criticHeads(), 42)) {
      Trainer t = new Trainer(p, Rewards.levenshtein(), baseline, s, List.of());
      int solvedAt = -1;
      for (int step = 1; step <= 300 && solvedAt < 0; step++) {
        t.rlStep(sources, refs);
        if (step % 10 == 0 && allCopied(p, sources)) {
          solvedAt = step;
        }
      }
      System.out.printf("learning through the trainer: %s solved copy at step %d%n", kind.configName(), solvedAt);
      assertTrue(solvedAt > 0, kind.configName() + " did not learn to copy within 300 steps");
    }
  }

  private static boolean allCopied(TabularPolicy p, int[][] sources) {
    Rollout g = p.greedy(sources, 3);
    for (int i = 0; i < sources.length; i++) {
      if (!java.util.Arrays.equals(sources[i], g.hypothesis(i))) {
        return false;
      }
    }
    return true;
  }
}
