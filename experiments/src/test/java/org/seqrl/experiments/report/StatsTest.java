package org.seqrl.experiments.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.seqrl.rl.MetricDirection;

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

  @Test
  void bootstrapIntervalOfTheMean() {
    // {0, 1}: resampled means are 0, 0.5, 1 with probability 1/4, 1/2, 1/4, so the 2.5 % and
    // 97.5 % points of 10,000 resamples are 0 and 1.
    assertArrayEquals(new double[] {0, 1}, Stats.bootstrapMeanInterval(new double[] {0, 1}, 0.95, 7), 0.0);
    assertArrayEquals(new double[] {3, 3}, Stats.bootstrapMeanInterval(new double[] {3, 3, 3}, 0.95, 7), 0.0);
    assertTrue(Double.isNaN(Stats.bootstrapMeanInterval(new double[] {3}, 0.95, 7)[0]));
    double[] xs = {0.2, 0.5, 0.3, 0.9, 0.4, 0.6};
    double[] ci = Stats.bootstrapMeanInterval(xs, 0.95, 7);
    assertTrue(ci[0] < Stats.mean(xs) && Stats.mean(xs) < ci[1], "contains the mean");
    assertTrue(ci[0] > 0.2 && ci[1] < 0.9, "strictly inside the range of 6 distinct values");
    assertArrayEquals(ci, Stats.bootstrapMeanInterval(xs, 0.95, 7), 0.0, "same seed, same interval");
    double[] narrow = Stats.bootstrapMeanInterval(xs, 0.5, 7);
    assertTrue(narrow[0] > ci[0] && narrow[1] < ci[1], "a lower level gives a narrower interval");
  }

  @Test
  void pairedTTestMatchesScipy() {
    // scipy.stats.ttest_1samp(d, 0).pvalue
    assertEquals(0.01323559956368269, Stats.pairedTTestP(new double[] {1, 2, 3, 4, 5}), 1e-9);
    assertEquals(1.1752060088232391e-05, Stats.pairedTTestP(new double[] {0.1, 0.12, 0.08, 0.11, 0.09, 0.1}), 1e-9);
    assertEquals(0.5528894339334172, Stats.pairedTTestP(new double[] {0.02, -0.01, 0.03, -0.02, 0.01}), 1e-9);
    assertEquals(1.0, Stats.pairedTTestP(new double[] {0, 0, 0}), 0.0);
    assertEquals(0.0, Stats.pairedTTestP(new double[] {0.1, 0.1, 0.1}), 0.0);
    assertTrue(Double.isNaN(Stats.pairedTTestP(new double[] {1})));
  }

  @Test
  void signFlipTestCountsSignPatterns() {
    // {1, 2, 3}: only all-plus and all-minus reach |sum| 6: 2 of 8.
    assertEquals(0.25, Stats.signFlipP(new double[] {1, 2, 3}, 1), 0.0);
    // five equal differences: the smallest p five seeds can give, 2/32
    assertEquals(0.0625, Stats.signFlipP(new double[] {1, 1, 1, 1, 1}, 1), 0.0);
    // {1, -1}: every pattern has |sum| >= 0
    assertEquals(1.0, Stats.signFlipP(new double[] {1, -1}, 1), 0.0);
    // {3, 1, 1}: |sum| 5 is reached by (+,+,+), (-,-,-): 2 of 8; (+,-,+) etc. give 3
    assertEquals(0.25, Stats.signFlipP(new double[] {3, 1, 1}, 1), 0.0);
    // past the exact limit, sampled: 25 equal differences, p ~ 2^-24, floored at 1/(draws + 1)
    double[] many = new double[25];
    java.util.Arrays.fill(many, 1);
    assertEquals(1.0 / 100_001, Stats.signFlipP(many, 1), 1e-12);
  }

  @Test
  void holmAdjustsStepDownAndKeepsOrder() {
    double[] adjusted = Stats.holm(new double[] {0.01, 0.04, 0.03, Double.NaN});
    // sorted 0.01, 0.03, 0.04 with m = 3: 0.03, 0.06, max(0.06, 0.04) = 0.06
    assertEquals(0.03, adjusted[0], 1e-12);
    assertEquals(0.06, adjusted[1], 1e-12);
    assertEquals(0.06, adjusted[2], 1e-12);
    assertTrue(Double.isNaN(adjusted[3]));
    assertEquals(1.0, Stats.holm(new double[] {0.6, 0.7})[0], 0.0, "capped at 1");
  }

  @Test
  void areaAndStepsToThreshold() {
    SortedMap<Long, Double> c = new TreeMap<>();
    c.put(0L, 0.0);
    c.put(10L, 1.0);
    c.put(20L, 1.0);
    // trapezoids 5 + 10 over a span of 20
    assertEquals(0.75, SeedComparison.normalisedArea(c), 1e-12);
    assertEquals(10.0, SeedComparison.stepsToThreshold(c, 0.9, MetricDirection.MAX).getAsDouble(), 0.0);
    assertEquals(10.0, SeedComparison.stepsToThreshold(c, 1.0, MetricDirection.MAX).getAsDouble(), 0.0);
    assertTrue(SeedComparison.stepsToThreshold(c, 1.1, MetricDirection.MAX).isEmpty());
    assertEquals(0.0, SeedComparison.stepsToThreshold(c, 0.5, MetricDirection.MIN).getAsDouble(), 0.0);
    SortedMap<Long, Double> one = new TreeMap<>();
    one.put(5L, 0.4);
    assertEquals(0.4, SeedComparison.normalisedArea(one), 0.0);
  }
}
