package org.seqrl.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BLEU with the semantics of nltk 3.8's {@code sentence_bleu} and {@code corpus_bleu}
 * (no auto-reweighing), on whitespace tokens or on token ids.
 *
 * <p>nltk's quirks are kept on purpose, because the point is to agree with the numbers people
 * cite: per-sentence denominators are {@code max(1, count)} and summed over the corpus; a score
 * is 0 when no unigram matches; zero precisions are skipped in the weighted log sum; smoothing
 * methods 4-7 see the corpus hypothesis length but the <em>last</em> sentence (5-grams for
 * method5, n-gram counts for method6), exactly as nltk passes them.
 *
 * <p>Cases nltk does not define get a defined value instead of an exception: no references
 * behaves like one empty reference (score 0); method6 with a zero trigram precision (an
 * assertion in nltk) computes what nltk computes with assertions disabled ({@code python -O}).
 */
public final class NltkBleu {
  private NltkBleu() {}

  /** The default weights, uniform over 1- to 4-grams. */
  public static double[] uniformWeights(int maxOrder) {
    double[] w = new double[maxOrder];
    java.util.Arrays.fill(w, 1.0 / maxOrder);
    return w;
  }

  private static final double[] DEFAULT_WEIGHTS = uniformWeights(4);

  /** Sentence BLEU on token ids with 4-gram uniform weights. */
  public static double sentenceBleu(int[] hypothesis, int[][] references, NltkSmoothing smoothing) {
    return sentenceBleu(hypothesis, references, DEFAULT_WEIGHTS, smoothing);
  }

  /**
   * Sentence BLEU on token ids: the reward hot path. N-gram counting reuses per-thread buffers;
   * a call allocates only a few arrays of length weights.length for the precisions.
   */
  public static double sentenceBleu(int[] hypothesis, int[][] references, double[] weights, NltkSmoothing smoothing) {
    checkWeights(weights);
    int n = weights.length;
    long[] num = new long[n];
    long[] den = new long[n];
    NgramMatcher m = NgramMatcher.get();
    m.load(hypothesis, references, orderNeeded(n, smoothing));
    int refLen = accumulate(m, hypothesis.length, num, den);
    return score(num, den, hypothesis.length, refLen, weights, smoothing, m, hypothesis.length);
  }

