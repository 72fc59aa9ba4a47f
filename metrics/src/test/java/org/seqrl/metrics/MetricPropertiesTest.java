package org.seqrl.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.junit.jupiter.api.Test;

/** Ranges, maxima, invariances, empty input and additivity of every metric, on random input. */
class MetricPropertiesTest {
  static final Random RND = new Random(7);

  static int[] randomIds(Random rnd, int maxLen, int vocab) {
    int[] out = new int[rnd.nextInt(maxLen + 1)];
    for (int i = 0; i < out.length; i++) {
      out[i] = rnd.nextInt(vocab);
    }
    return out;
  }

  static String randomText(Random rnd, int maxLen) {
    String[] words = {"a", "b", "c", "the", "cat", ",", ".", "é", "日本", "😀", "x-y", "3.5"};
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(maxLen + 1);
    for (int i = 0; i < n; i++) {
      sb.append(i > 0 ? " " : "").append(words[rnd.nextInt(words.length)]);
    }
    return sb.toString();
  }

  static void assertFiniteIn(double v, double lo, double hi, String what) {
    assertFalse(Double.isNaN(v) || Double.isInfinite(v), what + " is " + v);
    assertTrue(v >= lo && v <= hi + 1e-9, what + " = " + v + " outside [" + lo + ", " + hi + "]");
  }

  @Test
  void bleuScoresStayInRangeAndIgnoreReferenceOrder() {
    for (int t = 0; t < 2000; t++) {
      int[] hyp = randomIds(RND, 12, 5);
      int[][] refs = new int[1 + RND.nextInt(3)][];
      for (int r = 0; r < refs.length; r++) {
        refs[r] = randomIds(RND, 12, 5);
      }
      int[][] reversed = refs.clone();
      Collections.reverse(java.util.Arrays.asList(reversed));
      for (NltkSmoothing s : NltkSmoothing.values()) {
        double v = NltkBleu.sentenceBleu(hyp, refs, s);
        // method5 can exceed 1: it averages in (p1 + 1) for the order below 1
        assertFiniteIn(v, 0, s == NltkSmoothing.METHOD5 || s == NltkSmoothing.METHOD7 ? 2 : 1, "nltk " + s);
        assertEquals(v, NltkBleu.sentenceBleu(hyp, reversed, s), 0.0, "reference order changed nltk " + s);
      }
      List<String> refText = new ArrayList<>();
      String hypText = randomText(RND, 10);
      for (int r = 0; r < refs.length; r++) {
        refText.add(randomText(RND, 10));
      }
      List<String> refReversed = new ArrayList<>(refText);
      Collections.reverse(refReversed);
      for (SacreSmoothing s : SacreSmoothing.values()) {
        double v = new SacreBleu(s).sentenceScore(hypText, refText);
        assertFiniteIn(v, 0, 100, "sacrebleu " + s);
        assertEquals(v, new SacreBleu(s).sentenceScore(hypText, refReversed), 0.0);
      }
      double c = Chrf.sentenceScore(hypText, refText);
      assertFiniteIn(c, 0, 100, "chrF");
    }
  }

  @Test
  void identicalInputScoresTheMaximum() {
    for (int t = 0; t < 300; t++) {
      int[] ids = randomIds(RND, 20, 50);
      if (ids.length == 0) {
        continue;
      }
      for (NltkSmoothing s : new NltkSmoothing[] {NltkSmoothing.METHOD0, NltkSmoothing.METHOD1, NltkSmoothing.METHOD3, NltkSmoothing.METHOD4}) {
        // a hypothesis shorter than 4 tokens has no 4-grams; with 4-gram weights only longer ones reach 1
        if (ids.length >= 4) {
          assertEquals(1.0, NltkBleu.sentenceBleu(ids, new int[][] {ids.clone()}, s), 1e-12, "nltk " + s);
        }
      }
      String text = randomText(RND, 15);
      if (!text.isEmpty()) {
        assertEquals(100.0, new SacreBleu(SacreSmoothing.EXP).sentenceScore(text, List.of(text)), 1e-9);
        assertEquals(100.0, Chrf.sentenceScore(text, List.of(text)), 1e-9);
      }
      assertEquals(0, Levenshtein.minDistance(text, List.of("zzz", text)));
      assertEquals(0.0, Levenshtein.normalizedDistance(ids, new int[][] {ids.clone()}));
      assertEquals(1.0, ExactMatch.score(ids, new int[][] {{1}, ids.clone()}));
    }
  }

