package org.seqrl.metrics;

import java.util.List;

/**
 * chrF with sacrebleu 2.6.0's defaults: character n-grams of order 1-6 with whitespace
 * removed, no word n-grams, beta 2, no eps smoothing, 0-100 scale. With several references a
 * segment keeps the statistics of the reference with the best chrF (the first of equals).
 * A segment without references counts as having one empty reference (score 0).
 */
public final class Chrf {
  public static final int CHAR_ORDER = 6;
  public static final int BETA = 2;

  private Chrf() {}

  /** Sentence chrF, 0-100. */
  public static double sentenceScore(String hypothesis, List<String> references) {
    return score(segmentStats(hypothesis, references));
  }

  /** Corpus chrF from summed statistics, 0-100. */
  public static double corpusScore(List<String> hypotheses, List<List<String>> references) {
    if (hypotheses.size() != references.size()) {
      throw new IllegalArgumentException("hypotheses and references differ in number: " + hypotheses.size() + " vs " + references.size());
    }
    ChrfStats sum = ChrfStats.zero(CHAR_ORDER);
    for (int i = 0; i < hypotheses.size(); i++) {
      sum = sum.plus(segmentStats(hypotheses.get(i), references.get(i)));
    }
    return score(sum);
  }

  /** Statistics of one segment against its best reference. */
  public static ChrfStats segmentStats(String hypothesis, List<String> references) {
    int[] hyp = PyText.codePointsWithoutSpace(hypothesis);
    int[][] refs = new int[Math.max(1, references.size())][];
    if (references.isEmpty()) {
      refs[0] = new int[0];
    }
    for (int i = 0; i < references.size(); i++) {
      refs[i] = PyText.codePointsWithoutSpace(references.get(i));
    }
    NgramMatcher m = NgramMatcher.get();
    m.load(hyp, refs, CHAR_ORDER);
    long[][] match = new long[refs.length][CHAR_ORDER];
    long[] hypCount = new long[CHAR_ORDER];
    long[][] refCount = new long[refs.length][CHAR_ORDER];
    for (int n = 1; n <= CHAR_ORDER; n++) {
      m.order(n);
      hypCount[n - 1] = m.count(0);
      for (int r = 0; r < refs.length; r++) {
        match[r][n - 1] = m.matchesWith(r + 1);
        refCount[r][n - 1] = m.count(r + 1);
      }
    }
    ChrfStats best = null;
    double bestF = -1.0;
    for (int r = 0; r < refs.length; r++) {
      long[] h = new long[CHAR_ORDER];
      for (int i = 0; i < CHAR_ORDER; i++) {
        h[i] = refCount[r][i] > 0 ? hypCount[i] : 0;
      }
      ChrfStats s = new ChrfStats(h, refCount[r], match[r]);
      double f = score(s);
      if (f > bestF) {
        bestF = f;
        best = s;
      }
    }
    return best;
  }

  /** chrF of some statistics: F-beta of precision and recall averaged over the orders both sides have. */
  public static double score(ChrfStats stats) {
    final double factor = BETA * BETA;
    double avgPrec = 0;
    double avgRec = 0;
    int effectiveOrder = 0;
    long[] hyp = stats.hyp();
    long[] ref = stats.ref();
    long[] match = stats.match();
    for (int i = 0; i < stats.order(); i++) {
      if (hyp[i] > 0 && ref[i] > 0) {
        avgPrec += (double) match[i] / hyp[i];
        avgRec += (double) match[i] / ref[i];
        effectiveOrder++;
      }
    }
    if (effectiveOrder == 0) {
      return 0.0;
    }
    avgPrec /= effectiveOrder;
    avgRec /= effectiveOrder;
    if (avgPrec + avgRec == 0) {
      return 0.0;
    }
    double score = (1 + factor) * avgPrec * avgRec;
    score /= factor * avgPrec + avgRec;
    return 100 * score;
  }
}
