package org.seqrl.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The packed, renumbered and fallback key paths all count exactly like a plain map of n-gram lists. */
class NgramMatcherTest {
  static Map<List<Integer>, Integer> counts(int[] s, int n) {
    Map<List<Integer>, Integer> m = new HashMap<>();
    for (int i = 0; i + n <= s.length; i++) {
      List<Integer> g = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        g.add(s[i + k]);
      }
      m.merge(g, 1, Integer::sum);
    }
    return m;
  }

  static long naiveClipped(int[] hyp, int[][] refs, int n) {
    Map<List<Integer>, Integer> h = counts(hyp, n);
    long sum = 0;
    for (var e : h.entrySet()) {
      int max = 0;
      for (int[] r : refs) {
        max = Math.max(max, counts(r, n).getOrDefault(e.getKey(), 0));
      }
      sum += Math.min(e.getValue(), max);
    }
    return sum;
  }

  @Test
  void everyKeyPathCountsExactly() {
    Random rnd = new Random(3);
    // vocabularies: small (packed raw), huge ids (renumbered), many distinct tokens with 8 orders (fallback)
    int[][] settings = {{5, 30, 4}, {Integer.MAX_VALUE, 30, 6}, {3000, 900, 8}};
    for (int[] setting : settings) {
      for (int t = 0; t < 20; t++) {
        int[] hyp = randomSeq(rnd, setting[0], setting[1]);
        int[][] refs = {randomSeq(rnd, setting[0], setting[1]), hyp.length > 3 ? java.util.Arrays.copyOf(hyp, hyp.length - 2) : hyp};
        NgramMatcher m = NgramMatcher.get();
        m.load(hyp, refs, setting[2]);
        for (int n = 1; n <= setting[2]; n++) {
          m.order(n);
          assertEquals(naiveClipped(hyp, refs, n), m.clippedMatches(), "order " + n + " setting " + setting[0]);
          assertEquals(naiveClipped(hyp, new int[][] {refs[1]}, n), m.matchesWith(2));
        }
        // out of sequence, as method5 asks for 5-grams after the others
        m.order(2);
        assertEquals(naiveClipped(hyp, refs, 2), m.clippedMatches());
      }
    }
  }

  static int[] randomSeq(Random rnd, int vocab, int maxLen) {
    int[] s = new int[rnd.nextInt(maxLen + 1)];
    for (int i = 0; i < s.length; i++) {
      s[i] = vocab == Integer.MAX_VALUE ? (rnd.nextBoolean() ? rnd.nextInt() : rnd.nextInt(4)) : rnd.nextInt(vocab);
    }
    return s;
  }
}
