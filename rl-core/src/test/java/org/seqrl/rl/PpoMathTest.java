package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.seqrl.rl.testing.TabularPolicy;

/** PPO-clip's token math against hand-computed values, and on the tabular policy against finite differences. */
class PpoMathTest {

  @Test
  void surrogateAndItsTokenWeight() {
    // inside the range both terms agree and the gradient is rho A
    assertEquals(3.3, PpoMath.surrogate(1.1, 3, 0.2), 1e-12);
    assertEquals(3.3, PpoMath.tokenWeight(1.1, 3, 0.2), 1e-12);
    // rho above 1+eps with A > 0: the clipped term 1.2*2 is the minimum, no gradient
    assertEquals(2.4, PpoMath.surrogate(1.5, 2, 0.2), 1e-12);
    assertEquals(0.0, PpoMath.tokenWeight(1.5, 2, 0.2));
    // rho above 1+eps with A < 0: the unclipped term -3 is the minimum, the gradient flows
    assertEquals(-3.0, PpoMath.surrogate(1.5, -2, 0.2), 1e-12);
    assertEquals(-3.0, PpoMath.tokenWeight(1.5, -2, 0.2), 1e-12);
    // rho below 1-eps with A > 0: unclipped 1 < 1.6, gradient flows
    assertEquals(1.0, PpoMath.surrogate(0.5, 2, 0.2), 1e-12);
    assertEquals(1.0, PpoMath.tokenWeight(0.5, 2, 0.2), 1e-12);
    // rho below 1-eps with A < 0: clipped -1.6 is the minimum, no gradient
    assertEquals(-1.6, PpoMath.surrogate(0.5, -2, 0.2), 1e-12);
    assertEquals(0.0, PpoMath.tokenWeight(0.5, -2, 0.2));
    assertTrue(PpoMath.clipped(1.21, 0.2) && PpoMath.clipped(0.79, 0.2) && !PpoMath.clipped(1.2, 0.2));
  }

  @Test
  void clippedValueLossAndGradient() {
    // v moved 1 from old 1 (eps 0.5): unclipped (2-0)^2 = 4 beats clipped (1.5-0)^2 = 2.25
    assertEquals(4.0, PpoMath.clippedValueLoss(2, 1, 0, 0.5), 1e-12);
    assertEquals(4.0, PpoMath.clippedValueGradient(2, 1, 0, 0.5), 1e-12);
    // target 3: unclipped (2-3)^2 = 1 < clipped (1.5-3)^2 = 2.25, which does not move with v
    assertEquals(2.25, PpoMath.clippedValueLoss(2, 1, 3, 0.5), 1e-12);
    assertEquals(0.0, PpoMath.clippedValueGradient(2, 1, 3, 0.5));
    // inside the range: the plain squared error
    assertEquals(0.09, PpoMath.clippedValueLoss(1.2, 1, 0.9, 0.5), 1e-12);
    assertEquals(0.6, PpoMath.clippedValueGradient(1.2, 1, 0.9, 0.5), 1e-12);
  }

  @Test
  void approxKlIsTheK3Estimator() {
    assertEquals(1 - Math.log(2), PpoMath.approxKl(Math.log(2)), 1e-12);
    assertEquals(Math.log(2) - 0.5, PpoMath.approxKl(Math.log(0.5)), 1e-12);
    assertEquals(0.0, PpoMath.approxKl(0.0));
  }

