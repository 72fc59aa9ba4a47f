package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The rational tanh against float64 tanh, and the properties the backward passes rely on. */
class ActivationsTest {
  @Test
  void tanhIsWithinFourUlpOfOneEverywhere() {
    double worst = 0;
    for (int i = -2_000_000; i <= 2_000_000; i++) {
      float x = i * 6e-6f;
      worst = Math.max(worst, Math.abs(Activations.tanh(x) - Math.tanh(x)));
    }
    for (float x : new float[] {-1e30f, -100f, -9.5f, 9.5f, 100f, 1e30f, Float.MAX_VALUE, -Float.MAX_VALUE}) {
      worst = Math.max(worst, Math.abs(Activations.tanh(x) - Math.tanh(x)));
    }
    assertTrue(worst < 4 * Math.ulp(1f), "largest absolute error " + worst);
  }

  /** Odd and within [-1, 1], so 1 - tanh^2 (the backward passes' derivative) is never negative. */
  @Test
  void tanhIsOddAndBounded() {
    for (int i = -1_200_000; i <= 1_200_000; i++) {
      float x = i * 1e-5f;
      float y = Activations.tanh(x);
      assertEquals(-y, Activations.tanh(-x));
      assertTrue(y >= -1f && y <= 1f, "tanh(" + x + ") = " + y);
    }
    assertEquals(0f, Activations.tanh(0f));
    assertEquals(1f, Activations.tanh(50f), 2 * Math.ulp(1f));
  }

  @Test
  void sigmoidMatchesItsDefinition() {
    for (int i = -3000; i <= 3000; i++) {
      float x = i * 0.01f;
      double want = 1 / (1 + Math.exp(-x));
      assertEquals(want, Activations.sigmoid(x), 4 * Math.ulp(1f), "sigmoid(" + x + ")");
    }
  }

  @Test
  void tanhWithBiasAddsTheRowBiasFirst() {
    float[] a = {0.1f, 0.2f, 0.3f, 0.4f};
    Activations.tanhWithBias(a, 0, 2, 2, new float[] {1f, -1f});
    assertEquals(Activations.tanh(1.1f), a[0]);
    assertEquals(Activations.tanh(-0.8f), a[1]);
    assertEquals(Activations.tanh(1.3f), a[2]);
    assertEquals(Activations.tanh(-0.6f), a[3]);
  }
}
