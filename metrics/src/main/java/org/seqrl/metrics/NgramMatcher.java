package org.seqrl.metrics;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts n-gram matches between one hypothesis and its references, exactly, on int tokens.
 *
 * <p>Each n-gram is packed into a long (tokens are first renumbered densely when the raw ids
 * do not fit), reference n-grams are counted in an open-addressing table and each hypothesis
 * n-gram takes one count from it, which yields the clipped matches in one pass. Tables are
 * invalidated by a generation stamp instead of being cleared, and all buffers are reused per
 * thread, so the reward hot path allocates nothing once warm.
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

  // two count tables: A for the max over references, B for one reference
  private long[] keyA = new long[64];
  private int[] countA = new int[64];
  private int[] stampA = new int[64];
  private long[] keyB = new long[64];
  private int[] countB = new int[64];
  private int[] stampB = new int[64];
  private int genA;
  private int genB;
  private int shift = 64 - 6;

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
    ensureTableCapacity(t);
    bits = bitsFor(max);
    if (min < 0 || bits * maxOrder > 64) {
      renumberDensely();
    }
    packed = bits * maxOrder <= 64;
    order = 0;
  }

  private void ensureTableCapacity(int keysAtMost) {
    int cap = keyA.length;
    if (cap >= 2 * keysAtMost) {
      return;
    }
    while (cap < 2 * keysAtMost) {
      cap <<= 1;
    }
    keyA = new long[cap];
    countA = new int[cap];
    stampA = new int[cap];
    keyB = new long[cap];
    countB = new int[cap];
    stampB = new int[cap];
    genA = 0;
    genB = 0;
    shift = 64 - Integer.numberOfTrailingZeros(cap);
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
    }
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
    nextGenA();
    if (segments == 2) {
      addCounts(keyStart[1], count(1), keyA, countA, stampA, genA);
    } else {
      for (int s = 1; s < segments; s++) {
        nextGenB();
        int from = keyStart[s];
        int len = count(s);
        addCounts(from, len, keyB, countB, stampB, genB);
        for (int i = from; i < from + len; i++) {
          int c = countB[find(keyB, stampB, genB, keys[i])];
          int slot = find(keyA, stampA, genA, keys[i]);
          if (stampA[slot] != genA) {
            stampA[slot] = genA;
            keyA[slot] = keys[i];
            countA[slot] = c;
          } else if (c > countA[slot]) {
            countA[slot] = c;
          }
        }
      }
    }
    return takeMatches(keyA, countA, stampA, genA);
  }

  /** Hypothesis n-grams of the current order clipped by their count in one reference (1-based segment). */
  long matchesWith(int segment) {
    nextGenB();
    addCounts(keyStart[segment], count(segment), keyB, countB, stampB, genB);
    return takeMatches(keyB, countB, stampB, genB);
  }

  private void nextGenA() {
    if (++genA == Integer.MAX_VALUE) {
      Arrays.fill(stampA, 0);
      genA = 1;
    }
  }

  private void nextGenB() {
    if (++genB == Integer.MAX_VALUE) {
      Arrays.fill(stampB, 0);
      genB = 1;
    }
  }

  /** Slot of key, or the empty slot where it would go. */
  private int find(long[] tk, int[] ts, int gen, long key) {
    int mask = tk.length - 1;
    int slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    while (ts[slot] == gen && tk[slot] != key) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private void addCounts(int from, int len, long[] tk, int[] tc, int[] ts, int gen) {
    for (int i = from; i < from + len; i++) {
      long key = keys[i];
      int slot = find(tk, ts, gen, key);
      if (ts[slot] != gen) {
        ts[slot] = gen;
        tk[slot] = key;
        tc[slot] = 1;
      } else {
        tc[slot]++;
      }
    }
  }

  /** Each hypothesis n-gram takes one remaining count: the sum of min(hypothesis count, table count). */
  private long takeMatches(long[] tk, int[] tc, int[] ts, int gen) {
    long matches = 0;
    int from = keyStart[0];
    int len = count(0);
    for (int i = from; i < from + len; i++) {
      int slot = find(tk, ts, gen, keys[i]);
      if (ts[slot] == gen && tc[slot] > 0) {
        tc[slot]--;
        matches++;
      }
    }
    return matches;
  }
}
