package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.seqrl.rl.testing.TabularPolicy;

/** KL penalty, MLE mixing and PPO-clip through {@link Trainer#rlStep} on the tabular policy. */
class TrainerRecipesTest {
  static final int[][] SOURCES = LearningTest.sources();
  static final int[][][] REFS = LearningTest.references(SOURCES);

  static TrainerSettings base(int k, double lr) {
    return new TrainerSettings(k, 1.0, 3, 0.0, 0.5, new OptimizerSettings(lr, 5.0), new OptimizerSettings(1.0, 5.0));
  }

  /** PPO-clip solves the copy task with every baseline it accepts, in no more steps than the plain learning test allows. */
  @ParameterizedTest
  @EnumSource(value = BaselineKind.class, names = {"NONE"}, mode = EnumSource.Mode.EXCLUDE)
  void ppoClipLearnsToCopy(BaselineKind kind) {
    BaselineStrategy strategy = kind.create(0.9);
    TabularPolicy p = new TabularPolicy(3, strategy.requirements().criticHeads(), 42);
    TrainerSettings s = base(4, 0.5).with(KlPenalty.OFF, MleMixing.OFF, new PpoSettings(4, 3, 0.2, 0.2, 7));
    Recorder rec = new Recorder();
    Trainer trainer = new Trainer(p, Rewards.levenshtein(), strategy, s, List.of(rec));
    int steps = 0;
    while (steps < LearningTest.STEPS && LearningTest.solved(p, SOURCES) < SOURCES.length) {
      trainer.rlStep(SOURCES, REFS);
      steps++;
    }
    System.out.printf("copy task, PPO-clip: %-16s solved %d/%d after %d RL steps%n", kind.configName(),
        LearningTest.solved(p, SOURCES), SOURCES.length, steps);
    assertEquals(SOURCES.length, LearningTest.solved(p, SOURCES), kind.configName() + " after " + steps + " steps");
    Map<String, Double> m = rec.steps.get(0).metrics();
    assertTrue(m.containsKey(MetricNames.RL_CLIP_FRACTION) && m.containsKey(MetricNames.RL_APPROX_KL), m.toString());
    // several epochs move the policy away from the sampler: later epochs clip some tokens
    assertTrue(rec.steps.stream().anyMatch(e -> e.metrics().get(MetricNames.RL_CLIP_FRACTION) > 0));
    assertTrue(rec.steps.stream().allMatch(e -> e.metrics().get(MetricNames.RL_APPROX_KL) >= 0));
  }

  @Test
  void ppoWithOneEpochOfOneMinibatchIsThePlainUpdateAtFirst() {
    // at the sampler's own parameters every ratio is 1: the clipped surrogate's gradient is the policy gradient's
    TabularPolicy a = new TabularPolicy(3, Set.of(), 5);
    TabularPolicy b = new TabularPolicy(3, Set.of(), 5);
    Trainer plain = new Trainer(a, Rewards.levenshtein(), BaselineKind.RLOO.create(0), base(3, 0.5), List.of());
    Trainer ppo = new Trainer(b, Rewards.levenshtein(), BaselineKind.RLOO.create(0),
        base(3, 0.5).with(KlPenalty.OFF, MleMixing.OFF, new PpoSettings(1, 1, 0.2, 0, 1)), List.of());
    for (int i = 0; i < 5; i++) {
      StepResult x = plain.rlStep(SOURCES, REFS);
      StepResult y = ppo.rlStep(SOURCES, REFS);
      assertEquals(x.metrics().get("rl/advantage_std"), y.metrics().get("rl/advantage_std"), 1e-12);
      assertEquals(0.0, y.metrics().get(MetricNames.RL_CLIP_FRACTION));
      assertEquals(0.0, y.metrics().get(MetricNames.RL_APPROX_KL), 1e-15);
    }
    for (int[] s : SOURCES) {
      for (String k : a.states(s, 3)) {
        assertArrayEquals(a.logitsByKey(k), b.logitsByKey(k), 1e-12);
      }
    }
  }