  @Test
  void emptyInputHasDefinedValues() {
    int[] empty = {};
    int[] some = {1, 2, 3};
    for (NltkSmoothing s : NltkSmoothing.values()) {
      assertEquals(0.0, NltkBleu.sentenceBleu(empty, new int[][] {some}, s));
      assertEquals(0.0, NltkBleu.sentenceBleu(some, new int[][] {empty}, s));
      assertEquals(0.0, NltkBleu.sentenceBleu(empty, new int[][] {empty}, s));
      assertEquals(0.0, NltkBleu.sentenceBleu(some, new int[0][], s));
      assertEquals(0.0, NltkBleu.corpusBleu(new int[0][], new int[0][][], NltkBleu.uniformWeights(4), s));
    }
    for (SacreSmoothing s : SacreSmoothing.values()) {
      assertEquals(0.0, new SacreBleu(s).sentenceScore("", List.of("a b")));
      assertEquals(0.0, new SacreBleu(s).sentenceScore("a b", List.of("")));
      assertEquals(0.0, new SacreBleu(s).sentenceScore("a b", List.of()));
      assertEquals(0.0, new SacreBleu(s).corpusScore(List.of(), List.of()));
    }
    assertEquals(0.0, Chrf.sentenceScore("", List.of("abc")));
    assertEquals(0.0, Chrf.sentenceScore("abc", List.of()));
    assertEquals(0.0, Chrf.sentenceScore("", List.of("")));
    assertEquals(3, Levenshtein.minDistance("abc", List.of()));
    assertEquals(0, Levenshtein.minDistance("", List.of("")));
    assertEquals(3.0, Levenshtein.normalizedDistance(some, new int[][] {empty}));
    assertEquals(0.0, Levenshtein.normalizedDistance(empty, new int[][] {empty}));
    assertEquals(1.0, Levenshtein.normalizedDistance(empty, new int[][] {some}));
    assertEquals(0.0, ExactMatch.score(some, new int[0][]));
    assertEquals(1.0, ExactMatch.score("", List.of("")));
  }

  @Test
  void corpusStatisticsAddUp() {
    List<String> hyps = new ArrayList<>();
    List<List<String>> refs = new ArrayList<>();
    SacreBleuStats bleuSum = SacreBleuStats.zero(SacreBleu.MAX_ORDER);
    ChrfStats chrfSum = ChrfStats.zero(Chrf.CHAR_ORDER);
    for (int i = 0; i < 200; i++) {
      String h = randomText(RND, 12);
      List<String> r = List.of(randomText(RND, 12), randomText(RND, 12));
      hyps.add(h);
      refs.add(r);
      bleuSum = bleuSum.plus(SacreBleu.segmentStats(h, r));
      chrfSum = chrfSum.plus(Chrf.segmentStats(h, r));
    }
    SacreBleu bleu = new SacreBleu(SacreSmoothing.EXP);
    assertEquals(SacreBleu.corpusStats(hyps, refs), bleuSum);
    assertEquals(bleu.corpusScore(hyps, refs), bleu.score(bleuSum, false), 0.0);
    assertEquals(Chrf.corpusScore(hyps, refs), Chrf.score(chrfSum), 0.0);
    // split anywhere: the halves' statistics add up to the whole's
    SacreBleuStats first = SacreBleu.corpusStats(hyps.subList(0, 77), refs.subList(0, 77));
    SacreBleuStats second = SacreBleu.corpusStats(hyps.subList(77, 200), refs.subList(77, 200));
    assertEquals(bleuSum, first.plus(second));
    assertEquals(SacreBleuStats.zero(4), SacreBleuStats.zero(4).plus(SacreBleuStats.zero(4)));
  }

