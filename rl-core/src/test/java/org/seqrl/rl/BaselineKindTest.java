package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BaselineKindTest {

  @Test
  void parsesConfigNamesLeniently() {
    for (BaselineKind k : BaselineKind.values()) {
      assertEquals(k, BaselineKind.parse(k.configName()));
      assertEquals(k, BaselineKind.parse(k.name()));
    }
    assertEquals(BaselineKind.STEP_VALUE, BaselineKind.parse(" Step_Value "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BaselineKind.parse("ppo"));
    assertTrue(e.getMessage().contains("'ppo'"), e.getMessage());
    assertTrue(e.getMessage().contains("none, moving-average, scst, value, step-value, scst-correction, rloo, grpo"),
        e.getMessage());
  }

  @Test
  void requirements() {
    assertEquals(new BaselineRequirements(false, 1, Set.of()), BaselineKind.NONE.create(0.9).requirements());
    assertEquals(new BaselineRequirements(false, 1, Set.of()), BaselineKind.MOVING_AVERAGE.create(0.9).requirements());
    assertEquals(new BaselineRequirements(true, 1, Set.of()), BaselineKind.SCST.create(0.9).requirements());
    assertEquals(new BaselineRequirements(false, 1, Set.of(CriticHead.SEQUENCE)), BaselineKind.VALUE.create(0.9).requirements());
    assertEquals(new BaselineRequirements(false, 1, Set.of(CriticHead.STEP)), BaselineKind.STEP_VALUE.create(0.9).requirements());
    assertEquals(new BaselineRequirements(true, 1, Set.of(CriticHead.STEP)),
        BaselineKind.SCST_CORRECTION.create(0.9).requirements());
    assertEquals(new BaselineRequirements(false, 2, Set.of()), BaselineKind.RLOO.create(0.9).requirements());
    assertEquals(new BaselineRequirements(false, 2, Set.of()), BaselineKind.GRPO.create(0.9).requirements());
  }

  @Test
  void statelessStrategiesGiveTheTableFormulas() {
    // 1 input, k = 2, lengths 1 and 2
    double[] seqV = {0.5, 0.5};
    double[][] stepV = {{0.25, 0}, {1, 2}};
    Rollout r = AdvantageMathTest.rollout(1, 2, 2, new int[] {1, 2}, seqV, stepV);
    double[] rewards = {1, 3};
    double[] greedy = {2};

    Advantages none = BaselineKind.NONE.create(0).advantages(r, rewards, null);
    assertArrayEquals(new double[][] {{1, 0}, {3, 3}}, none.perStep());
    assertNull(none.sequenceTargets());
    assertNull(none.stepTargets());

    assertArrayEquals(new double[][] {{-1, 0}, {1, 1}}, BaselineKind.SCST.create(0).advantages(r, rewards, greedy).perStep());
    assertArrayEquals(new double[][] {{-2, 0}, {2, 2}}, BaselineKind.RLOO.create(0).advantages(r, rewards, null).perStep());
    double g = 1 / (1 + AdvantageMath.GRPO_EPSILON);
    assertArrayEquals(new double[][] {{-g, 0}, {g, g}}, BaselineKind.GRPO.create(0).advantages(r, rewards, null).perStep());

    Advantages value = BaselineKind.VALUE.create(0).advantages(r, rewards, null);
    assertArrayEquals(new double[][] {{0.5, 0}, {2.5, 2.5}}, value.perStep());
    assertArrayEquals(new double[] {1, 3}, value.sequenceTargets());
    assertNull(value.stepTargets());

    Advantages step = BaselineKind.STEP_VALUE.create(0).advantages(r, rewards, null);
    assertArrayEquals(new double[][] {{0.75, 0}, {2, 1}}, step.perStep());
    assertArrayEquals(new double[][] {{1, 0}, {3, 3}}, step.stepTargets());
    assertNull(step.sequenceTargets());

    Advantages corr = BaselineKind.SCST_CORRECTION.create(0).advantages(r, rewards, greedy);
    // self-critical rewards -1 and 1, minus the per-step corrections
    assertArrayEquals(new double[][] {{-1.25, 0}, {0, -1}}, corr.perStep());
    assertArrayEquals(new double[][] {{-1, 0}, {1, 1}}, corr.stepTargets());
  }

  @Test
  void missingInputsAreClearErrors() {
    Rollout r = AdvantageMathTest.rollout(1, 2, 2, new int[] {1, 2}, null, null);
    double[] rewards = {1, 3};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BaselineKind.SCST.create(0).advantages(r, rewards, null));
    assertTrue(e.getMessage().contains("'scst'") && e.getMessage().contains("greedy"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> BaselineKind.VALUE.create(0).advantages(r, rewards, null));
    assertTrue(e.getMessage().contains("sequence critic head"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> BaselineKind.STEP_VALUE.create(0).advantages(r, rewards, null));
    assertTrue(e.getMessage().contains("per-step critic head"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> BaselineKind.SCST_CORRECTION.create(0).advantages(r, rewards, new double[] {0}));
    assertTrue(e.getMessage().contains("'scst-correction'"), e.getMessage());
    Rollout single = AdvantageMathTest.rollout(2, 1, 2, new int[] {1, 2}, null, null);
    e = assertThrows(IllegalArgumentException.class, () -> BaselineKind.RLOO.create(0).advantages(single, rewards, null));
    assertTrue(e.getMessage().contains("rl.samples >= 2"), e.getMessage());
  }

  @Test
  void movingAverageUsesThePastAverageAndInitialisesFromTheFirstBatch() {
    BaselineStrategy s = BaselineKind.MOVING_AVERAGE.create(0.5);
    Rollout r = AdvantageMathTest.rollout(2, 1, 1, new int[] {1, 1}, null, null);
    // first batch: mean 2 initialises the average, advantages centred
    assertArrayEquals(new double[][] {{-1}, {1}}, s.advantages(r, new double[] {1, 3}, null).perStep());
    assertEquals(2.0, s.state().get("moving_average"));
    // second batch: baseline is the old average 2; then average = 0.5*2 + 0.5*5 = 3.5
    assertArrayEquals(new double[][] {{2}, {4}}, s.advantages(r, new double[] {4, 6}, null).perStep());
    Map<String, Double> saved = s.state();
    assertEquals(Map.of("moving_average", 3.5, "moving_average_initialised", 1.0), saved);
    double[][] expected = s.advantages(r, new double[] {3, 3}, null).perStep();
    assertArrayEquals(new double[][] {{-0.5}, {-0.5}}, expected);

    BaselineStrategy resumed = BaselineKind.MOVING_AVERAGE.create(0.5);
    resumed.restore(saved);
    assertArrayEquals(expected, resumed.advantages(r, new double[] {3, 3}, null).perStep());
    assertEquals(s.state(), resumed.state());
    // a fresh (uninitialised) state restores as uninitialised: the next batch is centred again
    BaselineStrategy fresh = BaselineKind.MOVING_AVERAGE.create(0.5);
    fresh.restore(BaselineKind.MOVING_AVERAGE.create(0.5).state());
    assertArrayEquals(new double[][] {{-1}, {1}}, fresh.advantages(r, new double[] {1, 3}, null).perStep());
  }

  @Test
  void movingAverageRejectsBadDecay() {
    for (double d : new double[] {1.0, -0.1, Double.NaN}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BaselineKind.MOVING_AVERAGE.create(d));
      assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
    }
    assertTrue(BaselineKind.NONE.create(5).state().isEmpty());
  }
}
