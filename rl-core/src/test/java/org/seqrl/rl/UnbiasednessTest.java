package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.seqrl.rl.testing.TabularPolicy;

/**
 * The expected gradient of every action-independent baseline equals the exact policy gradient
 * -∇E[R] (the loss gradient has the opposite sign), computed by enumerating every output (or
 * every pair of outputs for the group baselines).
 */
class UnbiasednessTest {
  static final int MAX = 3;
  static final int[] SRC = {4, 5};
  static final int[][] REFS = {{4, 5}};
  /** Offset, graded reward: 10 minus the edit distance, plus a bonus that distinguishes lengths. */
  static final Reward REWARD = Rewards.named("test", (h, r) -> 10 - org.seqrl.metrics.Levenshtein.minDistance(h, r)
      + 0.25 * h.length);

  static TabularPolicy policy(Set<CriticHead> heads) {
    TabularPolicy p = new TabularPolicy(2, heads, 7);
    Random r = new Random(11);
    for (String k : p.states(SRC, MAX)) {
      for (int a = 0; a < p.actions(); a++) {
        p.nudgeLogit(k, a, 0.8 * r.nextGaussian());
      }
    }
    // arbitrary (unconverged) critic outputs: a baseline need not be good to be unbiased
    p.setSequenceValue(SRC, 3.5);
    p.setStepValue(SRC, new int[0], 9.0);
    p.setStepValue(SRC, new int[] {4}, -2.0);
    p.setStepValue(SRC, new int[] {5}, 4.0);
    p.setStepValue(SRC, new int[] {4, 5}, 10.5);
    p.setStepValue(SRC, new int[] {5, 5}, 1.0);
    return p;
  }

  static Set<CriticHead> heads(BaselineKind kind) {
    return kind.create(0.5).requirements().criticHeads();
  }

  /** E over single samples of the loss gradient, for a one-sample strategy. */
  static double[] expectedSingleSampleGradient(TabularPolicy p, BaselineStrategy s, Map<String, Double> state,
      List<String> states) {
    int[][] sources = {SRC};
    double[] greedy = s.requirements().needsGreedy()
        ? Rewards.scoreRows(REWARD, p.greedy(sources, MAX), new int[][][] {REFS}) : null;
    double[] e = new double[states.size() * p.actions()];
    for (TabularPolicy.Outcome o : p.enumerate(SRC, MAX)) {
      Rollout ro = p.rolloutOf(sources, 1, new int[][] {o.tokens()}, MAX);
      s.restore(state);
      Advantages adv = s.advantages(ro, new double[] {REWARD.score(o.hypothesis(), REFS)}, greedy);
      double[] g = p.gradient(new PolicyGradientBatch(ro, adv.perStep(), adv.sequenceTargets(), adv.stepTargets(), 0, 0))
          .flatLogits(states, p.actions());
      for (int i = 0; i < e.length; i++) {
        e[i] += o.probability() * g[i];
      }
    }
    return e;
  }

  static double[] expectedPairGradient(TabularPolicy p, BaselineStrategy s, List<String> states) {
    int[][] sources = {SRC};
    double[] e = new double[states.size() * p.actions()];
    List<TabularPolicy.Outcome> all = p.enumerate(SRC, MAX);
    for (TabularPolicy.Outcome o1 : all) {
      for (TabularPolicy.Outcome o2 : all) {
        Rollout ro = p.rolloutOf(sources, 2, new int[][] {o1.tokens(), o2.tokens()}, MAX);
        double[] rewards = {REWARD.score(o1.hypothesis(), REFS), REWARD.score(o2.hypothesis(), REFS)};
        Advantages adv = s.advantages(ro, rewards, null);
        double[] g = p.gradient(new PolicyGradientBatch(ro, adv.perStep(), null, null, 0, 0)).flatLogits(states, p.actions());
        double w = o1.probability() * o2.probability();
        for (int i = 0; i < e.length; i++) {
          e[i] += w * g[i];
        }
      }
    }
    return e;
  }

  static double[] negated(double[] g) {
    double[] n = new double[g.length];
    for (int i = 0; i < g.length; i++) {
      n[i] = -g[i];
    }
    return n;
  }

  @ParameterizedTest
  @EnumSource(value = BaselineKind.class, names = {"NONE", "MOVING_AVERAGE", "SCST", "VALUE", "STEP_VALUE",
      "SCST_CORRECTION"})
  void singleSampleBaselinesAreUnbiased(BaselineKind kind) {
    TabularPolicy p = policy(heads(kind));
    List<String> states = p.states(SRC, MAX);
    double[] exact = Exact.policyGradient(p, SRC, REFS, REWARD, MAX, states);
    BaselineStrategy s = kind.create(0.9);
    // the moving average held fixed at 7.25 (as it is within one batch)
    Map<String, Double> state = kind == BaselineKind.MOVING_AVERAGE
        ? Map.of("moving_average", 7.25, "moving_average_initialised", 1.0) : Map.of();
    double[] expected = expectedSingleSampleGradient(p, s, state, states);
    assertArrayEquals(exact, negated(expected), 1e-8, kind.configName());
    assertTrue(Exact.maxAbsDiff(exact, new double[exact.length]) > 0.01, "the gradient is not trivially zero");
  }

  @Test
  void rlooWithTwoSamplesIsUnbiased() {
    TabularPolicy p = policy(Set.of());
    List<String> states = p.states(SRC, MAX);
    double[] exact = Exact.policyGradient(p, SRC, REFS, REWARD, MAX, states);
    // the pair gradient is the mean over the 2 rows, so its expectation is the single-sample gradient
    assertArrayEquals(exact, negated(expectedPairGradient(p, BaselineKind.RLOO.create(0), states)), 1e-8);
  }

  /**
   * GRPO divides by the group's std: with k = 2 every advantage is ±1 (the sign of the reward
   * difference), which is not R − b for any action-independent b. We assert it is biased (the
   * expected gradient differs from the exact one by more than 1% of its size) yet ascends (positive
   * cosine with ∇E[R]).
   */
  @Test
  void grpoIsBiasedButPointsUphill() {
    TabularPolicy p = policy(Set.of());
    List<String> states = p.states(SRC, MAX);
    double[] exact = Exact.policyGradient(p, SRC, REFS, REWARD, MAX, states);
    double[] grpo = negated(expectedPairGradient(p, BaselineKind.GRPO.create(0), states));
    double cos = Exact.cosine(exact, grpo);
    double scale = Exact.maxAbsDiff(exact, new double[exact.length]);
    System.out.printf("grpo k=2: cosine with the exact gradient %.4f, max abs deviation %.4f (max |exact| %.4f)%n",
        cos, Exact.maxAbsDiff(exact, grpo), scale);
    assertTrue(cos > 0.5, "cosine " + cos);
    assertTrue(Exact.maxAbsDiff(exact, grpo) > 0.01 * scale, "GRPO is expected to be biased");
  }
}