  @Test
  void bitParallelLevenshteinAgreesWithCommonsText() {
    LevenshteinDistance oracle = LevenshteinDistance.getDefaultInstance();
    for (int t = 0; t < 3000; t++) {
      // lengths up to 300 cross one, two and several 64-bit words
      int maxLen = t % 3 == 0 ? 300 : 70;
      StringBuilder a = new StringBuilder();
      StringBuilder b = new StringBuilder();
      int la = RND.nextInt(maxLen + 1);
      int lb = RND.nextBoolean() ? la + RND.nextInt(5) - 2 : RND.nextInt(maxLen + 1);
      int alphabet = 2 + RND.nextInt(6);
      for (int i = 0; i < la; i++) {
        a.append((char) ('a' + RND.nextInt(alphabet)));
      }
      for (int i = 0; i < Math.max(0, lb); i++) {
        b.append(i < la && RND.nextInt(4) > 0 ? a.charAt(i) : (char) ('a' + RND.nextInt(alphabet)));
      }
      assertEquals(oracle.apply(a, b), Levenshtein.distance(a.toString(), b.toString()), () -> a + " / " + b);
    }
  }

  @Test
  void tokenLevenshteinWorksOnAnyIntIds() {
    assertEquals(1, Levenshtein.distance(new int[] {Integer.MIN_VALUE, -1, 5}, new int[] {Integer.MIN_VALUE, 5}));
    assertEquals(2, Levenshtein.minDistance(new int[] {1, 2, 3}, new int[][] {{9, 9, 9}, {1, 4, 4}}));
    // 0.5: distance 1 to both references, the longer one (length 2) divides
    assertEquals(0.5, Levenshtein.normalizedDistance(new int[] {1}, new int[][] {{2}, {1, 3}}));
  }

  @Test
  void nltkBleuOnLargeAndNegativeIdsMatchesStringTokens() {
    // ids that do not fit the packed fast path take the dense / fallback paths; the value must not change
    String[] hyp = "a b c d a b e f".split(" ");
    List<String[]> refs = List.of("a b c d e f".split(" "), "b c d a b".split(" "));
    int[] big = {Integer.MAX_VALUE, -5, 70000, 12, Integer.MAX_VALUE, -5, 3, Integer.MIN_VALUE};
    int[][] bigRefs = {{Integer.MAX_VALUE, -5, 70000, 12, 3, Integer.MIN_VALUE}, {-5, 70000, 12, Integer.MAX_VALUE, -5}};
    for (NltkSmoothing s : NltkSmoothing.values()) {
      double w = NltkBleu.sentenceBleu(hyp, refs, NltkBleu.uniformWeights(6), s);
      assertEquals(w, NltkBleu.sentenceBleu(big, bigRefs, NltkBleu.uniformWeights(6), s), 1e-15, s.toString());
    }
  }

  @Test
  void parsesChoices() {
    assertEquals(NltkSmoothing.METHOD3, NltkSmoothing.parse("method3"));
    assertEquals(SacreSmoothing.ADD_K, SacreSmoothing.parse("add-k"));
    assertEquals("nrefs:2|case:mixed|eff:no|tok:13a|smooth:floor[0.10]|version:2.6.0",
        new SacreBleu(SacreSmoothing.FLOOR).signature("2", false));
    assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
        new SacreBleu(SacreSmoothing.EXP).signature("1", false));
    try {
      NltkSmoothing.parse("method9");
      throw new AssertionError("method9 parsed");
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage().contains("method0"));
    }
  }
}
