package org.seqrl.metrics;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts n-gram matches between one hypothesis and its references, exactly, on int tokens.
 *
 * <p>Each n-gram is packed into a long (tokens are first renumbered densely when the raw ids
 * do not fit), the keys are sorted, and matches are found by merging sorted runs. Scratch
 * buffers are reused per thread, so the reward hot path allocates nothing once warm.
 * Not thread-safe: obtain one per thread with {@link #get()}.
 */
final class NgramMatcher {
  private static final ThreadLocal<NgramMatcher> LOCAL = ThreadLocal.withInitial(NgramMatcher::new);

  static NgramMatcher get() {
    return LOCAL.get();
  }

  // segment 0 is the hypothesis, segments 1..refs the references, laid out in one flat array
  private int[] seq = new int[256];
  private int[] segStart = new int[8];
  private int[] segLen = new int[8];
  private int segments;
  private int total;
  private int bits;
  private boolean packed;

  private long[] keys = new long[256];
  private int[] keyStart = new int[8];
  private int order;

  private long[] distinctKeys = new long[128];
  private int[] distinctCounts = new int[128];
  private int[] maxRef = new int[128];
  private int distinct;

  private int[] sortBuf = new int[256];
  // fallback when even densely renumbered tokens do not fit: ids of (n-1)-grams per position
  private int[] levelIds = new int[256];

  /** Loads one hypothesis and its references; maxOrder is the longest n-gram that will be asked for. */
  void load(int[] hyp, int[][] refs, int maxOrder) {
    segments = 1 + refs.length;
    if (segStart.length < segments) {
      segStart = new int[segments * 2];
      segLen = new int[segments * 2];
      keyStart = new int[segments * 2];
    }
    int t = hyp.length;
    for (int[] r : refs) {
      t += r.length;
    }
    total = t;
    if (seq.length < t) {
      seq = new int[Math.max(t, seq.length * 2)];
      keys = new long[seq.length];
      sortBuf = new int[seq.length];
      levelIds = new int[seq.length];
    }
    int pos = 0;
    int min = 0;
    int max = 0;
    for (int s = 0; s < segments; s++) {
      int[] src = s == 0 ? hyp : refs[s - 1];
      segStart[s] = pos;
      segLen[s] = src.length;
      for (int v : src) {
        seq[pos++] = v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    bits = bitsFor(max);
    if (min < 0 || bits * maxOrder > 64) {
      renumberDensely();
    }
    packed = bits * maxOrder <= 64;
    order = 0;
  }

  private static int bitsFor(int maxValue) {
    return Math.max(1, 32 - Integer.numberOfLeadingZeros(maxValue));
  }

  private void renumberDensely() {
    System.arraycopy(seq, 0, sortBuf, 0, total);
    Arrays.sort(sortBuf, 0, total);
    int d = 0;
    for (int i = 0; i < total; i++) {
      if (i == 0 || sortBuf[i] != sortBuf[i - 1]) {
        sortBuf[d++] = sortBuf[i];
      }
    }
    for (int i = 0; i < total; i++) {
      seq[i] = Arrays.binarySearch(sortBuf, 0, d, seq[i]);
    }
    bits = bitsFor(Math.max(0, d - 1));
  }

  int length(int segment) {
    return segLen[segment];
  }

  int references() {
    return segments - 1;
  }

  /** Number of n-grams of the current order in a segment. */
  int count(int segment) {
    return Math.max(0, segLen[segment] - order + 1);
  }

  /** Builds and sorts the n-gram keys of order n for every segment (cheapest when asked for as 1, 2, 3, ...). */
  void order(int n) {
    if (!packed) {
      // levels build on each other; start over when an order is asked for out of sequence
      for (int level = n == order + 1 ? n : 1; level <= n; level++) {
        buildLevel(level);
      }
    }
    order = n;
    int k = 0;
    long mask = n * bits >= 64 ? -1L : (1L << (n * bits)) - 1;
    for (int s = 0; s < segments; s++) {
      keyStart[s] = k;
      int start = segStart[s];
      int len = segLen[s];
      if (len < n) {
        continue;
      }
      if (packed) {
        long key = 0;
        for (int i = 0; i < n - 1; i++) {
          key = (key << bits) | seq[start + i];
        }
        for (int i = n - 1; i < len; i++) {
          key = ((key << bits) | seq[start + i]) & mask;
          keys[k++] = key;
        }
      } else {
        for (int i = 0; i + n <= len; i++) {
          keys[k++] = levelIds[start + i];
        }
      }
      Arrays.sort(keys, keyStart[s], k);
    }
    // distinct hypothesis n-grams with their counts
    int hs = keyStart[0];
    int hc = count(0);
    if (distinctKeys.length < hc) {
      int cap = Math.max(hc, distinctKeys.length * 2);
      distinctKeys = new long[cap];
      distinctCounts = new int[cap];
      maxRef = new int[cap];
    }
    int d = 0;
    for (int i = 0; i < hc; i++) {
      long key = keys[hs + i];
      if (d > 0 && distinctKeys[d - 1] == key) {
        distinctCounts[d - 1]++;
      } else {
        distinctKeys[d] = key;
        distinctCounts[d] = 1;
        d++;
      }
    }
    distinct = d;
  }

  /** Exact ids for n-grams that cannot be packed: id(n-gram) = id(id((n-1)-gram), last token). */
  private void buildLevel(int n) {
    if (n == 1) {
      System.arraycopy(seq, 0, levelIds, 0, total);
      return;
    }
    Map<Long, Integer> ids = new HashMap<>();
    for (int s = 0; s < segments; s++) {
      int start = segStart[s];
      for (int i = 0; i + n <= segLen[s]; i++) {
        long pair = ((long) levelIds[start + i] << 32) | (seq[start + i + n - 1] & 0xFFFFFFFFL);
        Integer id = ids.get(pair);
        if (id == null) {
          id = ids.size();
          ids.put(pair, id);
        }
        levelIds[start + i] = id;
      }
    }
  }

  /** Hypothesis n-grams of the current order clipped by their largest count in any one reference. */
  long clippedMatches() {
    if (distinct == 0) {
      return 0;
    }
    Arrays.fill(maxRef, 0, distinct, 0);
    for (int s = 1; s < segments; s++) {
      mergeRef(s, true);
    }
    long sum = 0;
    for (int j = 0; j < distinct; j++) {
      sum += Math.min(distinctCounts[j], maxRef[j]);
    }
    return sum;
  }

  /** Hypothesis n-grams of the current order clipped by their count in reference r (1-based segment). */
  long matchesWith(int segment) {
    if (distinct == 0) {
      return 0;
    }
    Arrays.fill(maxRef, 0, distinct, 0);
    mergeRef(segment, false);
    long sum = 0;
    for (int j = 0; j < distinct; j++) {
      sum += Math.min(distinctCounts[j], maxRef[j]);
    }
    return sum;
  }

  private void mergeRef(int s, boolean keepMax) {
    int i = keyStart[s];
    int end = i + count(s);
    int j = 0;
    while (i < end && j < distinct) {
      long rk = keys[i];
      long hk = distinctKeys[j];
      if (rk < hk) {
        i++;
      } else if (rk > hk) {
        j++;
      } else {
        int run = 0;
        while (i < end && keys[i] == rk) {
          run++;
          i++;
        }
        if (!keepMax || run > maxRef[j]) {
          maxRef[j] = run;
        }
        j++;
      }
    }
  }
}
