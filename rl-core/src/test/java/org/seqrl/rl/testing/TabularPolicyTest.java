package org.seqrl.rl.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.Tokens;

class TabularPolicyTest {

  static final int[] SRC = {4, 5};

  /** A policy with random logits on every reachable state and random critic values. */
  static TabularPolicy randomPolicy(Set<CriticHead> heads, long seed, int maxLength) {
    TabularPolicy p = new TabularPolicy(2, heads, seed);
    Random r = new Random(seed + 17);
    for (String k : p.states(SRC, maxLength)) {
      for (int a = 0; a < p.actions(); a++) {
        p.nudgeLogit(k, a, r.nextGaussian());
      }
    }
    p.setSequenceValue(SRC, 0.3);
    p.setStepValue(SRC, new int[0], -0.2);
    p.setStepValue(SRC, new int[] {Tokens.FIRST_REGULAR}, 0.7);
    return p;
  }

  @Test
  void enumerationSumsToOneAndMatchesSampling() {
    TabularPolicy p = randomPolicy(Set.of(), 1, 3);
    List<TabularPolicy.Outcome> all = p.enumerate(SRC, 3);
    // 1 + 2 + 4 sequences ending in END, plus 8 that hit maxLength
    assertEquals(1 + 2 + 4 + 8, all.size());
    assertEquals(1.0, all.stream().mapToDouble(TabularPolicy.Outcome::probability).sum(), 1e-12);
    TabularPolicy.Outcome first = all.get(0);
    int hits = 0;
    int n = 20000;
    Rollout r = p.sample(new int[][] {SRC}, n, 1.0, 3);
    for (int i = 0; i < n; i++) {
      if (r.lengths()[i] == 1) {
        hits++;
        assertEquals(0, r.hypothesis(i).length);
      }
    }
    double sd = Math.sqrt(first.probability() * (1 - first.probability()) / n);
    assertEquals(first.probability(), hits / (double) n, 5 * sd);
  }

  @Test
  void analyticGradientMatchesFiniteDifferences() {
    int maxLength = 3;
    TabularPolicy p = randomPolicy(Set.of(CriticHead.SEQUENCE, CriticHead.STEP), 2, maxLength);
    int[][] sources = {SRC};
    Rollout ro = p.sample(sources, 4, 1.0, maxLength);
    double[][] adv = new double[4][maxLength];
    double[][] stepTargets = new double[4][maxLength];
    double[] seqTargets = {1.0, -0.5, 2.0, 0.25};
    Random r = new Random(3);
    for (int i = 0; i < 4; i++) {
      for (int t = 0; t < ro.lengths()[i]; t++) {
        adv[i][t] = r.nextGaussian();
        stepTargets[i][t] = r.nextGaussian();
      }
    }
    PolicyGradientBatch batch = new PolicyGradientBatch(ro, adv, seqTargets, stepTargets, 0.3, 0.7);
    TabularPolicy.Gradient g = p.gradient(batch);
    double h = 1e-6;
    int checked = 0;
    for (String k : g.logits.keySet()) {
      for (int a = 0; a < p.actions(); a++) {
        p.nudgeLogit(k, a, h);
        double up = p.gradient(batch).loss;
        p.nudgeLogit(k, a, -2 * h);
        double down = p.gradient(batch).loss;
        p.nudgeLogit(k, a, h);
        assertEquals((up - down) / (2 * h), g.logits.get(k)[a], 1e-7, "logit " + k + " action " + a);
        checked++;
      }
    }
    assertTrue(checked >= 6);
    // critic heads: the loss is quadratic in each value, so the central difference is exact up to rounding
    double v0 = p.sequenceValue(SRC);
    p.setSequenceValue(SRC, v0 + h);
    double up = p.gradient(batch).loss;
    p.setSequenceValue(SRC, v0 - h);
    double down = p.gradient(batch).loss;
    p.setSequenceValue(SRC, v0);
    assertEquals((up - down) / (2 * h), g.sequenceValues.get(TabularPolicy.sourceKey(SRC)), 1e-7);
    double s0 = p.stepValue(SRC, new int[0]);
    p.setStepValue(SRC, new int[0], s0 + h);
    up = p.gradient(batch).loss;
    p.setStepValue(SRC, new int[0], s0 - h);
    down = p.gradient(batch).loss;
    p.setStepValue(SRC, new int[0], s0);
    assertEquals((up - down) / (2 * h), g.stepValues.get(TabularPolicy.key(SRC, new int[0])), 1e-7);
  }

