package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Exact values of every formula in AdvantageMath, computed by hand. */
class AdvantageMathTest {

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
  void scstSubtractsTheGreedyRewardOfTheRowsInput() {
    assertArrayEquals(new double[] {2, 3, 3, 4},
        AdvantageMath.scst(new double[] {3, 4, 5, 6}, new double[] {1, 2}, 2), 0.0);
  }

  @Test
  void rlooSubtractsTheMeanOfTheOtherSamples() {
    // group 1: 1 - (2+3)/2, 2 - (1+3)/2, 3 - (1+2)/2; group 2 equal rewards give 0.
    assertArrayEquals(new double[] {-1.5, 0, 1.5, 0, 0, 0},
        AdvantageMath.rloo(new double[] {1, 2, 3, 10, 10, 10}, 3), 1e-15);
  }

  @Test
  void rlooOfTwoSamplesIsTheirDifference() {
    assertArrayEquals(new double[] {-2, 2}, AdvantageMath.rloo(new double[] {1, 3}, 2), 0.0);
  }

  @Test
  void grpoUsesThePopulationStandardDeviation() {
    // mean 2, population std 1 (the sample std would be sqrt(2)).
    double[] a = AdvantageMath.grpo(new double[] {1, 3}, 2);
    assertArrayEquals(new double[] {-1 / (1 + AdvantageMath.GRPO_EPSILON), 1 / (1 + AdvantageMath.GRPO_EPSILON)}, a, 1e-15);
    // {0, 0, 3}: mean 1, population variance (1+1+4)/3 = 2.
    double[] b = AdvantageMath.grpo(new double[] {0, 0, 3}, 3);
    double s = Math.sqrt(2) + AdvantageMath.GRPO_EPSILON;
    assertArrayEquals(new double[] {-1 / s, -1 / s, 2 / s}, b, 1e-15);
  }

  @Test
  void grpoOfEqualRewardsIsExactlyZeroNeverNaN() {
    for (double v : new double[] {0, 10.5, -3, 1e300, -1e-300}) {
      double[] a = AdvantageMath.grpo(new double[] {v, v, v, 7, 7}, 5);
      for (double x : a) {
        assertTrue(Double.isFinite(x), "finite for " + v);
      }
      double[] eq = AdvantageMath.grpo(new double[] {v, v, v}, 3);
      assertArrayEquals(new double[] {0, 0, 0}, eq, 0.0);
    }
  }

  @Test
  void groupBaselinesRejectOneSamplePerInputClearly() {
    for (String name : new String[] {"rloo", "grpo"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> (name.equals("rloo") ? (Runnable) () -> AdvantageMath.rloo(new double[] {1, 2}, 1)
              : (Runnable) () -> AdvantageMath.grpo(new double[] {1, 2}, 1)).run());
      assertTrue(e.getMessage().contains(name) && e.getMessage().contains(">= 2"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> AdvantageMath.rloo(new double[] {1, 2, 3}, 2));
  }

  @Test
  void movingAverageIsExponential() {
    assertEquals(11.0, AdvantageMath.movingAverage(10, 20, 0.9), 1e-12);
    assertEquals(20.0, AdvantageMath.movingAverage(10, 20, 0.0), 0.0);
  }

  @Test
  void broadcastFillsUnmaskedStepsOnly() {
    Rollout r = rollout(1, new int[] {2, 0, 3}, 3, null, null);
    double[][] a = AdvantageMath.broadcast(new double[] {5, 6, -1}, r);
    assertArrayEquals(new double[] {5, 5, 0}, a[0], 0.0);
    assertArrayEquals(new double[] {0, 0, 0}, a[1], 0.0);
    assertArrayEquals(new double[] {-1, -1, -1}, a[2], 0.0);
  }

  @Test
  void minusPerStepSubtractsEachStepsBaselineAndZeroesMaskedSteps() {
    double[][] v = {{1, 2, 99}, {0.5, 99, 99}};
    Rollout r = rollout(2, new int[] {2, 1}, 3, null, v);
    double[][] a = AdvantageMath.minusPerStep(new double[] {10, 4}, v, r);
    assertArrayEquals(new double[] {9, 8, 0}, a[0], 0.0);
    assertArrayEquals(new double[] {3.5, 0, 0}, a[1], 0.0);
  }

  @Test
  void perRowRepeatsEachInputKTimes() {
    assertArrayEquals(new double[] {1, 1, 1, 2, 2, 2}, AdvantageMath.perRow(new double[] {1, 2}, 3), 0.0);
  }
}
