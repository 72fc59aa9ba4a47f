package org.seqrl.metrics;

import java.util.List;

/**
 * Edit distance (insert, delete, substitute, each cost 1) on characters (Unicode code points,
 * as Python indexes strings) or on token ids.
 *
 * <p>Uses Hyyrö's bit-parallel form of Myers' algorithm, 64 cells of the dynamic programme per
 * machine word, after stripping the common prefix and suffix; on sentence-length inputs this
 * is several times faster than the row-by-row {@code LevenshteinDistance} of Commons Text,
 * which the tests use as the independent oracle and the reward benchmark reports beside it.
 *
 * <p>Empty cases: the distance to or from an empty sequence is the other's length; no
 * references at all counts as one empty reference.
 */
public final class Levenshtein {
  private Levenshtein() {}

  /** Character edit distance, by code point. */
  public static int distance(String a, String b) {
    return distance(PyText.codePoints(a), PyText.codePoints(b));
  }

  /** Token edit distance. */
  public static int distance(int[] a, int[] b) {
    return BitParallel.get().distance(a, b);
  }

  /** The smallest character edit distance to any reference. */
  public static int minDistance(String hypothesis, List<String> references) {
    int[] h = PyText.codePoints(hypothesis);
    if (references.isEmpty()) {
      return h.length;
    }
    int best = Integer.MAX_VALUE;
    for (String r : references) {
      best = Math.min(best, distance(h, PyText.codePoints(r)));
      if (best == 0) {
        break;
      }
    }
    return best;
  }

  /** The smallest token edit distance to any reference. */
  public static int minDistance(int[] hypothesis, int[][] references) {
    if (references.length == 0) {
      return hypothesis.length;
    }
    int best = Integer.MAX_VALUE;
    for (int[] r : references) {
      best = Math.min(best, distance(hypothesis, r));
      if (best == 0) {
        break;
      }
    }
    return best;
  }

  /**
   * Normalized distance (e.g. phoneme error rate): the smallest distance divided by the length
   * of the reference that achieves it; among references tied at that distance, the longest
   * (so the value does not depend on reference order). An empty closest reference divides by 1,
   * which makes the value the hypothesis length (0 when both are empty): never NaN or infinite.
   */
  public static double normalizedDistance(int[] hypothesis, int[][] references) {
    if (references.length == 0) {
      return hypothesis.length;
    }
    int best = Integer.MAX_VALUE;
    int bestLen = 0;
    for (int[] r : references) {
      int d = distance(hypothesis, r);
      if (d < best || (d == best && r.length > bestLen)) {
        best = d;
        bestLen = r.length;
      }
    }
    return (double) best / Math.max(1, bestLen);
  }