  /** Sentence BLEU on whitespace tokens. */
  public static double sentenceBleu(String[] hypothesis, List<String[]> references, double[] weights, NltkSmoothing smoothing) {
    Map<String, Integer> vocab = new HashMap<>();
    int[][] refs = new int[references.size()][];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = ids(references.get(i), vocab);
    }
    return sentenceBleu(ids(hypothesis, vocab), refs, weights, smoothing);
  }

  /**
   * Sentence BLEU on lines of text, tokenized as nltk's users do with Python's {@code str.split()}: what
   * {@code sentenceBleu(PyText.split(hypothesis), <each reference split>, ...)} returns, without a string per token.
   */
  public static double sentenceBleu(String hypothesis, List<String> references, double[] weights, NltkSmoothing smoothing) {
    TokenIds vocab = TokenIds.get();
    vocab.clear();
    int[] hyp = vocab.ids(hypothesis);
    int[][] refs = new int[references.size()][];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = vocab.ids(references.get(i));
    }
    return sentenceBleu(hyp, refs, weights, smoothing);
  }

  /** Sentence BLEU on whitespace tokens, 4-gram uniform weights. */
  public static double sentenceBleu(String[] hypothesis, List<String[]> references, NltkSmoothing smoothing) {
    return sentenceBleu(hypothesis, references, DEFAULT_WEIGHTS, smoothing);
  }

  /** Corpus BLEU on token ids: statistics are summed over sentences before the precisions are taken. */
  public static double corpusBleu(int[][] hypotheses, int[][][] references, double[] weights, NltkSmoothing smoothing) {
    checkWeights(weights);
    if (hypotheses.length != references.length) {
      throw new IllegalArgumentException("hypotheses and references differ in number: " + hypotheses.length + " vs " + references.length);
    }
    if (hypotheses.length == 0) {
      return 0.0;
    }
    int n = weights.length;
    long[] num = new long[n];
    long[] den = new long[n];
    long hypLen = 0;
    long refLen = 0;
    NgramMatcher m = NgramMatcher.get();
    int maxOrder = orderNeeded(n, smoothing);
    for (int s = 0; s < hypotheses.length; s++) {
      m.load(hypotheses[s], references[s], maxOrder);
      refLen += accumulate(m, hypotheses[s].length, num, den);
      hypLen += hypotheses[s].length;
    }
    // smoothing sees the last sentence, as in nltk; the matcher still holds it
    return score(num, den, hypLen, refLen, weights, smoothing, m, hypotheses[hypotheses.length - 1].length);
  }

  /** Corpus BLEU on whitespace tokens. */
  public static double corpusBleu(List<String[]> hypotheses, List<List<String[]>> references, double[] weights, NltkSmoothing smoothing) {
    Map<String, Integer> vocab = new HashMap<>();
    int[][] hyps = new int[hypotheses.size()][];
    int[][][] refs = new int[references.size()][][];
    for (int i = 0; i < hyps.length; i++) {
      hyps[i] = ids(hypotheses.get(i), vocab);
    }
    for (int i = 0; i < refs.length; i++) {
      List<String[]> rs = references.get(i);
      refs[i] = new int[rs.size()][];
      for (int j = 0; j < rs.size(); j++) {
        refs[i][j] = ids(rs.get(j), vocab);
      }
    }
    return corpusBleu(hyps, refs, weights, smoothing);
  }

  static int[] ids(String[] tokens, Map<String, Integer> vocab) {
    int[] out = new int[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      Integer id = vocab.get(tokens[i]);
      if (id == null) {
        id = vocab.size();
        vocab.put(tokens[i], id);
      }
      out[i] = id;
    }
    return out;
  }

  private static void checkWeights(double[] weights) {
    if (weights == null || weights.length == 0) {
      throw new IllegalArgumentException("BLEU weights must name at least one n-gram order");
    }
  }

  private static int orderNeeded(int n, NltkSmoothing smoothing) {
    return (smoothing == NltkSmoothing.METHOD5 || smoothing == NltkSmoothing.METHOD7) ? Math.max(n, 5) : n;
  }

  /** Adds one sentence's clipped numerators and max(1, count) denominators; returns its closest reference length. */
  private static int accumulate(NgramMatcher m, int hypLen, long[] num, long[] den) {
    for (int i = 0; i < num.length; i++) {
      m.order(i + 1);
      num[i] += m.clippedMatches();
      den[i] += Math.max(1, m.count(0));
    }
    return closestRefLength(m, hypLen);
  }

  /** Closest reference length, ties to the shorter; 0 without references. */
  private static int closestRefLength(NgramMatcher m, int hypLen) {
    int best = -1;
    for (int r = 1; r <= m.references(); r++) {
      int len = m.length(r);
      if (best < 0) {
        best = len;
        continue;
      }
      int d = Math.abs(len - hypLen);
      int bd = Math.abs(best - hypLen);
      if (d < bd || (d == bd && len < best)) {
        best = len;
      }
    }
    return Math.max(best, 0);
  }

  /** nltk's brevity penalty: 1 when longer than the reference, 0 for an empty hypothesis. */
  static double brevityPenalty(long closestRefLen, long hypLen) {
    if (hypLen > closestRefLen) {
      return 1.0;
    }
    if (hypLen == 0) {
      return 0.0;
    }
    return PyMath.exp(1.0 - (double) closestRefLen / (double) hypLen);
  }

  private static double score(long[] num, long[] den, long hypLen, long refLen, double[] weights,
      NltkSmoothing smoothing, NgramMatcher last, int lastHypLen) {
    double bp = brevityPenalty(refLen, hypLen);
    if (num[0] == 0) {
      return 0.0;
    }
    int n = num.length;
    double[] p = new double[n];
    for (int i = 0; i < n; i++) {
      p[i] = (double) num[i] / (double) den[i];
    }
    switch (smoothing) {
      case METHOD0 -> {
        for (int i = 0; i < n; i++) {
          if (num[i] == 0) {
            p[i] = Double.MIN_NORMAL; // sys.float_info.min
          }
        }
      }
      case METHOD1 -> {
        for (int i = 0; i < n; i++) {
          if (num[i] == 0) {
            p[i] = 0.1 / den[i];
          }
        }
      }
      case METHOD2 -> {
        for (int i = 1; i < n; i++) {
          p[i] = (double) (num[i] + 1) / (double) (den[i] + 1);
        }
      }
      case METHOD3 -> {
        int k = 1;
        for (int i = 0; i < n; i++) {
          if (num[i] == 0) {
            p[i] = 1.0 / ((double) (1L << k) * den[i]);
            k++;
          }
        }
      }
      case METHOD4 -> method4(p, num, den, hypLen);
      case METHOD5 -> method5(p, last);
      case METHOD6 -> method6(p, num, last, lastHypLen);
      case METHOD7 -> {
        method4(p, num, den, hypLen);
        method5(p, last);
      }
      default -> throw new AssertionError(smoothing);
    }
    double[] terms = new double[n];
    int t = 0;
    for (int i = 0; i < n; i++) {
      if (p[i] > 0) {
        terms[t++] = weights[i] * PyMath.log(p[i]);
      }
    }
    return bp * PyMath.exp(FSum.sum(terms, t));
  }

  private static void method4(double[] p, long[] num, long[] den, long hypLen) {
    int k = 1;
    for (int i = 0; i < p.length; i++) {
      if (num[i] == 0 && hypLen > 1) {
        double numerator = 1.0 / ((double) ((1L << k) * 5) / PyMath.log(hypLen));
        p[i] = numerator / den[i];
        k++;
      }
    }
  }

  /** Averages with the neighbours; the order above the last is nltk's 5-gram precision of the last sentence. */
  private static void method5(double[] p, NgramMatcher last) {
    int n = p.length;
    last.order(5);
    double p5 = (double) last.clippedMatches() / Math.max(1, last.count(0));
    double[] orig = p.clone();
    double prev = orig[0] + 1;
    for (int i = 0; i < n; i++) {
      double next = i + 1 < n ? orig[i + 1] : p5;
      p[i] = (prev + orig[i] + next) / 3;
      prev = p[i];
    }
  }

  private static void method6(double[] p, long[] num, NgramMatcher last, int lastHypLen) {
    final double alpha = 5;
    for (int i = 2; i < p.length; i++) {
      double pi0 = p[i - 2] == 0 ? 0 : p[i - 1] * p[i - 1] / p[i - 2];
      int l = Math.max(0, lastHypLen - i);
      p[i] = (num[i] + alpha * pi0) / (l + alpha);
    }
  }
}