  /** A model pre-trained to copy, then RL toward reversing: the penalty keeps it near the copier. */
  private static List<Double> klCurve(KlPenalty kl, int steps, Recorder rec) {
    TabularPolicy p = new TabularPolicy(3, Set.of(), 3);
    Trainer t = new Trainer(p, Rewards.levenshtein(), BaselineKind.RLOO.create(0), base(4, 1.0).with(kl, MleMixing.OFF,
        null), List.of(rec));
    for (int i = 0; i < 5; i++) {
      t.mleStep(SOURCES, SOURCES);
    }
    // what the trainer freezes at its first RL step; frozen here so that the free run can be measured too
    p.freezeReference();
    int[][][] reversed = new int[SOURCES.length][][];
    for (int i = 0; i < SOURCES.length; i++) {
      reversed[i] = new int[][] {{SOURCES[i][1], SOURCES[i][0]}};
    }
    List<Double> curve = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      t.rlStep(SOURCES, reversed);
      // the exact KL(pi || pi_ref) per sequence, by enumeration, not the trainer's own estimate
      if (i >= steps - 50) {
        curve.add(exactKl(p, t));
      }
    }
    return curve;
  }

  private static double exactKl(TabularPolicy p, Trainer t) {
    double total = 0;
    for (int[] s : SOURCES) {
      for (TabularPolicy.Outcome o : p.enumerate(s, 3)) {
        Rollout one = p.rolloutOf(new int[][] {s}, 1, new int[][] {o.tokens()}, 3);
        double[][] ref = new double[1][3];
        p.logProbs(one, PolicyParameters.REFERENCE, ref);
        double lp = 0;
        double lr = 0;
        for (int i = 0; i < o.tokens().length; i++) {
          lp += one.logProbs()[0][i];
          lr += ref[0][i];
        }
        total += o.probability() * (lp - lr);
      }
    }
    return total / SOURCES.length;
  }

  private static double meanOfLast(List<Double> x, int n) {
    return x.subList(x.size() - n, x.size()).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  @Test
  void adaptiveKlPenaltyKeepsTheKlNearItsTarget() {
    double target = 0.3;
    List<Double> free = klCurve(KlPenalty.OFF, 200, new Recorder());
    Recorder rec = new Recorder();
    List<Double> held = klCurve(new KlPenalty(0.5, target, 100), 200, rec);
    double freeKl = meanOfLast(free, 50);
    double heldKl = meanOfLast(held, 50);
    System.out.printf("KL to the reference over the last 50 of 200 steps: free %.3f, adaptive (target %.1f) %.3f,"
        + " final coefficient %.3f%n", freeKl, target, heldKl,
        rec.steps.get(rec.steps.size() - 1).metrics().get(MetricNames.RL_KL_COEFFICIENT));
    assertTrue(freeKl > 3 * target, "without a penalty RL drifts far: " + freeKl);
    assertTrue(heldKl < 1.25 * target, "the adaptive penalty holds the KL near its target: " + heldKl);
    // the first RL step's KL is exactly 0 (the reference is the start); the coefficient rose to hold the KL
    List<StepEvent> rl = rec.steps.stream().filter(e -> e.phase() == Phase.RL).toList();
    assertEquals(0.0, rl.get(0).metrics().get(MetricNames.RL_KL), 1e-12);
    assertEquals(0.5, rl.get(0).metrics().get(MetricNames.RL_KL_COEFFICIENT));
    assertTrue(rl.stream().mapToDouble(e -> e.metrics().get(MetricNames.RL_KL_COEFFICIENT)).max().orElseThrow() > 1);
  }

  @Test
  void klStateSurvivesCheckpointAndResume(@TempDir Path dir) throws Exception {
    KlPenalty kl = new KlPenalty(0.2, 0.5, 50);
    TrainerSettings s = base(2, 0.5).with(kl, MleMixing.OFF, null);
    Trainer a = new Trainer(new TabularPolicy(3, Set.of(), 9), Rewards.levenshtein(), BaselineKind.SCST.create(0), s,
        List.of());
    List<Map<String, Double>> uninterrupted = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      uninterrupted.add(withoutPerf(a.rlStep(SOURCES, REFS).metrics()));
    }
    Trainer b = new Trainer(new TabularPolicy(3, Set.of(), 9), Rewards.levenshtein(), BaselineKind.SCST.create(0), s,
        List.of());
    for (int i = 0; i < 4; i++) {
      b.rlStep(SOURCES, REFS);
    }
    b.policy().save(dir);
    Map<String, Double> state = b.state();
    assertTrue(state.containsKey("kl_coefficient"));
    TabularPolicy fresh = new TabularPolicy(3, Set.of(), 777);
    fresh.restore(dir);
    assertTrue(fresh.hasReference(), "the reference is part of the checkpoint");
    Trainer c = new Trainer(fresh, Rewards.levenshtein(), BaselineKind.SCST.create(0), s, List.of());
    c.restore(state);
    for (int i = 4; i < 8; i++) {
      assertEquals(uninterrupted.get(i), withoutPerf(c.rlStep(SOURCES, REFS).metrics()), "step " + (i + 1));
    }
    // a resumed RL phase without its reference refuses to invent one
    Trainer d = new Trainer(new TabularPolicy(3, Set.of(), 9), Rewards.levenshtein(), BaselineKind.SCST.create(0), s,
        List.of());
    d.restore(state);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.rlStep(SOURCES, REFS));
    assertTrue(e.getMessage().contains("reference"), e.getMessage());
  }

  @Test
  void rlFreezesTheModelItStartsFromEvenOverAnOlderReference() {
    // e.g. rl.init_checkpoint names a checkpoint of another RL run, which carries that run's reference
    TabularPolicy p = new TabularPolicy(3, Set.of(), 2);
    p.freezeReference();
    Trainer t = new Trainer(p, Rewards.levenshtein(), BaselineKind.SCST.create(0),
        base(2, 0.5).with(new KlPenalty(0.1, 0, 100), MleMixing.OFF, null), List.of());
    t.mleStep(SOURCES, SOURCES);
    assertEquals(0.0, t.rlStep(SOURCES, REFS).metrics().get(MetricNames.RL_KL), 1e-12);
    assertTrue(t.rlStep(SOURCES, REFS).metrics().get(MetricNames.RL_KL) != 0.0);
  }

  @Test
  void mixerTrainsAndLogsItsWeight() {
    TabularPolicy p = new TabularPolicy(3, Set.of(), 11);
    Recorder rec = new Recorder();
    Trainer t = new Trainer(p, Rewards.levenshtein(), BaselineKind.SCST.create(0),
        base(2, 0.2).with(KlPenalty.OFF, new MleMixing(0.5, 0.0, 40), null), List.of(rec));
    for (int i = 0; i < 80; i++) {
      t.rlStep(SOURCES, REFS);
    }
    System.out.printf("copy task, MIXER (lambda 0.5 -> 0 over 40 steps): solved %d/%d after 80 steps%n",
        LearningTest.solved(p, SOURCES), SOURCES.length);
    assertEquals(SOURCES.length, LearningTest.solved(p, SOURCES));
    double[] expected = {0.5, 0.375, 0.25, 0.0, 0.0};
    int[] at = {0, 10, 20, 40, 79};
    for (int i = 0; i < at.length; i++) {
      assertEquals(expected[i], rec.steps.get(at[i]).metrics().get(MetricNames.RL_MLE_WEIGHT), 1e-12, "step " + at[i]);
    }
  }

  @Test
  void mixedUpdateIsTheWeightedSumOfBothGradients() {
    TabularPolicy p = new TabularPolicy(3, Set.of(), 4);
    Rollout ro = p.sample(SOURCES, 2, 1.0, 3);
    double[][] adv = new double[ro.rows()][3];
    for (int r = 0; r < ro.rows(); r++) {
      for (int t = 0; t < ro.lengths()[r]; t++) {
        adv[r][t] = (r % 3) - 1.0;
      }
    }
    PolicyGradientBatch batch = new PolicyGradientBatch(ro, adv, null, null, 0.05, 0);
    TabularPolicy.Gradient pg = p.gradient(batch);
    TabularPolicy.Gradient mle = p.mleGradient(SOURCES, SOURCES);
    TabularPolicy q = new TabularPolicy(3, Set.of(), 4);
    q.mixedUpdate(batch, SOURCES, 0.3, new OptimizerSettings(1.0, 0));
    for (int[] s : SOURCES) {
      for (String k : p.states(s, 3)) {
        double[] expected = p.logitsByKey(k);
        double[] a = pg.logits.getOrDefault(k, new double[4]);
        double[] b = mle.logits.getOrDefault(k, new double[4]);
        for (int j = 0; j < 4; j++) {
          expected[j] -= 0.7 * a[j] + 0.3 * b[j];
        }
        assertArrayEquals(expected, q.logitsByKey(k), 1e-12, k);
      }
    }
  }

  static Map<String, Double> withoutPerf(Map<String, Double> m) {
    Map<String, Double> out = new TreeMap<>(m);
    out.keySet().removeIf(k -> k.startsWith("perf/"));
    return out;
  }

  static final class Recorder implements RunListener {
    final List<StepEvent> steps = new ArrayList<>();

    @Override
    public void onStep(StepEvent event) {
      steps.add(event);
    }
  }
}
