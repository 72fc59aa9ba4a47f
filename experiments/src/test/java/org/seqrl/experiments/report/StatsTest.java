package org.seqrl.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void meanAndSampleStdMatchHandComputation() {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32, sample variance 32/7.
    double[] xs = {2, 4, 4, 4, 5, 5, 7, 9};
    assertEquals(5.0, Stats.mean(xs), 1e-12);
    assertEquals(Math.sqrt(32.0 / 7.0), Stats.sampleStd(xs), 1e-12);
    assertEquals(0.0, Stats.sampleStd(new double[] {3}), 0.0);
    assertTrue(Double.isNaN(Stats.mean(new double[0])));
  }
}
