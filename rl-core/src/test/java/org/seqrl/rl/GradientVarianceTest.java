package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The gradient-noise statistics on hand-made gradients, and the diagnostics' settings. */
class GradientVarianceTest {

  @Test
  void threeEstimatesByHand() {
    // mean (2, 1); deviations (-1, 1), (1, -1), (0, 0): squared 2 + 2 + 0 = 4; / (K - 1) = 2
    GradientVariance v = GradientVariance.of(new double[][] {{1, 2}, {3, 0}, {2, 1}});
    assertEquals(2.0, v.variance(), 1e-15);
    assertEquals(5.0 / 2.0, v.snr(), 1e-15); // ‖(2, 1)‖² = 5
    assertEquals(Math.sqrt(5), v.meanNorm(), 1e-15);
    assertEquals(3, v.estimates());
  }

  @Test
  void twoEstimatesByHand() {
    // mean (1, 0, -0.5); deviations ±(1, 0, 0.5): squared 1.25 twice; / 1 = 2.5; ‖mean‖² = 1.25
    GradientVariance v = GradientVariance.of(new double[][] {{0, 0, -1}, {2, 0, 0}});
    assertEquals(2.5, v.variance(), 1e-15);
    assertEquals(0.5, v.snr(), 1e-15);
    assertEquals(Math.sqrt(1.25), v.meanNorm(), 1e-15);
  }

  @Test
  void varianceIsTheTraceOfTheSampleCovariance() {
    // per-parameter unbiased sample variances summed: param 0 {1, 4, 7, 0} and param 1 {2, 2, 2, 2}
    double[] p0 = {1, 4, 7, 0};
    double mean = 3;
    double ss = 0;
    for (double x : p0) {
      ss += (x - mean) * (x - mean);
    }
    GradientVariance v = GradientVariance.of(new double[][] {{1, 2}, {4, 2}, {7, 2}, {0, 2}});
    assertEquals(ss / 3, v.variance(), 1e-12);
    assertEquals((9 + 4) / (ss / 3), v.snr(), 1e-12);
  }

  @Test
  void equalEstimatesHaveNoVarianceAndNoSnr() {
    GradientVariance v = GradientVariance.of(new double[][] {{1, -1}, {1, -1}, {1, -1}});
    assertEquals(0.0, v.variance());
    assertTrue(Double.isNaN(v.snr()));
    assertEquals(Math.sqrt(2), v.meanNorm(), 1e-15);
  }

  @Test
  void refusesTooFewOrUnequalEstimates() {
    assertThrows(IllegalArgumentException.class, () -> GradientVariance.of(new double[][] {{1, 2}}));
    assertThrows(IllegalArgumentException.class, () -> GradientVariance.of(new double[][] {{1, 2}, {1}}));
  }

  @Test
  void settingsValidateAndScheduleFromRlStepZero() {
    assertThrows(IllegalArgumentException.class, () -> new GradientDiagnostics(-1, 4, 0));
    assertThrows(IllegalArgumentException.class, () -> new GradientDiagnostics(5, 1, 0));
    assertFalse(GradientDiagnostics.OFF.enabled());
    assertFalse(GradientDiagnostics.OFF.due(0));
    GradientDiagnostics d = new GradientDiagnostics(5, 2, 9);
    assertTrue(d.due(0));
    assertFalse(d.due(4));
    assertTrue(d.due(10));
  }

  @Test
  void sampleSeedsDifferAcrossStepsEstimatesAndRunSeeds() {
    GradientDiagnostics a = new GradientDiagnostics(1, 4, 1);
    Set<Long> seen = new HashSet<>();
    for (long step = 0; step < 50; step++) {
      for (int k = 0; k < 4; k++) {
        assertTrue(seen.add(a.sampleSeed(step, k)), "seed repeated at step " + step + " estimate " + k);
      }
    }
    assertEquals(a.sampleSeed(3, 1), new GradientDiagnostics(7, 2, 1).sampleSeed(3, 1));
    assertNotEquals(a.sampleSeed(3, 1), new GradientDiagnostics(1, 4, 2).sampleSeed(3, 1));
  }

  /** A policy that cannot give a gradient without a step is refused at the first measurement, naming the key. */
  @Test
  void aPolicyWithoutGradientsIsRefusedNamingTheKey() {
    int[][] sources = LearningTest.sources();
    TrainerSettings settings = new TrainerSettings(2, 1.0, 3, 0, 0, new OptimizerSettings(0.5, 5.0),
        new OptimizerSettings(0.3, 5.0)).with(new GradientDiagnostics(1, 2, 3));
    Trainer t = new Trainer(new org.seqrl.rl.testing.TabularPolicy(3, Set.of(), 1), Rewards.levenshtein(),
        BaselineKind.NONE.create(0), settings, java.util.List.of());
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> t.rlStep(sources, LearningTest.references(sources)));
    assertTrue(e.getMessage().contains("diag.every"), e.getMessage());
    assertEquals(0, t.step());
    Trainer off = new Trainer(new org.seqrl.rl.testing.TabularPolicy(3, Set.of(), 1), Rewards.levenshtein(),
        BaselineKind.NONE.create(0), settings.with(GradientDiagnostics.OFF), java.util.List.of());
    assertEquals(1, off.rlStep(sources, LearningTest.references(sources)).step());
    assertThrows(IllegalArgumentException.class, () -> settings.with((GradientDiagnostics) null));
  }
}