  /** Normalized character distance, as {@link #normalizedDistance(int[], int[][])} on code points. */
  public static double normalizedDistance(String hypothesis, List<String> references) {
    int[][] refs = new int[references.size()][];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = PyText.codePoints(references.get(i));
    }
    return normalizedDistance(PyText.codePoints(hypothesis), refs);
  }

  /** Bit-parallel edit distance with per-thread scratch tables. */
  static final class BitParallel {
    private static final ThreadLocal<BitParallel> LOCAL = ThreadLocal.withInitial(BitParallel::new);

    static BitParallel get() {
      return LOCAL.get();
    }

    // open-addressing table: symbol -> row of per-word match masks
    private int[] slotKey = new int[128];
    private int[] slotStamp = new int[128];
    private int[] slotRow = new int[128];
    private long[] masks = new long[64];
    private int stamp;
    private int rows;
    private long[] vp = new long[4];
    private long[] vn = new long[4];

    int distance(int[] a, int[] b) {
      int start = 0;
      int endA = a.length;
      int endB = b.length;
      while (start < endA && start < endB && a[start] == b[start]) {
        start++;
      }
      while (endA > start && endB > start && a[endA - 1] == b[endB - 1]) {
        endA--;
        endB--;
      }
      int la = endA - start;
      int lb = endB - start;
      if (la == 0) {
        return lb;
      }
      if (lb == 0) {
        return la;
      }
      // the shorter one is the pattern: fewer words per column
      if (la <= lb) {
        return run(a, start, la, b, start, lb);
      }
      return run(b, start, lb, a, start, la);
    }

    private int run(int[] p, int pOff, int m, int[] t, int tOff, int n) {
      int words = (m + 63) >>> 6;
      buildTable(p, pOff, m, words);
      if (words == 1) {
        return single(m, t, tOff, n);
      }
      return blocks(m, words, t, tOff, n);
    }

    private void buildTable(int[] p, int off, int m, int words) {
      int cap = slotKey.length;
      if (cap < 2 * m) {
        cap = Integer.highestOneBit(2 * m) << 1;
        slotKey = new int[cap];
        slotStamp = new int[cap];
        slotRow = new int[cap];
        stamp = 0;
      }
      if (++stamp == 0) {
        java.util.Arrays.fill(slotStamp, 0);
        stamp = 1;
      }
      if (masks.length < m * words) {
        masks = new long[Math.max(m * words, masks.length * 2)];
      }
      rows = 0;
      int mask = cap - 1;
      for (int i = 0; i < m; i++) {
        int sym = p[off + i];
        int slot = mix(sym) & mask;
        while (slotStamp[slot] == stamp && slotKey[slot] != sym) {
          slot = (slot + 1) & mask;
        }
        int row;
        if (slotStamp[slot] != stamp) {
          slotStamp[slot] = stamp;
          slotKey[slot] = sym;
          row = rows++;
          slotRow[slot] = row;
          java.util.Arrays.fill(masks, row * words, row * words + words, 0L);
        } else {
          row = slotRow[slot];
        }
        masks[row * words + (i >>> 6)] |= 1L << (i & 63);
      }
    }

    private static int mix(int x) {
      int h = x * 0x9E3779B9;
      return h ^ (h >>> 16);
    }

    /** Row index of a symbol in the mask table, or -1 when the pattern does not contain it. */
    private int rowOf(int sym) {
      int mask = slotKey.length - 1;
      int slot = mix(sym) & mask;
      while (slotStamp[slot] == stamp) {
        if (slotKey[slot] == sym) {
          return slotRow[slot];
        }
        slot = (slot + 1) & mask;
      }
      return -1;
    }

    private int single(int m, int[] t, int tOff, int n) {
      long vpw = m == 64 ? -1L : (1L << m) - 1;
      long vnw = 0;
      long last = 1L << (m - 1);
      int score = m;
      for (int j = 0; j < n; j++) {
        int row = rowOf(t[tOff + j]);
        long eq = row < 0 ? 0 : masks[row];
        long x = eq | vnw;
        long d0 = (((x & vpw) + vpw) ^ vpw) | x;
        long hp = vnw | ~(d0 | vpw);
        long hn = vpw & d0;
        if ((hp & last) != 0) {
          score++;
        } else if ((hn & last) != 0) {
          score--;
        }
        hp = (hp << 1) | 1;
        hn = hn << 1;
        vpw = hn | ~(d0 | hp);
        vnw = hp & d0;
      }
      return score;
    }

    private int blocks(int m, int words, int[] t, int tOff, int n) {
      if (vp.length < words) {
        vp = new long[words * 2];
        vn = new long[words * 2];
      }
      for (int w = 0; w < words; w++) {
        vp[w] = -1L;
        vn[w] = 0;
      }
      int lastBits = m - ((words - 1) << 6);
      long last = 1L << (lastBits - 1);
      int score = m;
      for (int j = 0; j < n; j++) {
        int row = rowOf(t[tOff + j]);
        int base = row * words;
        long hpCarry = 1;
        long hnCarry = 0;
        for (int w = 0; w < words; w++) {
          long eq = row < 0 ? 0 : masks[base + w];
          long vpw = vp[w];
          long vnw = vn[w];
          long x = eq | hnCarry;
          long d0 = (((x & vpw) + vpw) ^ vpw) | x | vnw;
          long hp = vnw | ~(d0 | vpw);
          long hn = vpw & d0;
          long hpIn = hpCarry;
          long hnIn = hnCarry;
          if (w < words - 1) {
            hpCarry = hp >>> 63;
            hnCarry = hn >>> 63;
          } else {
            hpCarry = (hp & last) != 0 ? 1 : 0;
            hnCarry = (hn & last) != 0 ? 1 : 0;
          }
          hp = (hp << 1) | hpIn;
          hn = (hn << 1) | hnIn;
          vp[w] = hn | ~(d0 | hp);
          vn[w] = hp & d0;
        }
        score += (int) (hpCarry - hnCarry);
      }
      return score;
    }
  }
}
