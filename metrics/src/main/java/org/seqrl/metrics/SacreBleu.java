package org.seqrl.metrics;

import java.util.List;
import java.util.Locale;

/**
 * BLEU with sacrebleu 2.6.0's semantics: 13a tokenization (after a right strip), n-grams up to 4,
 * clipped by the largest count in any reference, closest reference length with ties to the
 * shorter, smoothing {@link SacreSmoothing}, scores on the 0-100 scale. Sentence scores use
 * effective order (as {@code sacrebleu.sentence_bleu} recommends); corpus scores do not.
 *
 * <p>A segment without references counts as having one empty reference.
 */
public final class SacreBleu {
  /** The sacrebleu release whose behaviour this follows; it appears in signatures. */
  public static final String VERSION = "2.6.0";
  public static final int MAX_ORDER = 4;

  private final SacreSmoothing smoothing;
  private final double smoothValue;

  /** A scorer with the given smoothing and its default value. */
  public SacreBleu(SacreSmoothing smoothing) {
    this(smoothing, smoothing.defaultValue());
  }

  /** A scorer with an explicit smoothing value (ignored by {@code exp} and {@code none}). */
  public SacreBleu(SacreSmoothing smoothing, double smoothValue) {
    this.smoothing = smoothing;
    this.smoothValue = smoothValue;
  }

  public SacreSmoothing smoothing() {
    return smoothing;
  }

  /** Statistics of one segment (raw strings; tokenized here). */
  public static SacreBleuStats segmentStats(String hypothesis, List<String> references) {
    TokenIds vocab = TokenIds.get();
    vocab.clear();
    int[] hyp = vocab.ids(Tokenizer13a.tokenize(PyText.rstrip(hypothesis)));
    int[][] refs = new int[references.size()][];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = vocab.ids(Tokenizer13a.tokenize(PyText.rstrip(references.get(i))));
    }
    return segmentStats(hyp, refs);
  }

  /** Statistics of one already tokenized segment, as token ids. */
  public static SacreBleuStats segmentStats(int[] hyp, int[][] refs) {
    NgramMatcher m = NgramMatcher.get();
    m.load(hyp, refs, MAX_ORDER);
    long[] correct = new long[MAX_ORDER];
    long[] total = new long[MAX_ORDER];
    for (int n = 1; n <= MAX_ORDER; n++) {
      m.order(n);
      correct[n - 1] = m.clippedMatches();
      total[n - 1] = m.count(0);
    }
    int refLen = -1;
    for (int[] r : refs) {
      int d = Math.abs(hyp.length - r.length);
      if (refLen < 0 || d < Math.abs(hyp.length - refLen) || (d == Math.abs(hyp.length - refLen) && r.length < refLen)) {
        refLen = r.length;
      }
    }
    return new SacreBleuStats(hyp.length, Math.max(refLen, 0), correct, total);
  }

  /** Sentence BLEU (effective order), 0-100. */
  public double sentenceScore(String hypothesis, List<String> references) {
    return score(segmentStats(hypothesis, references), true);
  }

  /** Corpus BLEU (no effective order), 0-100. */
  public double corpusScore(List<String> hypotheses, List<List<String>> references) {
    return score(corpusStats(hypotheses, references), false);
  }

  /** Summed statistics of a corpus. */
  public static SacreBleuStats corpusStats(List<String> hypotheses, List<List<String>> references) {
    if (hypotheses.size() != references.size()) {
      throw new IllegalArgumentException("hypotheses and references differ in number: " + hypotheses.size() + " vs " + references.size());
    }
    SacreBleuStats sum = SacreBleuStats.zero(MAX_ORDER);
    for (int i = 0; i < hypotheses.size(); i++) {
      sum = sum.plus(segmentStats(hypotheses.get(i), references.get(i)));
    }
    return sum;
  }

  /** The score of some statistics, 0-100; effective order averages only the orders that have n-grams. */
  public double score(SacreBleuStats stats, boolean effectiveOrder) {
    int maxOrder = stats.maxOrder();
    long sysLen = stats.hypLength();
    long refLen = stats.refLength();
    double bp = 1.0;
    if (sysLen < refLen) {
      bp = sysLen > 0 ? PyMath.exp(1.0 - (double) refLen / (double) sysLen) : 0.0;
    }
    long[] correctL = stats.correct();
    long[] totalL = stats.total();
    boolean any = false;
    for (long c : correctL) {
      any |= c != 0;
    }
    if (!any) {
      return 0.0;
    }
    double[] precisions = new double[maxOrder];
    double smoothMteval = 1.0;
    int effOrder = maxOrder;
    for (int n = 1; n <= maxOrder; n++) {
      double correct = correctL[n - 1];
      double total = totalL[n - 1];
      if (smoothing == SacreSmoothing.ADD_K && n > 1) {
        correct += smoothValue;
        total += smoothValue;
      }
      if (total == 0) {
        break;
      }
      if (effectiveOrder) {
        effOrder = n;
      }
      if (correct == 0) {
        if (smoothing == SacreSmoothing.EXP) {
          smoothMteval *= 2;
          precisions[n - 1] = 100.0 / (smoothMteval * total);
        } else if (smoothing == SacreSmoothing.FLOOR) {
          precisions[n - 1] = 100.0 * smoothValue / total;
        }
      } else {
        precisions[n - 1] = 100.0 * correct / total;
      }
    }
    double logSum = 0;
    for (int i = 0; i < effOrder; i++) {
      // sacrebleu's my_log floors log(0) at a huge negative number instead of -inf
      logSum += precisions[i] == 0.0 ? -9999999999.0 : PyMath.log(precisions[i]);
    }
    return bp * PyMath.exp(logSum / effOrder);
  }

  /**
   * A signature like sacrebleu's, e.g. {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0};
   * nrefs is "var" when segments have different numbers of references.
   */
  public String signature(String nrefs, boolean effectiveOrder) {
    String smooth = smoothing.sacreName();
    if (smoothing.takesValue()) {
      smooth += String.format(Locale.ROOT, "[%.2f]", smoothValue);
    }
    return "nrefs:" + nrefs + "|case:mixed|eff:" + (effectiveOrder ? "yes" : "no") + "|tok:13a|smooth:" + smooth + "|version:" + VERSION;
  }

  /** The nrefs field of a signature for these references: their common count, or "var". */
  public static String nrefs(List<List<String>> references) {
    int n = -1;
    for (List<String> r : references) {
      if (n >= 0 && r.size() != n) {
        return "var";
      }
      n = r.size();
    }
    return Integer.toString(Math.max(n, 0));
  }
}
