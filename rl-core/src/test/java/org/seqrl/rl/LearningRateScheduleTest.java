package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.seqrl.rl.LearningRateSchedule.Shape;
import org.seqrl.rl.testing.TabularPolicy;

class LearningRateScheduleTest {

  @Test
  void constantWarmsUpLinearlyThenStays() {
    LearningRateSchedule s = new LearningRateSchedule(Shape.CONSTANT, 4, 100);
    assertEquals(List.of(0.25, 0.5, 0.75, 1.0, 1.0, 1.0), factors(s, 6));
    assertEquals(1.0, LearningRateSchedule.CONSTANT.factor(12345));
  }

  @Test
  void linearDecaysToZeroAtTheEndOfThePhase() {
    // total 10, no warm-up: (10 - t) / 10
    LearningRateSchedule s = new LearningRateSchedule(Shape.LINEAR, 0, 10);
    assertClose(List.of(1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.0), factors(s, 12), 1e-15);
    // warm-up 2 of total 6: 0.5, 1, then (6 - t) / 4
    assertClose(List.of(0.5, 1.0, 1.0, 0.75, 0.5, 0.25), factors(new LearningRateSchedule(Shape.LINEAR, 2, 6), 6), 1e-15);
  }

  @Test
  void cosineFollowsHalfACosine() {
    LearningRateSchedule s = new LearningRateSchedule(Shape.COSINE, 2, 10);
    assertEquals(0.5, s.factor(0), 1e-15);
    assertEquals(1.0, s.factor(2), 1e-15);
    assertEquals(0.5, s.factor(6), 1e-15); // halfway through the 8 decay steps
    assertEquals(0.5 * (1 + Math.cos(Math.PI * 7 / 8)), s.factor(9), 1e-15);
    assertEquals(0.0, s.factor(10), 1e-15);
    assertEquals(0.0, s.factor(50), 1e-15);
  }

  @Test
  void badSettingsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(Shape.LINEAR, -1, 10));
    assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(null, 0, 10));
  }

  @Test
  void theTrainerStepsAtTheScheduledRateAndLogsIt() {
    TabularPolicy p = new TabularPolicy(3, Set.of(), 11);
    TrainerSettings settings = new TrainerSettings(1, 1.0, 3, 0.0, 0.0, new OptimizerSettings(0.5, 5.0),
        new OptimizerSettings(0.2, 5.0), new LearningRateSchedule(Shape.LINEAR, 0, 4),
        new LearningRateSchedule(Shape.CONSTANT, 2, 3));
    TrainerTest.Recorder rec = new TrainerTest.Recorder();
    Trainer t = new Trainer(p, Rewards.levenshtein(), BaselineKind.NONE.create(0), settings, List.of(rec));
    int[][] src = {TrainerTest.SOURCES[0]};
    for (int i = 0; i < 3; i++) {
      t.mleStep(src, new int[][] {TrainerTest.REFS[0][0]});
    }
    for (int i = 0; i < 4; i++) {
      t.rlStep(src, new int[][][] {TrainerTest.REFS[0]});
    }
    List<Double> lr = rec.steps.stream()
        .map(e -> e.metrics().getOrDefault("pretrain/lr", e.metrics().get("rl/lr"))).toList();
    // MLE: warm-up 0.1, 0.2, then 0.2; RL: 0.5 * (4 - t) / 4
    assertClose(List.of(0.1, 0.2, 0.2, 0.5, 0.375, 0.25, 0.125), lr, 1e-15);
    assertClose(List.of(0.1, 0.2, 0.2, 0.5, 0.375, 0.25, 0.125), p.learningRatesSeen(), 1e-15);
    // The phase counters survive a checkpoint, so a resumed run continues the schedule.
    Trainer resumed = new Trainer(p, Rewards.levenshtein(), BaselineKind.NONE.create(0), settings, List.of());
    resumed.restore(t.state());
    assertEquals(t.state(), resumed.state());
  }

  private static List<Double> factors(LearningRateSchedule s, int n) {
    return java.util.stream.LongStream.range(0, n).mapToObj(s::factor).toList();
  }

  private static void assertClose(List<Double> expected, List<Double> actual, double tolerance) {
    org.junit.jupiter.api.Assertions.assertEquals(expected.size(), actual.size(), actual.toString());
    for (int i = 0; i < expected.size(); i++) {
      org.junit.jupiter.api.Assertions.assertEquals(expected.get(i), actual.get(i), tolerance, "at " + i + ": " + actual);
    }
  }
}
