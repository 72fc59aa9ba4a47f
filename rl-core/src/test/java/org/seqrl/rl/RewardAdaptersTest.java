package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seqrl.metrics.NltkSmoothing;

/** The reward adapters on token ids, their weighted sum and the finiteness check. */
class RewardAdaptersTest {
  static final int A = 4, B = 5, C = 6, D = 7;

  @Test
  void levenshteinIsMinusTheSmallestDistanceToAnyReference() {
    Reward r = Rewards.levenshtein();
    assertEquals("levenshtein", r.name());
    assertEquals(-1.0, r.score(new int[] {A, B}, new int[][] {{A, B, C}, {C, C, C, C}}), 0.0);
    assertEquals(0.0, r.score(new int[] {A}, new int[][] {{B}, {A}}), 0.0);
    assertEquals(-2.0, r.score(new int[] {}, new int[][] {{A, B, C}, {A, B}}), 0.0);
    assertEquals(0.0, r.score(new int[] {}, new int[][] {{}}), 0.0);
  }

  @Test
  void normalizedLevenshteinIsAtMostZeroAndZeroWhenPerfect() {
    Reward r = Rewards.levenshteinNormalized();
    assertEquals(0.0, r.score(new int[] {A, B}, new int[][] {{A, B}}), 0.0);
    assertEquals(-0.5, r.score(new int[] {A, C}, new int[][] {{A, B}}), 1e-12);
    assertTrue(Double.isFinite(r.score(new int[] {}, new int[][] {{}})));
  }

  @Test
  void exactMatchAndBleuOnIds() {
    assertEquals(1.0, Rewards.exactMatch().score(new int[] {A, B}, new int[][] {{C}, {A, B}}), 0.0);
    assertEquals(0.0, Rewards.exactMatch().score(new int[] {A}, new int[][] {{A, B}}), 0.0);
    Reward bleu = Rewards.bleu(NltkSmoothing.METHOD1);
    assertEquals(1.0, bleu.score(new int[] {A, B, C, D, A}, new int[][] {{A, B, C, D, A}}), 1e-12);
    double empty = bleu.score(new int[] {}, new int[][] {{A, B}});
    assertTrue(Double.isFinite(empty) && empty == 0.0, "empty hypothesis: " + empty);
  }

  @Test
  void chrfDetokenisesAtCharacterOrWordLevel() {
    java.util.function.IntFunction<String> text = id -> String.valueOf((char) ('a' + id - Tokens.FIRST_REGULAR));
    Reward ch = Rewards.chrf(text, true);
    assertEquals(100.0, ch.score(new int[] {A, B, C}, new int[][] {{A, B, C}}), 1e-9);
    double partial = ch.score(new int[] {A, B, D}, new int[][] {{A, B, C}});
    assertTrue(partial > 0 && partial < 100, "partial: " + partial);
    assertTrue(Double.isFinite(ch.score(new int[] {}, new int[][] {{A}})));
    assertEquals(100.0, Rewards.chrf(text, false).score(new int[] {A, B}, new int[][] {{A, B}}), 1e-9);
  }

  @Test
  void weightedSumAddsAndReportsEachComponent() {
    Map<Reward, Double> w = new LinkedHashMap<>();
    w.put(Rewards.levenshtein(), 0.5);
    w.put(Rewards.exactMatch(), 2.0);
    Reward sum = Rewards.weightedSum(w);
    int[] h = {A, B};
    int[][] refs = {{A, B, C}};
    assertEquals(0.5 * -1 + 2.0 * 0, sum.score(h, refs), 0.0);
    assertEquals(Map.of("levenshtein", -1.0, "exact-match", 0.0), sum.components(h, refs));
    assertEquals(2.0, sum.score(new int[] {A}, new int[][] {{A}}), 0.0);
    assertThrows(IllegalArgumentException.class, () -> Rewards.weightedSum(Map.of()));
  }

  @Test
  void weightedSumRejectsTwoPartsOfOneNameAndNonFiniteWeights() {
    Map<Reward, Double> w = new LinkedHashMap<>();
    w.put(Rewards.levenshtein(), 1.0);
    w.put(Rewards.levenshtein(), 2.0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rewards.weightedSum(w));
    assertTrue(e.getMessage().contains("'levenshtein'"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Rewards.weightedSum(Map.of(Rewards.exactMatch(), Double.NaN)));
  }

  @Test
  void nonFiniteRewardNamesTheRewardAndTheRow() {
    Reward bad = Rewards.named("broken", (h, r) -> h.length == 1 ? Double.NaN : 1.0);
    Rollout rollout = new Rollout(new int[][] {{A}}, 2,
        new int[][] {{A, B, Tokens.END}, {C, Tokens.END, Tokens.PAD}}, new int[] {3, 2},
        new double[2][3], new double[2][3], null, null, null);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Rewards.scoreRows(bad, rollout, new int[][][] {{{A}}}));
    assertTrue(e.getMessage().contains("'broken'") && e.getMessage().contains("row 1") && e.getMessage().contains("NaN"),
        e.getMessage());
    Reward inf = Rewards.named("inf", (h, r) -> Double.NEGATIVE_INFINITY);
    assertThrows(IllegalStateException.class, () -> Rewards.scoreRows(inf, rollout, new int[][][] {{{A}}}));
  }

  @Test
  void scoreRowsUsesTheHypothesisBeforeTheEndTokenAndTheRowsInput() {
    Rollout rollout = new Rollout(new int[][] {{A}, {B}}, 1,
        new int[][] {{A, Tokens.END, Tokens.PAD}, {B, C, Tokens.END}}, new int[] {2, 3},
        new double[2][3], new double[2][3], null, null, null);
    double[] r = Rewards.scoreRows(Rewards.exactMatch(), rollout, new int[][][] {{{A}}, {{B, C}}});
    assertEquals(1.0, r[0], 0.0);
    assertEquals(1.0, r[1], 0.0);
  }
}
