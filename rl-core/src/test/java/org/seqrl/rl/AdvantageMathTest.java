package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdvantageMathTest {

  /** A rollout with the given lengths (tokens are irrelevant to the advantage math). */
  static Rollout rollout(int inputs, int k, int maxLength, int[] lengths, double[] seqV, double[][] stepV) {
    int rows = inputs * k;
    int[][] sources = new int[inputs][];
    for (int i = 0; i < inputs; i++) {
      sources[i] = new int[] {4 + i};
    }
    int[][] tokens = new int[rows][maxLength];
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < lengths[r]; t++) {
        tokens[r][t] = t == lengths[r] - 1 ? Tokens.END : 4;
      }
    }
    return new Rollout(sources, k, tokens, lengths, new double[rows][maxLength], new double[rows][maxLength], seqV,
        stepV, null);
  }

  @Test
  void minusAndPerRow() {
    assertArrayEquals(new double[] {0.5, -1, 3}, AdvantageMath.minus(new double[] {1, 0, 3}, new double[] {0.5, 1, 0}));
    assertArrayEquals(new double[] {7, 7, 7, 9, 9, 9}, AdvantageMath.perRow(new double[] {7, 9}, 3));
  }

  @Test
  void scstSubtractsTheGreedyRewardOfTheRowsInput() {
    assertArrayEquals(new double[] {0.5, 1.5, 2, 3},
        AdvantageMath.scst(new double[] {1, 2, 3, 4}, new double[] {0.5, 1}, 2));
  }

  @Test
  void rlooLeavesTheRowOut() {
    assertArrayEquals(new double[] {-1, 1, -2, 2}, AdvantageMath.rloo(new double[] {1, 2, 3, 5}, 2), 0);
    // mean of the others: (2+4)/2 = 3, (1+4)/2 = 2.5, (1+2)/2 = 1.5
    assertArrayEquals(new double[] {-2, -0.5, 2.5}, AdvantageMath.rloo(new double[] {1, 2, 4}, 3), 1e-15);
  }

  @Test
  void grpoNormalisesByThePopulationStd() {
    double e = AdvantageMath.GRPO_EPSILON;
    assertArrayEquals(new double[] {-1 / (1 + e), 1 / (1 + e)}, AdvantageMath.grpo(new double[] {1, 3}, 2), 1e-15);
    // mean 3, population variance (4+1+0+9)/4 = 3.5
    double s = Math.sqrt(3.5) + e;
    assertArrayEquals(new double[] {-2 / s, -1 / s, 0, 3 / s}, AdvantageMath.grpo(new double[] {1, 2, 3, 6}, 4), 1e-15);
    double[] a = AdvantageMath.grpo(new double[] {0.7, 0.7, 0.7, 2, 2}, 5);
    assertEquals(0.0, a[0] + a[1] + a[2] + a[3] + a[4], 1e-12);
  }

  @Test
  void grpoOfEqualRewardsIsExactlyZero() {
    // the mean of three 0.1s is 0.10000000000000002 in floating point, so "R - mean" alone is not 0
    double[] a = AdvantageMath.grpo(new double[] {0.1, 0.1, 0.1, 5, 5, 5, 0.7, 0.7, 0.7}, 3);
    for (double v : a) {
      assertEquals(0.0, v);
    }
    // near-equal (but different) rewards stay finite thanks to the epsilon
    for (double v : AdvantageMath.grpo(new double[] {0.1 + 0.2, 0.3}, 2)) {
      assertTrue(Double.isFinite(v) && Math.abs(v) <= 1.0, "" + v);
    }
  }

  @Test
  void groupBaselinesRejectSingleSamplesAndRaggedGroups() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdvantageMath.rloo(new double[] {1, 2}, 1));
    assertTrue(e.getMessage().contains("rloo") && e.getMessage().contains(">= 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> AdvantageMath.grpo(new double[] {1}, 1));
    assertTrue(e.getMessage().contains("grpo"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> AdvantageMath.rloo(new double[] {1, 2, 3}, 2));
    assertTrue(e.getMessage().contains("3 rows"), e.getMessage());
  }

  @Test
  void movingAverage() {
    assertEquals(2.2, AdvantageMath.movingAverage(2, 4, 0.9), 1e-15);
    assertEquals(4.0, AdvantageMath.movingAverage(2, 4, 0.0));
  }

  @Test
  void broadcastFillsUnmaskedStepsOnly() {
    Rollout r = rollout(1, 2, 3, new int[] {1, 3}, null, null);
    double[][] a = AdvantageMath.broadcast(new double[] {2, -1}, r);
    assertArrayEquals(new double[] {2, 0, 0}, a[0]);
    assertArrayEquals(new double[] {-1, -1, -1}, a[1]);
  }

  @Test
  void minusPerStepSubtractsEachStepsBaseline() {
    Rollout r = rollout(1, 2, 3, new int[] {2, 0}, null, null);
    double[][] v = {{0.5, 1.5, 9}, {9, 9, 9}};
    double[][] a = AdvantageMath.minusPerStep(new double[] {2, 4}, v, r);
    assertArrayEquals(new double[] {1.5, 0.5, 0}, a[0]);
    assertArrayEquals(new double[] {0, 0, 0}, a[1]);
  }
}
