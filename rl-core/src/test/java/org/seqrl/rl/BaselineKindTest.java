package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each strategy's advantages and critic targets, exactly as DESIGN.md's table writes them. */
class BaselineKindTest {

  @Test
  void parsesConfigNamesAndListsThemOnError() {
    assertEquals(BaselineKind.SCST, BaselineKind.parse("scst"));
    assertEquals(BaselineKind.STEP_VALUE, BaselineKind.parse(" Step_Value "));
    assertEquals(BaselineKind.SCST_CORRECTION, BaselineKind.parse("scst-correction"));
    for (BaselineKind k : BaselineKind.values()) {
      assertEquals(k, BaselineKind.parse(k.configName()));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BaselineKind.parse("scts"));
    assertTrue(e.getMessage().contains("'scts'"), e.getMessage());
    assertTrue(e.getMessage().contains("none, moving-average, scst, value, step-value, scst-correction, rloo, grpo"),
        e.getMessage());
  }

  @Test
  void requirementsMatchTheTable() {
    assertEquals(new BaselineRequirements(false, 1, Set.of()), BaselineKind.NONE.create(0.9).requirements());
    assertEquals(new BaselineRequirements(false, 1, Set.of()), BaselineKind.MOVING_AVERAGE.create(0.9).requirements());
    assertEquals(new BaselineRequirements(true, 1, Set.of()), BaselineKind.SCST.create(0.9).requirements());
    assertEquals(new BaselineRequirements(false, 1, Set.of(CriticHead.SEQUENCE)), BaselineKind.VALUE.create(0.9).requirements());
    assertEquals(new BaselineRequirements(false, 1, Set.of(CriticHead.STEP)), BaselineKind.STEP_VALUE.create(0.9).requirements());
    assertEquals(new BaselineRequirements(true, 1, Set.of(CriticHead.STEP)), BaselineKind.SCST_CORRECTION.create(0.9).requirements());
    assertEquals(new BaselineRequirements(false, 2, Set.of()), BaselineKind.RLOO.create(0.9).requirements());
    assertEquals(new BaselineRequirements(false, 2, Set.of()), BaselineKind.GRPO.create(0.9).requirements());
  }

  @Test
  void noneUsesTheRewardAtEveryUnmaskedStep() {
    Rollout r = AdvantageMathTest.rollout(1, new int[] {2, 1}, 3, null, null);
    Advantages a = BaselineKind.NONE.create(0).advantages(r, new double[] {4, -1}, null);
    assertArrayEquals(new double[][] {{4, 4, 0}, {-1, 0, 0}}, a.perStep());
    assertNull(a.sequenceTargets());
    assertNull(a.stepTargets());
  }

  @Test
  void valueSubtractsVofXAndTargetsTheReward() {
    Rollout r = AdvantageMathTest.rollout(2, new int[] {2, 1, 1, 3}, 3, new double[] {1, 1, 0.5, 0.5}, null);
    Advantages a = BaselineKind.VALUE.create(0).advantages(r, new double[] {3, 0, 2, 1}, null);
    assertArrayEquals(new double[][] {{2, 2, 0}, {-1, 0, 0}, {1.5, 0, 0}, {0.5, 0.5, 0.5}}, a.perStep());
    assertArrayEquals(new double[] {3, 0, 2, 1}, a.sequenceTargets(), 0.0);
    assertNull(a.stepTargets());
  }

  @Test
  void stepValueSubtractsVofEachStateAndTargetsTheRewardAtUnmaskedSteps() {
    double[][] v = {{1, 2, 7}, {0.25, 7, 7}};
    Rollout r = AdvantageMathTest.rollout(1, new int[] {2, 1}, 3, null, v);
    Advantages a = BaselineKind.STEP_VALUE.create(0).advantages(r, new double[] {3, 1}, null);
    assertArrayEquals(new double[][] {{2, 1, 0}, {0.75, 0, 0}}, a.perStep());
    assertArrayEquals(new double[][] {{3, 3, 0}, {1, 0, 0}}, a.stepTargets());
    assertNull(a.sequenceTargets());
  }

