package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.seqrl.metrics.NltkSmoothing;

/** Reward adapters against values computed with nltk 3.8.1 and sacrebleu 2.6.0 (the project's .venv). */
class RewardsTest {
  /** Token id 4 is "a", 5 is "b", ... */
  static final IntFunction<String> LETTERS = id -> String.valueOf((char) ('a' + id - 4));

  @Test
  void bleuOnIdsMatchesNltk() {
    Reward bleu = Rewards.bleu(NltkSmoothing.parse("method1"));
    assertEquals("bleu", bleu.name());
    // nltk: sentence_bleu([[4,5,6,7]], [4,5,6,8], smoothing_function=SmoothingFunction().method1)
    assertEquals(0.3976353643835253, bleu.score(new int[] {4, 5, 6, 8}, new int[][] {{4, 5, 6, 7}}), 1e-15);
    assertEquals(0.7071067811865476, bleu.score(new int[] {4, 5, 6, 7, 9}, new int[][] {{4, 5, 6, 7, 8}, {4, 9}}), 1e-15);
    assertEquals(1.0, bleu.score(new int[] {4, 5, 6, 7}, new int[][] {{4, 5, 6, 7}}), 1e-15);
  }

  @Test
  void levenshteinRewardsAreMinusTheClosestDistance() {
    int[][] refs = {{4, 6, 5}, {7}};
    assertEquals(-1.0, Rewards.levenshtein().score(new int[] {4, 5}, refs));
    assertEquals(-1.0 / 3, Rewards.levenshteinNormalized().score(new int[] {4, 5}, refs), 1e-15);
    assertEquals(0.0, Rewards.levenshtein().score(new int[] {7}, refs));
    // 3 substitutions + 1 deletion from {4,6,5}; 1 substitution + 3 deletions from {7}
    assertEquals(-4.0, Rewards.levenshtein().score(new int[] {8, 8, 8, 8}, refs));
    assertEquals("levenshtein", Rewards.levenshtein().name());
    assertEquals("levenshtein-normalized", Rewards.levenshteinNormalized().name());
  }

  @Test
  void chrfDetokenisesAndMatchesSacrebleu() {
    // sacrebleu.sentence_chrf("abcab", ["abcdab"]).score
    assertEquals(35.01109262340544,
        Rewards.chrf(LETTERS, true).score(new int[] {4, 5, 6, 4, 5}, new int[][] {{4, 5, 6, 7, 4, 5}}), 1e-9);
    // word level: tokens joined with spaces: sacrebleu.sentence_chrf("ab cd", ["ab cde"]).score
    IntFunction<String> words = id -> switch (id) {
      case 4 -> "ab";
      case 5 -> "cd";
      default -> "cde";
    };
    assertEquals(72.57346393588602, Rewards.chrf(words, false).score(new int[] {4, 5}, new int[][] {{4, 6}}), 1e-9);
    assertEquals("chrf", Rewards.chrf(LETTERS, true).name());
  }

  @Test
  void exactMatchAgainstAnyReference() {
    int[][] refs = {{4, 5}, {6}};
    assertEquals(1.0, Rewards.exactMatch().score(new int[] {6}, refs));
    assertEquals(0.0, Rewards.exactMatch().score(new int[] {4}, refs));
    assertEquals("exact-match", Rewards.exactMatch().name());
  }

