package org.seqrl.metrics;

import java.util.Arrays;

/**
 * chrF sufficient statistics: per character n-gram order, the hypothesis n-grams (0 when the
 * chosen reference has none of that order, as in sacrebleu), the reference n-grams and the
 * matches. A corpus's statistics are the sum of its segments' ({@link #plus}).
 */
public record ChrfStats(long[] hyp, long[] ref, long[] match) {
  public ChrfStats {
    if (hyp.length != ref.length || ref.length != match.length) {
      throw new IllegalArgumentException("chrF statistics need one entry per order in each array");
    }
    hyp = hyp.clone();
    ref = ref.clone();
    match = match.clone();
  }

  public static ChrfStats zero(int order) {
    return new ChrfStats(new long[order], new long[order], new long[order]);
  }

  public int order() {
    return hyp.length;
  }

  @Override
  public long[] hyp() {
    return hyp.clone();
  }

  @Override
  public long[] ref() {
    return ref.clone();
  }

  @Override
  public long[] match() {
    return match.clone();
  }

  public ChrfStats plus(ChrfStats o) {
    if (o.order() != order()) {
      throw new IllegalArgumentException("cannot add chrF statistics of order " + o.order() + " to order " + order());
    }
    long[] h = hyp.clone();
    long[] r = ref.clone();
    long[] m = match.clone();
    for (int i = 0; i < h.length; i++) {
      h[i] += o.hyp[i];
      r[i] += o.ref[i];
      m[i] += o.match[i];
    }
    return new ChrfStats(h, r, m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChrfStats s && Arrays.equals(s.hyp, hyp) && Arrays.equals(s.ref, ref) && Arrays.equals(s.match, match);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hyp) * 961 + Arrays.hashCode(ref) * 31 + Arrays.hashCode(match);
  }

  @Override
  public String toString() {
    return "ChrfStats[hyp=" + Arrays.toString(hyp) + ", ref=" + Arrays.toString(ref) + ", match=" + Arrays.toString(match) + "]";
  }
}
