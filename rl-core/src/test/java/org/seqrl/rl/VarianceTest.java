package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.seqrl.metrics.Levenshtein;
import org.seqrl.rl.testing.TabularPolicy;

/**
 * Gradient variance of each baseline on a task whose rewards all lie in [10, 11], where the
 * offset makes REINFORCE without a baseline noisy. Every estimator uses batches of 4 rows of the
 * same input; the measure is the sum over logits of the per-parameter variance across batches.
 */
class VarianceTest {
  static final int MAX = 3;
  static final int[] SRC = UnbiasednessTest.SRC;
  static final int[][] REFS = UnbiasednessTest.REFS;
  static final Reward OFFSET = Rewards.named("offset", (h, r) -> 10 + 1.0 / (1 + Levenshtein.minDistance(h, r)));
  static final int BATCHES = 3000;

  /** Sum over parameters of the variance of the loss gradient over {@link #BATCHES} sampled batches. */
  static double variance(TabularPolicy p, BaselineStrategy s, int inputs, int k) {
    List<String> states = p.states(SRC, MAX);
    int[][] sources = new int[inputs][];
    int[][][] refs = new int[inputs][][];
    for (int i = 0; i < inputs; i++) {
      sources[i] = SRC;
      refs[i] = REFS;
    }
    int dim = states.size() * p.actions();
    double[] sum = new double[dim];
    double[] sq = new double[dim];
    for (int b = 0; b < BATCHES; b++) {
      Rollout ro = p.sample(sources, k, 1.0, MAX);
      double[] rewards = Rewards.scoreRows(OFFSET, ro, refs);
      double[] greedy = s.requirements().needsGreedy() ? Rewards.scoreRows(OFFSET, p.greedy(sources, MAX), refs) : null;
      Advantages adv = s.advantages(ro, rewards, greedy);
      double[] g = p.gradient(new PolicyGradientBatch(ro, adv.perStep(), null, null, 0, 0)).flatLogits(states, p.actions());
      for (int i = 0; i < dim; i++) {
        sum[i] += g[i];
        sq[i] += g[i] * g[i];
      }
    }
    double total = 0;
    for (int i = 0; i < dim; i++) {
      double mean = sum[i] / BATCHES;
      total += sq[i] / BATCHES - mean * mean;
    }
    return total;
  }

  static TabularPolicy policy(BaselineKind kind) {
    TabularPolicy p = UnbiasednessTest.policy(kind.create(0).requirements().criticHeads());
    if (!p.criticHeads().isEmpty()) {
      // a converged critic: trained on the fixed policy as in CriticConvergenceTest
      CriticTraining.train(p, kind.create(0), new int[][] {SRC}, new int[][][] {REFS}, OFFSET, 16, MAX, 1500);
    }
    return p;
  }

  @Test
  void baselinesCutTheVarianceOfAnOffsetReward() {
    double none = variance(policy(BaselineKind.NONE), BaselineKind.NONE.create(0), 1, 4);
    Map<String, Double> factors = new LinkedHashMap<>();
    factors.put("moving-average (decay 0.9)", none / variance(policy(BaselineKind.MOVING_AVERAGE),
        BaselineKind.MOVING_AVERAGE.create(0.9), 1, 4));
    factors.put("scst", none / variance(policy(BaselineKind.SCST), BaselineKind.SCST.create(0), 1, 4));
    factors.put("rloo k=2", none / variance(policy(BaselineKind.RLOO), BaselineKind.RLOO.create(0), 2, 2));
    factors.put("rloo k=4", none / variance(policy(BaselineKind.RLOO), BaselineKind.RLOO.create(0), 1, 4));
    factors.put("grpo k=4", none / variance(policy(BaselineKind.GRPO), BaselineKind.GRPO.create(0), 1, 4));
    factors.put("value (trained critic)", none / variance(policy(BaselineKind.VALUE), BaselineKind.VALUE.create(0), 1, 4));
    factors.put("step-value (trained critic)",
        none / variance(policy(BaselineKind.STEP_VALUE), BaselineKind.STEP_VALUE.create(0), 1, 4));
    System.out.printf("gradient variance of none (sum over logits, batches of 4 rows): %.5f%n", none);
    factors.forEach((name, f) -> System.out.printf("variance reduction vs none: %-28s %8.1fx%n", name, f));
    factors.forEach((name, f) -> assertTrue(f >= 5, name + " cut the variance only " + f + "x"));
  }

  @Test
  void aCriticThatIsFarOffDoesNotReduceVariance() {
    // guards the measurement itself: a value head stuck at 0 is as bad as no baseline
    TabularPolicy p = UnbiasednessTest.policy(Set.of(CriticHead.SEQUENCE));
    p.setSequenceValue(SRC, 0);
    double none = variance(policy(BaselineKind.NONE), BaselineKind.NONE.create(0), 1, 4);
    double bad = variance(p, BaselineKind.VALUE.create(0), 1, 4);
    assertTrue(bad > 0.5 * none, "none " + none + ", zero critic " + bad);
  }
}