  @Test
  void mleGradientMatchesFiniteDifferencesAndMleLearnsTheTarget() {
    TabularPolicy p = randomPolicy(Set.of(), 4, 3);
    int[][] sources = {SRC, SRC};
    int[][] targets = {{4, 5}, {5}};
    TabularPolicy.Gradient g = p.mleGradient(sources, targets);
    assertEquals(2 + 3, g.tokens);
    double h = 1e-6;
    for (String k : g.logits.keySet()) {
      for (int a = 0; a < p.actions(); a++) {
        p.nudgeLogit(k, a, h);
        double up = p.mleGradient(sources, targets).loss;
        p.nudgeLogit(k, a, -2 * h);
        double down = p.mleGradient(sources, targets).loss;
        p.nudgeLogit(k, a, h);
        assertEquals((up - down) / (2 * h), g.logits.get(k)[a], 1e-7);
      }
    }
    TabularPolicy q = new TabularPolicy(2, Set.of(), 0);
    for (int i = 0; i < 300; i++) {
      q.mleStep(new int[][] {SRC}, new int[][] {{5, 4}}, new OptimizerSettings(1.0, 5));
    }
    assertArrayEquals(new int[] {5, 4}, q.greedy(new int[][] {SRC}, 3).hypothesis(0));
  }

  @Test
  void clippingScalesTheStepToTheMaximumNorm() {
    TabularPolicy p = new TabularPolicy(2, Set.of(), 0);
    int[][] sources = {SRC};
    var stats = p.mleStep(sources, new int[][] {{4}}, new OptimizerSettings(1.0, 0.1));
    assertTrue(stats.gradNorm() > 0.1);
    // the applied step has norm exactly lr * maxGradNorm
    double sq = 0;
    for (String k : p.states(SRC, 3)) {
      for (double v : p.logitsByKey(k)) {
        sq += v * v;
      }
    }
    assertEquals(0.1, Math.sqrt(sq), 1e-12);
  }

  @Test
  void greedyEqualsBeamOfWidthOneAndWiderBeamFindsTheMoreLikelySequence() {
    TabularPolicy p = new TabularPolicy(2, Set.of(), 0);
    int[] e = {};
    // greedy takes token 4 (p=0.5), then END (0.34): P([4]) = 0.17; but token 5 is followed by END
    // with high probability: P([5]) = 0.4*0.9 = 0.36, which a beam of width 3 finds
    p.setLogits(SRC, e, Math.log(0.1), Math.log(0.5), Math.log(0.4));
    p.setLogits(SRC, new int[] {4}, Math.log(0.34), Math.log(0.33), Math.log(0.33));
    p.setLogits(SRC, new int[] {5}, Math.log(0.9), Math.log(0.05), Math.log(0.05));
    int[][] src = {SRC};
    assertArrayEquals(new int[] {4}, p.greedy(src, 3).hypothesis(0));
    assertArrayEquals(new int[] {4}, p.beamSearch(src, 1, 3)[0]);
    assertArrayEquals(new int[] {5}, p.beamSearch(src, 3, 3)[0]);
  }

  @Test
  void saveAndRestoreContinueExactly(@TempDir Path dir) throws Exception {
    TabularPolicy a = randomPolicy(Set.of(CriticHead.SEQUENCE, CriticHead.STEP), 5, 3);
    a.sample(new int[][] {SRC}, 3, 1.0, 3);
    a.save(dir);
    Rollout expected = a.sample(new int[][] {SRC}, 5, 1.0, 3);
    TabularPolicy b = new TabularPolicy(2, Set.of(CriticHead.SEQUENCE, CriticHead.STEP), 999);
    b.restore(dir);
    Rollout actual = b.sample(new int[][] {SRC}, 5, 1.0, 3);
    assertArrayEquals(expected.tokens(), actual.tokens());
    for (int r = 0; r < 5; r++) {
      assertArrayEquals(expected.logProbs()[r], actual.logProbs()[r], 0.0);
      assertArrayEquals(expected.stepValues()[r], actual.stepValues()[r], 0.0);
    }
    assertArrayEquals(expected.sequenceValues(), actual.sequenceValues(), 0.0);
  }
}
