package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The BaselineStrategy contract beyond the formulas: state that survives a resume, empty
 * sequences, and clear errors when a strategy lacks what it needs.
 */
class BaselineStrategyTest {

  /** Two inputs, k samples each, with the given lengths; tokens and log-probs are irrelevant here. */
  static Rollout rollout(int k, int[] lengths, int maxLength, double[] seqValues, double[][] stepValues) {
    int rows = lengths.length;
    int[][] sources = new int[rows / k][];
    for (int i = 0; i < sources.length; i++) {
      sources[i] = new int[] {Tokens.FIRST_REGULAR};
    }
    int[][] tokens = new int[rows][maxLength];
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < lengths[r]; t++) {
        tokens[r][t] = t == lengths[r] - 1 ? Tokens.END : Tokens.FIRST_REGULAR;
      }
    }
    return new Rollout(sources, k, tokens, lengths, new double[rows][maxLength], new double[rows][maxLength],
        seqValues, stepValues, null);
  }

  @Test
  void groupBaselinesOnOneSamplePerInputFailClearly() {
    Rollout r = rollout(1, new int[] {1, 1}, 2, null, null);
    for (BaselineKind k : new BaselineKind[] {BaselineKind.RLOO, BaselineKind.GRPO}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> k.create(0).advantages(r, new double[] {1, 2}, null));
      assertTrue(e.getMessage().contains(k.configName()), e.getMessage());
    }
  }

  @Test
  void emptySequencesGetNoAdvantage() {
    Rollout r = rollout(2, new int[] {0, 0}, 0, null, null);
    for (BaselineKind k : new BaselineKind[] {BaselineKind.NONE, BaselineKind.RLOO, BaselineKind.GRPO}) {
      Advantages a = k.create(0.5).advantages(r, new double[] {1, 1}, null);
      assertEquals(2, a.perStep().length);
      assertEquals(0, a.perStep()[0].length);
    }
  }

  @Test
  void movingAverageCentresTheFirstBatchThenLagsOneBatch() {
    BaselineStrategy b = BaselineKind.MOVING_AVERAGE.create(0.5);
    Rollout r = rollout(1, new int[] {1, 1}, 1, null, null);
    // batch 1: mean 2, average := 2 -> A = {-1, 1}; then average = 0.5*2 + 0.5*2 = 2
    assertArrayEquals(new double[][] {{-1}, {1}}, b.advantages(r, new double[] {1, 3}, null).perStep());
    // batch 2: baseline 2 -> A = {8, 10}; then average = 0.5*2 + 0.5*11 = 6.5
    assertArrayEquals(new double[][] {{8}, {10}}, b.advantages(r, new double[] {10, 12}, null).perStep());
    assertEquals(6.5, b.state().get("moving_average"), 0.0);
  }

  @Test
  void movingAverageStateRestoresExactly() {
    BaselineStrategy a = BaselineKind.MOVING_AVERAGE.create(0.9);
    Rollout r = rollout(1, new int[] {1, 1}, 1, null, null);
    a.advantages(r, new double[] {1, 3}, null);
    a.advantages(r, new double[] {5, 4}, null);
    Map<String, Double> saved = a.state();
    BaselineStrategy b = BaselineKind.MOVING_AVERAGE.create(0.9);
    b.restore(saved);
    double[] next = {7, 0.25};
    assertArrayEquals(a.advantages(r, next, null).perStep(), b.advantages(r, next, null).perStep());
    assertEquals(a.state(), b.state());
  }

  @Test
  void scstNeedsGreedyRewardsAndCriticBaselinesNeedTheirHeads() {
    Rollout r = rollout(1, new int[] {1}, 2, null, null);
    IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
        () -> BaselineKind.SCST.create(0).advantages(r, new double[] {1}, null));
    assertTrue(g.getMessage().contains("greedy"), g.getMessage());
    IllegalArgumentException v = assertThrows(IllegalArgumentException.class,
        () -> BaselineKind.VALUE.create(0).advantages(r, new double[] {1}, null));
    assertTrue(v.getMessage().contains("value") && v.getMessage().contains("sequence"), v.getMessage());
    IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
        () -> BaselineKind.STEP_VALUE.create(0).advantages(r, new double[] {1}, null));
    assertTrue(s.getMessage().contains("per-step"), s.getMessage());
  }
}
