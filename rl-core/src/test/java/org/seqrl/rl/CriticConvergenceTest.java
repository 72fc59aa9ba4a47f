package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.seqrl.rl.testing.TabularPolicy;

/**
 * Critic heads trained on a fixed policy converge to the exact expectations they estimate. The
 * tolerance 0.05 is about three standard errors of the final running estimate (reward std ~1,
 * ~4000 samples in the last learning-rate phase).
 */
class CriticConvergenceTest {
  static final int MAX = 3;
  static final int[] SRC = UnbiasednessTest.SRC;
  static final int[][] REFS = UnbiasednessTest.REFS;
  static final Reward REWARD = UnbiasednessTest.REWARD;

  static double conditional(TabularPolicy p, int[] prefix) {
    double num = 0;
    double den = 0;
    for (TabularPolicy.Outcome o : p.enumerate(SRC, MAX)) {
      boolean match = o.tokens().length > prefix.length;
      for (int t = 0; match && t < prefix.length; t++) {
        match = o.tokens()[t] == prefix[t];
      }
      if (match) {
        num += o.probability() * REWARD.score(o.hypothesis(), REFS);
        den += o.probability();
      }
    }
    return num / den;
  }

  static TabularPolicy trained(BaselineKind kind) {
    TabularPolicy p = UnbiasednessTest.policy(kind.create(0).requirements().criticHeads());
    CriticTraining.train(p, kind.create(0), new int[][] {SRC}, new int[][][] {REFS}, REWARD, 16, MAX, 3000);
    return p;
  }

  @Test
  void valueHeadConvergesToTheExpectedReward() {
    TabularPolicy p = trained(BaselineKind.VALUE);
    double exact = Exact.expectedReward(p, SRC, REFS, REWARD, MAX);
    System.out.printf("value: V(x) = %.4f, E[R] = %.4f%n", p.sequenceValue(SRC), exact);
    assertEquals(exact, p.sequenceValue(SRC), 0.05);
  }

  @Test
  void stepValueHeadConvergesToTheExpectedRewardGivenThePrefix() {
    TabularPolicy p = trained(BaselineKind.STEP_VALUE);
    for (int[] prefix : List.of(new int[0], new int[] {4}, new int[] {5})) {
      double exact = conditional(p, prefix);
      System.out.printf("step-value: V(%s) = %.4f, E[R | prefix] = %.4f%n", java.util.Arrays.toString(prefix),
          p.stepValue(SRC, prefix), exact);
      assertEquals(exact, p.stepValue(SRC, prefix), 0.05);
    }
    assertEquals(Exact.expectedReward(p, SRC, REFS, REWARD, MAX), p.stepValue(SRC, new int[0]), 0.05);
  }

  @Test
  void scstCorrectionConvergesToExpectedRewardMinusGreedyReward() {
    TabularPolicy p = trained(BaselineKind.SCST_CORRECTION);
    double greedy = REWARD.score(p.greedy(new int[][] {SRC}, MAX).hypothesis(0), REFS);
    double exact = Exact.expectedReward(p, SRC, REFS, REWARD, MAX) - greedy;
    System.out.printf("scst-correction: C(x) = %.4f, E[R] - R(greedy) = %.4f%n", p.stepValue(SRC, new int[0]), exact);
    assertEquals(exact, p.stepValue(SRC, new int[0]), 0.05);
  }

  @Test
  void trainingTheCriticLeavesThePolicyUnchanged() {
    TabularPolicy p = trained(BaselineKind.VALUE);
    TabularPolicy q = UnbiasednessTest.policy(Set.of(CriticHead.SEQUENCE));
    for (String k : p.states(SRC, MAX)) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(q.logitsByKey(k), p.logitsByKey(k), 0.0);
    }
  }
}
