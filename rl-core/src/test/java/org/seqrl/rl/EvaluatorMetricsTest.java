package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.seqrl.rl.testing.TabularPolicy;

/** Evaluation of a policy whose greedy outputs are fixed by hand, so every metric is known exactly. */
class EvaluatorMetricsTest {
  static final int A = Tokens.FIRST_REGULAR, B = A + 1, C = A + 2;
  static final int[][] SOURCES = {{A, B}, {B, C}};
  static final int[][][] REFERENCES = {{{A, B}}, {{C, C, C}, {B, C}}};

  /** Greedy: {A,B} -> [A] (one deletion from its reference), {B,C} -> [B, C] (exact). */
  static TabularPolicy policy() {
    TabularPolicy p = new TabularPolicy(3, Set.of(), 11);
    p.setLogits(SOURCES[0], new int[] {}, peak(p, A));
    p.setLogits(SOURCES[0], new int[] {A}, peak(p, Tokens.END));
    p.setLogits(SOURCES[1], new int[] {}, peak(p, B));
    p.setLogits(SOURCES[1], new int[] {B}, peak(p, C));
    p.setLogits(SOURCES[1], new int[] {B, C}, peak(p, Tokens.END));
    return p;
  }

  static double[] peak(TabularPolicy p, int token) {
    double[] z = new double[p.actions()];
    z[TabularPolicy.actionOf(token)] = 20;
    return z;
  }

  @Test
  void reportsEveryMetricExactlyForGreedyAndBeam() {
    try (TabularPolicy p = policy()) {
      Evaluator e = new Evaluator(p, List.of(new NamedMetric("reward", Rewards.levenshtein())), 4, 1, 2, 1);
      EvaluationEvent ev = e.evaluate(7, "dev", SOURCES, REFERENCES);
      assertEquals(7, ev.step());
      assertEquals("dev", ev.split());
      for (String prefix : new String[] {"eval/", "eval/beam/"}) {
        assertEquals(0.5, ev.metrics().get(prefix + "levenshtein"), 0.0, prefix);
        // one error over the closest references' 2 + 2 tokens
        assertEquals(0.25, ev.metrics().get(prefix + "levenshtein_rate"), 0.0, prefix);
        assertEquals(0.5, ev.metrics().get(prefix + "exact_match"), 0.0, prefix);
        assertEquals(-0.5, ev.metrics().get(prefix + "reward"), 0.0, prefix);
        double bleu = ev.metrics().get(prefix + "bleu");
        assertTrue(bleu > 0 && bleu < 1, prefix + "bleu = " + bleu);
      }
      assertEquals(1, ev.samples().size());
      assertArrayEquals(new int[] {A}, ev.samples().get(0).greedy());
      assertEquals(-1.0, ev.samples().get(0).greedyReward(), 0.0);
    }
  }

  @Test
  void greedyOnlyWhenBeamWidthIsOneAndBatchingDoesNotChangeResults() {
    try (TabularPolicy p = policy()) {
      EvaluationEvent one = new Evaluator(p, List.of(), 4, 1, 1, 0).evaluate(0, "dev", SOURCES, REFERENCES);
      EvaluationEvent two = new Evaluator(p, List.of(), 4, 64, 1, 0).evaluate(0, "dev", SOURCES, REFERENCES);
      assertEquals(Set.of("eval/bleu", "eval/levenshtein", "eval/levenshtein_rate", "eval/exact_match", "eval/per",
          "eval/wer", "eval/symbol_error"),
          one.metrics().keySet());
      assertEquals(one.metrics(), two.metrics());
      assertTrue(one.samples().isEmpty());
    }
  }

  @Test
  void emptySplitGivesFiniteMetrics() {
    try (TabularPolicy p = policy()) {
      EvaluationEvent ev = new Evaluator(p, List.of(), 4, 8, 1, 3).evaluate(0, "dev", new int[0][], new int[0][][]);
      ev.metrics().forEach((k, v) -> assertTrue(Double.isFinite(v), k + " = " + v));
    }
  }

  @Test
  void anExtraMetricMayNotTakeAStandardName() {
    try (TabularPolicy p = policy()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new Evaluator(p, List.of(new NamedMetric("levenshtein", Rewards.levenshtein())), 4, 8, 1, 0));
      assertTrue(e.getMessage().contains("'levenshtein'"), e.getMessage());
    }
  }

  @Test
  void closestReferencePrefersTheSmallestDistanceThenTheLongest() {
    assertArrayEquals(new int[] {B, C}, Evaluator.closestReference(new int[] {B, C}, new int[][] {{C, C, C}, {B, C}}));
    assertArrayEquals(new int[] {A, B}, Evaluator.closestReference(new int[] {A}, new int[][] {{B}, {A, B}}));
    assertArrayEquals(new int[] {}, Evaluator.closestReference(new int[] {A}, new int[][] {}));
  }
}