  /** A two-row rollout drawn from {@code old}, scored by a policy whose logits moved. */
  private static PolicyGradientBatch movedBatch(TabularPolicy now, double eps, double valueEps) {
    int[][] sources = {{4, 5}};
    TabularPolicy old = new TabularPolicy(3, Set.of(CriticHead.SEQUENCE), 1);
    old.setLogits(sources[0], new int[0], 0.0, 0.5, -0.3, 0.1);
    old.setLogits(sources[0], new int[] {4}, 0.2, 0.0, 0.7, -0.4);
    old.setSequenceValue(sources[0], 0.4);
    Rollout ro = old.rolloutOf(sources, 2, new int[][] {{4, 5, Tokens.END}, {5, Tokens.END}}, 3);
    now.setLogits(sources[0], new int[0], 0.0, 1.4, -0.3, 0.1);
    now.setLogits(sources[0], new int[] {4}, 0.2, 0.0, -0.5, -0.4);
    now.setSequenceValue(sources[0], 1.3);
    double[][] adv = {{1.5, 1.5, 1.5}, {-0.7, -0.7, 0}};
    return new PolicyGradientBatch(ro, adv, new double[] {0.2, -0.1}, null, 0.0, 0.5,
        new PpoClip(eps, valueEps, new double[2][3]));
  }

  @Test
  void clippedObjectiveOnTheTabularPolicy() {
    TabularPolicy now = new TabularPolicy(3, Set.of(CriticHead.SEQUENCE), 1);
    PolicyGradientBatch batch = movedBatch(now, 0.2, 0.3);
    TabularPolicy.Gradient g = now.gradient(batch);
    // hand-computed: rho of each token, then -(1/2) sum min(rho A, clip(rho) A)
    Rollout ro = batch.rollout();
    double expected = 0;
    for (int r = 0; r < 2; r++) {
      for (int t = 0; t < ro.lengths()[r]; t++) {
        int[] prefix = java.util.Arrays.copyOf(ro.tokens()[r], t);
        double p = now.probabilities(ro.sources()[0], prefix)[TabularPolicy.actionOf(ro.tokens()[r][t])];
        assertEquals(Math.log(p), batch.ppo().currentLogProbs()[r][t], 1e-12, "current log-prob written");
        double rho = p / Math.exp(ro.logProbs()[r][t]);
        double a = batch.advantages()[r][t];
        expected += Math.min(rho * a, Math.max(0.8, Math.min(1.2, rho)) * a);
      }
    }
    assertEquals(-expected / 2, g.policyLoss, 1e-12);
    // critic: old 0.4, now 1.3, eps 0.3 -> clipped 0.7; max of squared errors per row, mean over rows
    double critic = (Math.max(1.1 * 1.1, 0.5 * 0.5) + Math.max(1.4 * 1.4, 0.8 * 0.8)) / 2;
    assertEquals(critic, g.criticLoss, 1e-12);

    // the analytic gradient is the surrogate's: central differences of the loss on every logit
    List<String> states = now.states(ro.sources()[0], 3);
    double[] analytic = g.flatLogits(states, now.actions());
    double[] numeric = new double[analytic.length];
    double h = 1e-6;
    for (int s = 0; s < states.size(); s++) {
      for (int a = 0; a < now.actions(); a++) {
        now.nudgeLogit(states.get(s), a, h);
        double up = now.gradient(batch).policyLoss;
        now.nudgeLogit(states.get(s), a, -2 * h);
        double down = now.gradient(batch).policyLoss;
        now.nudgeLogit(states.get(s), a, h);
        numeric[s * now.actions() + a] = (up - down) / (2 * h);
      }
    }
    assertArrayEquals(numeric, analytic, 1e-7);
    boolean anyClipped = false;
    for (int r = 0; r < 2; r++) {
      for (int t = 0; t < ro.lengths()[r]; t++) {
        anyClipped |= PpoMath.clipped(Math.exp(batch.ppo().currentLogProbs()[r][t] - ro.logProbs()[r][t]), 0.2);
      }
    }
    assertTrue(anyClipped, "the case must exercise the clip");
    // with a wide range nothing is clipped and the surrogate's gradient is the importance-weighted one
    TabularPolicy wide = new TabularPolicy(3, Set.of(CriticHead.SEQUENCE), 1);
    PolicyGradientBatch w = movedBatch(wide, 100, 0);
    assertFalse(wide.gradient(w).logits.isEmpty());
  }
}
