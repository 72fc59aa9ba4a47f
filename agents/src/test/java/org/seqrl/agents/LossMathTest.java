package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LossMathTest {
  @Test
  void logSoftmaxExcludesPadAndStart() {
    double[] out = new double[6];
    LossMath.logSoftmax(new double[] {100, 100, 0, 0, 0, 0}, 1.0, out);
    assertEquals(Double.NEGATIVE_INFINITY, out[0]);
    assertEquals(Double.NEGATIVE_INFINITY, out[1]);
    for (int k = 2; k < 6; k++) {
      assertEquals(-Math.log(4), out[k], 1e-12);
    }
    assertEquals(Math.log(4), LossMath.entropy(out), 1e-12);
  }

  @Test
  void temperatureDividesLogits() {
    double[] out = new double[5];
    LossMath.logSoftmax(new double[] {0, 0, 2, 0, 4}, 2.0, out);
    double z = Math.exp(1) + 1 + Math.exp(2);
    assertEquals(1 - Math.log(z), out[2], 1e-12);
    assertEquals(-Math.log(z), out[3], 1e-12);
    assertEquals(2 - Math.log(z), out[4], 1e-12);
  }

  @Test
  void weightedNllGradientIsProbabilityMinusOneHotTimesWeight() {
    double[][] logits = {{0, 0, Math.log(1), Math.log(3)}};
    double[][] grad = new double[1][4];
    double[] parts = LossMath.weightedNllWithEntropy(logits, new int[] {3}, new double[] {2.0}, new double[] {0}, grad);
    assertEquals(-2 * Math.log(0.75), parts[0], 1e-12);
    assertArrayEquals(new double[] {0, 0, 2 * 0.25, 2 * (0.75 - 1)}, grad[0], 1e-12);
  }

  @Test
  void entropyGradientMatchesFiniteDifference() {
    double[] z = {0, 0, 0.3, -0.2, 1.1};
    double[][] g = new double[1][5];
    double e = 0.5;
    LossMath.weightedNllWithEntropy(new double[][] {z}, new int[] {2}, new double[] {0.7}, new double[] {e}, g);
    for (int k = 2; k < 5; k++) {
      double[] up = z.clone();
      double[] dn = z.clone();
      up[k] += 1e-6;
      dn[k] -= 1e-6;
      double[][] tmp = new double[1][5];
      double[] pu = LossMath.weightedNllWithEntropy(new double[][] {up}, new int[] {2}, new double[] {0.7}, new double[] {e}, tmp);
      double[] pd = LossMath.weightedNllWithEntropy(new double[][] {dn}, new int[] {2}, new double[] {0.7}, new double[] {e}, tmp);
      double numeric = ((pu[0] - pu[1]) - (pd[0] - pd[1])) / 2e-6;
      assertEquals(numeric, g[0][k], 1e-7);
    }
  }

  @Test
  void squaredErrorAndGradient() {
    double[] g = new double[2];
    double loss = LossMath.squaredError(new double[] {1, 3}, new double[] {0, 1}, new double[] {0.5, 0.5}, g);
    assertEquals(0.5 * 1 + 0.5 * 4, loss, 1e-12);
    assertArrayEquals(new double[] {1, 2}, g, 1e-12);
  }
}