  @Test
  void scstCorrectionSubtractsGreedyAndCorrectionAndTargetsTheSelfCriticalAdvantage() {
    double[][] c = {{0.5, 1, 9}, {-1, 9, 9}};
    Rollout r = AdvantageMathTest.rollout(2, new int[] {2, 1}, 3, null, c);
    Advantages a = BaselineKind.SCST_CORRECTION.create(0).advantages(r, new double[] {3, 1}, new double[] {2});
    // R - R(greedy) = {1, -1}
    assertArrayEquals(new double[][] {{0.5, 0, 0}, {0, 0, 0}}, a.perStep());
    assertArrayEquals(new double[][] {{1, 1, 0}, {-1, 0, 0}}, a.stepTargets());
  }

  @Test
  void scstNeedsGreedyRewardsAndCriticBaselinesNeedTheirHeads() {
    Rollout r = AdvantageMathTest.rollout(1, new int[] {1}, 2, null, null);
    IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
        () -> BaselineKind.SCST.create(0).advantages(r, new double[] {1}, null));
    assertTrue(g.getMessage().contains("greedy"), g.getMessage());
    IllegalArgumentException v = assertThrows(IllegalArgumentException.class,
        () -> BaselineKind.VALUE.create(0).advantages(r, new double[] {1}, null));
    assertTrue(v.getMessage().contains("value") && v.getMessage().contains("sequence"), v.getMessage());
    IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
        () -> BaselineKind.STEP_VALUE.create(0).advantages(r, new double[] {1}, null));
    assertTrue(s.getMessage().contains("per-step"), s.getMessage());
  }

  @Test
  void groupBaselinesOnOneSamplePerInputFailClearly() {
    Rollout r = AdvantageMathTest.rollout(1, new int[] {1, 1}, 2, null, null);
    for (BaselineKind k : new BaselineKind[] {BaselineKind.RLOO, BaselineKind.GRPO}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> k.create(0).advantages(r, new double[] {1, 2}, null));
      assertTrue(e.getMessage().contains(k.configName()), e.getMessage());
    }
  }

  @Test
  void emptySequencesGetNoAdvantage() {
    Rollout r = AdvantageMathTest.rollout(2, new int[] {0, 0}, 0, null, null);
    for (BaselineKind k : new BaselineKind[] {BaselineKind.NONE, BaselineKind.RLOO, BaselineKind.GRPO}) {
      Advantages a = k.create(0.5).advantages(r, new double[] {1, 1}, null);
      assertEquals(2, a.perStep().length);
      assertEquals(0, a.perStep()[0].length);
    }
  }

  @Test
  void movingAverageCentresTheFirstBatchThenLagsOneBatch() {
    BaselineStrategy b = BaselineKind.MOVING_AVERAGE.create(0.5);
    Rollout r = AdvantageMathTest.rollout(1, new int[] {1, 1}, 1, null, null);
    // batch 1: mean 2, average := 2 -> A = {-1, 1}; then average = 0.5*2 + 0.5*2 = 2
    assertArrayEquals(new double[][] {{-1}, {1}}, b.advantages(r, new double[] {1, 3}, null).perStep());
    // batch 2: baseline 2 -> A = {8, 10}; then average = 0.5*2 + 0.5*11 = 6.5
    assertArrayEquals(new double[][] {{8}, {10}}, b.advantages(r, new double[] {10, 12}, null).perStep());
    assertEquals(6.5, b.state().get("moving_average"), 0.0);
  }

  @Test
  void movingAverageStateRestoresExactly() {
    BaselineStrategy a = BaselineKind.MOVING_AVERAGE.create(0.9);
    Rollout r = AdvantageMathTest.rollout(1, new int[] {1, 1}, 1, null, null);
    a.advantages(r, new double[] {1, 3}, null);
    a.advantages(r, new double[] {5, 4}, null);
    Map<String, Double> saved = a.state();
    BaselineStrategy b = BaselineKind.MOVING_AVERAGE.create(0.9);
    b.restore(saved);
    double[] next = {7, 0.25};
    assertArrayEquals(a.advantages(r, next, null).perStep(), b.advantages(r, next, null).perStep());
    assertEquals(a.state(), b.state());
  }

  @Test
  void movingAverageRejectsDecayOutsideUnitInterval() {
    assertThrows(IllegalArgumentException.class, () -> BaselineKind.MOVING_AVERAGE.create(1.0));
    assertThrows(IllegalArgumentException.class, () -> BaselineKind.MOVING_AVERAGE.create(-0.1));
    assertThrows(IllegalArgumentException.class, () -> BaselineKind.MOVING_AVERAGE.create(Double.NaN));
  }
}
