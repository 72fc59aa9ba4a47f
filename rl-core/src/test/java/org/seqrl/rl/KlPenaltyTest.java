package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The KL estimate, the adaptive controller (TRL's AdaptiveKLController) and the return-to-go credit. */
class KlPenaltyTest {

  @Test
  void perTokenEstimateIsLogRatioOnSampledTokens() {
    int[][] tokens = {{4, 5, Tokens.END}, {Tokens.END, 0, 0}};
    double[][] lp = {{-0.5, -1.0, -0.2}, {-0.1, 0, 0}};
    double[][] ref = {{-0.7, -0.4, -0.2}, {-2.1, -9, -9}};
    Rollout ro = new Rollout(new int[][] {{4}, {5}}, 1, tokens, new int[] {3, 1}, lp, new double[2][3], null, null, null);
    double[][] perToken = new double[2][3];
    double[] perRow = new double[2];
    KlPenalty.estimate(ro, ref, perToken, perRow);
    assertArrayEquals(new double[] {0.2, -0.6, 0.0}, perToken[0], 1e-12);
    assertArrayEquals(new double[] {2.0, 0.0, 0.0}, perToken[1], 1e-12, "masked steps count 0");
    assertArrayEquals(new double[] {-0.4, 2.0}, perRow, 1e-12);
  }

  @Test
  void adaptiveControllerFollowsTrl() {
    KlPenalty kl = new KlPenalty(0.1, 6, 10000);
    // KL 8 over target 6: error clipped to 0.2; beta *= 1 + 0.2 * 256 / 10000
    assertEquals(0.1 * 1.00512, kl.nextCoefficient(0.1, 8, 256), 1e-15);
    // KL 5: error -1/6
    assertEquals(0.1 * (1 - (1.0 / 6) * 256 / 10000), kl.nextCoefficient(0.1, 5, 256), 1e-15);
    // far below: clipped to -0.2
    assertEquals(0.1 * (1 - 0.2 * 100 / 10000), kl.nextCoefficient(0.1, 0, 100), 1e-15);
    // a fixed coefficient never moves
    assertEquals(0.3, new KlPenalty(0.3, 0, 10000).nextCoefficient(0.3, 50, 256));
    assertThrows(IllegalArgumentException.class, () -> new KlPenalty(-1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new KlPenalty(0.1, 1, 0));
  }

  @Test
  void tokenReturnsKeepOnlyTheKlFromThemOn() {
    double[][] perStep = {{1.0, 1.0, 1.0}, {2.0, 0, 0}};
    double[][] stepTargets = {{0.5, 0.5, 0.5}, {0, 0, 0}};
    Advantages a = new Advantages(perStep, null, stepTargets);
    double[][] kl = {{0.2, -0.6, 0.3}, {0.4, 0, 0}};
    Trainer.addKlBefore(a, kl, 0.5, new int[] {3, 1});
    assertArrayEquals(new double[] {1.0, 1.1, 0.8}, perStep[0], 1e-12);
    assertArrayEquals(new double[] {2.0, 0, 0}, perStep[1], 1e-12);
    assertArrayEquals(new double[] {0.5, 0.6, 0.3}, stepTargets[0], 1e-12);
    assertArrayEquals(new double[] {4.8, 1.0}, Trainer.penalised(new double[] {5, 1}, 0.5, new double[] {0.4, 0}), 1e-12);
  }

  @Test
  void mleWeightAnnealsLinearly() {
    MleMixing m = new MleMixing(0.9, 0.1, 40);
    assertEquals(0.9, m.weight(0), 1e-12);
    assertEquals(0.5, m.weight(20), 1e-12);
    assertEquals(0.3, m.weight(30), 1e-12);
    assertEquals(0.1, m.weight(40), 1e-12);
    assertEquals(0.1, m.weight(1000), 1e-12);
    assertEquals(0.25, new MleMixing(0.9, 0.25, 0).weight(0), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> new MleMixing(1.5, 0, 1));
  }
}