  @Test
  void weightedSumAddsWeightedPartsAndReportsEachPart() {
    Map<Reward, Double> w = new LinkedHashMap<>();
    w.put(Rewards.levenshtein(), 2.0);
    w.put(Rewards.exactMatch(), 0.5);
    Reward sum = Rewards.weightedSum(w);
    int[][] refs = {{4, 5}};
    assertEquals(-4.0, sum.score(new int[] {6, 6}, refs));
    assertEquals(0.5, sum.score(new int[] {4, 5}, refs));
    assertEquals(Map.of("levenshtein", -2.0, "exact-match", 0.0), sum.components(new int[] {6, 6}, refs));
    assertEquals("2.0*levenshtein+0.5*exact-match", sum.name());
    assertTrue(Rewards.levenshtein().components(new int[] {4}, refs).isEmpty());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rewards.weightedSum(Map.of()));
    assertTrue(e.getMessage().contains("at least one reward"));
  }

  @Test
  void scoreRowsUsesEachRowsInputReferences() {
    int[][] sources = {{4}, {5}};
    int[][] tokens = {{4, Tokens.END, 0}, {5, 5, Tokens.END}, {Tokens.END, 0, 0}, {5, 5, 5}};
    Rollout ro = new Rollout(sources, 2, tokens, new int[] {2, 3, 1, 3}, new double[4][3], new double[4][3], null, null, null);
    assertArrayEquals(new int[] {5, 5, 5}, ro.hypothesis(3));
    double[] r = Rewards.scoreRows(Rewards.levenshtein(), ro, new int[][][] {{{4}}, {{5, 5}}});
    assertArrayEquals(new double[] {0, -2, -2, -1}, r);
  }

  @Test
  void symbolErrorCountsPositionsOverTheReferenceLength() {
    Reward r = Rewards.symbolError();
    assertEquals("symbol-error", r.name());
    assertEquals(0.0, r.score(new int[] {4, 5, 6}, new int[][] {{4, 5, 6}}));
    // A dropped first symbol: 3 errors over 3 (the edit distance would say 1).
    assertEquals(-1.0, r.score(new int[] {5, 6}, new int[][] {{4, 5, 6}}));
    // One extra symbol over 3.
    assertEquals(-1.0 / 3, r.score(new int[] {4, 5, 6, 6}, new int[][] {{4, 5, 6}}), 1e-15);
    // The second reference (0 errors) wins over the first (3).
    assertEquals(0.0, r.score(new int[] {4, 4}, new int[][] {{5, 5, 5}, {4, 4}}));
    assertEquals(-2.0, r.score(new int[] {4, 4}, new int[0][]));
    assertEquals(-1.0, r.score(new int[0], new int[][] {{4}}));
  }

  @Test
  void rewardKindsParseByConfigName() {
    for (RewardKind k : RewardKind.values()) {
      assertEquals(k, RewardKind.parse(k.configName()));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RewardKind.parse("rouge"));
    assertTrue(e.getMessage().contains("'rouge'") && e.getMessage().contains("bleu, levenshtein, levenshtein-normalized, chrf, exact-match, "
        + "sacrebleu, length-penalty, repetition-penalty, symbol-error"),
        e.getMessage());
  }

  @Test
  void sacrebleuScoresTheDetokenisedText() {
    String[] words = {"", "", "", "", "the", "cat", "sat", "on", "mat", "a"};
    java.util.function.IntFunction<String> text = id -> words[id];
    int[] hyp = {4, 5, 6, 7, 4, 8};
    int[][] refs = {{4, 5, 6, 7, 4, 8}, {9, 5, 6, 7, 9, 8}};
    Reward r = Rewards.sacrebleu(text, false);
    assertEquals("sacrebleu", r.name());
    assertEquals(100.0, r.score(hyp, refs), 1e-9);
    // Equal to the metrics module's sentence score of the joined words (sacrebleu's own value is
    // cross-checked there against the Python package).
    int[] other = {9, 5, 6, 4, 8};
    assertEquals(new org.seqrl.metrics.SacreBleu(org.seqrl.metrics.SacreSmoothing.EXP).sentenceScore("a cat sat the mat",
        List.of("the cat sat on the mat", "a cat sat on a mat")), r.score(other, refs), 1e-12);
    assertEquals(0.0, r.score(new int[0], refs), 1e-12);
  }

  @Test
  void lengthPenaltyIsTheRelativeDistanceToTheClosestLength() {
    Reward r = Rewards.lengthPenalty();
    // |3-2| = 1 beats |3-5| = 2: -1/2
    assertEquals(-0.5, r.score(new int[] {4, 5, 6}, new int[][] {{4, 5}, {4, 5, 6, 7, 8}}), 0.0);
    // ties go to the shorter reference: lengths 2 and 4 around 3 -> -1/2
    assertEquals(-0.5, r.score(new int[] {4, 5, 6}, new int[][] {{4, 5, 6, 7}, {4, 5}}), 0.0);
    assertEquals(0.0, r.score(new int[] {7, 7}, new int[][] {{4, 5}}), 0.0);
    assertEquals(-1.0, r.score(new int[0], new int[][] {{4, 5}}), 0.0);
    assertEquals(-2.0, r.score(new int[] {4, 4}, new int[][] {{}}), 0.0);
    assertEquals(0.0, r.score(new int[] {4}, new int[0][]), 0.0);
  }

  @Test
  void repetitionPenaltyCountsRepeatedBigrams() {
    Reward r = Rewards.repetitionPenalty();
    // bigrams (4,5) (5,4) (4,5) (5,4): two of four repeat an earlier one
    assertEquals(-0.5, r.score(new int[] {4, 5, 4, 5, 4}, new int[0][]), 0.0);
    assertEquals(0.0, r.score(new int[] {4, 5, 6, 7}, new int[0][]), 0.0);
    assertEquals(-2.0 / 3, r.score(new int[] {6, 6, 6, 6}, new int[0][]), 1e-15);
    assertEquals(0.0, r.score(new int[] {4}, new int[0][]), 0.0);
    assertEquals(0.0, r.score(new int[0], new int[0][]), 0.0);
  }
}
