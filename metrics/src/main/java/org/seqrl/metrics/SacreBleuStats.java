package org.seqrl.metrics;

import java.util.Arrays;

/**
 * sacrebleu's BLEU sufficient statistics for one or more segments: hypothesis length,
 * closest reference length, and matched / total n-grams per order. Statistics of a corpus
 * are the sum of its segments' statistics ({@link #plus}), so a corpus score can be built
 * incrementally or in parallel.
 */
public record SacreBleuStats(long hypLength, long refLength, long[] correct, long[] total) {
  public SacreBleuStats {
    if (correct.length != total.length) {
      throw new IllegalArgumentException("correct and total must have one entry per order: " + correct.length + " vs " + total.length);
    }
    correct = correct.clone();
    total = total.clone();
  }

  /** Statistics of nothing, the identity of {@link #plus}. */
  public static SacreBleuStats zero(int maxOrder) {
    return new SacreBleuStats(0, 0, new long[maxOrder], new long[maxOrder]);
  }

  public int maxOrder() {
    return correct.length;
  }

  @Override
  public long[] correct() {
    return correct.clone();
  }

  @Override
  public long[] total() {
    return total.clone();
  }

  /** The element-wise sum. */
  public SacreBleuStats plus(SacreBleuStats other) {
    if (other.maxOrder() != maxOrder()) {
      throw new IllegalArgumentException("cannot add statistics of order " + other.maxOrder() + " to order " + maxOrder());
    }
    long[] c = correct.clone();
    long[] t = total.clone();
    for (int i = 0; i < c.length; i++) {
      c[i] += other.correct[i];
      t[i] += other.total[i];
    }
    return new SacreBleuStats(hypLength + other.hypLength, refLength + other.refLength, c, t);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SacreBleuStats s && s.hypLength == hypLength && s.refLength == refLength
        && Arrays.equals(s.correct, correct) && Arrays.equals(s.total, total);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hypLength) * 31 + Long.hashCode(refLength) + 17 * Arrays.hashCode(correct) + Arrays.hashCode(total);
  }

  @Override
  public String toString() {
    return "SacreBleuStats[hyp=" + hypLength + ", ref=" + refLength + ", correct=" + Arrays.toString(correct) + ", total=" + Arrays.toString(total) + "]";
  }
}
