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
    return BitParallel.get().distance(a, b);
  }

  /** Token edit distance. */
  public static int distance(int[] a, int[] b) {
    return BitParallel.get().distance(a, b);
  }

  /** The smallest character edit distance to any reference. */
  public static int minDistance(String hypothesis, List<String> references) {
    if (references.isEmpty()) {
      return hypothesis.codePointCount(0, hypothesis.length());
    }
    BitParallel bp = BitParallel.get();
    int best = Integer.MAX_VALUE;
    for (String r : references) {
      best = Math.min(best, bp.distance(hypothesis, r));
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

    // symbols 0..255 (most text) index a direct table of per-word match masks; others go through
    // an open-addressing table from symbol to a row of masks
    private long[] direct = new long[256 * 4];
    private int[] slotKey = new int[64];
    private int[] slotStamp = new int[64];
    private int[] slotRow = new int[64];
    private long[] masks = new long[64];
    private int stamp;
    private int rows;
    private boolean hashed;
    private long[] vp = new long[4];
    private long[] vn = new long[4];
    private int[] bufA = new int[256];
    private int[] bufB = new int[256];

    /** Character distance by code point, without allocating when neither string has surrogates. */
    int distance(String a, String b) {
      int la = a.length();
      int lb = b.length();
      if (bufA.length < la) {
        bufA = new int[Math.max(la, 2 * bufA.length)];
      }
      if (bufB.length < lb) {
        bufB = new int[Math.max(lb, 2 * bufB.length)];
      }
      boolean surrogates = false;
      for (int i = 0; i < la; i++) {
        char c = a.charAt(i);
        surrogates |= Character.isSurrogate(c);
        bufA[i] = c;
      }
      for (int i = 0; i < lb; i++) {
        char c = b.charAt(i);
        surrogates |= Character.isSurrogate(c);
        bufB[i] = c;
      }
      if (surrogates) {
        int[] ca = PyText.codePoints(a);
        int[] cb = PyText.codePoints(b);
        return distance(ca, ca.length, cb, cb.length);
      }
      return distance(bufA, la, bufB, lb);
    }

    int distance(int[] a, int[] b) {
      return distance(a, a.length, b, b.length);
    }

    int distance(int[] a, int lenA, int[] b, int lenB) {
      int start = 0;
      int endA = lenA;
      int endB = lenB;
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
      int d = words == 1 ? single(m, t, tOff, n) : words == 2 ? twoWords(m, t, tOff, n) : blocks(m, words, t, tOff, n);
      clearDirect(p, pOff, m, words);
      return d;
    }

    private void buildTable(int[] p, int off, int m, int words) {
      if (direct.length < 256 * words) {
        direct = new long[256 * words];
      }
      hashed = false;
      rows = 0;
      for (int i = 0; i < m; i++) {
        int sym = p[off + i];
        long bit = 1L << (i & 63);
        if (sym >= 0 && sym < 256) {
          direct[sym * words + (i >>> 6)] |= bit;
        } else {
          // the row first: hashRow may replace the masks array, which an indexed store would read before it
          int row = hashRow(sym, m, words);
          masks[row * words + (i >>> 6)] |= bit;
        }
      }
    }

    private void clearDirect(int[] p, int off, int m, int words) {
      for (int i = 0; i < m; i++) {
        int sym = p[off + i];
        if (sym >= 0 && sym < 256) {
          java.util.Arrays.fill(direct, sym * words, sym * words + words, 0L);
        }
      }
    }

    /** The mask row of a symbol outside 0..255, created on first sight for this pattern. */
    private int hashRow(int sym, int m, int words) {
      if (!hashed) {
        hashed = true;
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
      }
      int mask = slotKey.length - 1;
      int slot = mix(sym) & mask;
      while (slotStamp[slot] == stamp) {
        if (slotKey[slot] == sym) {
          return slotRow[slot];
        }
        slot = (slot + 1) & mask;
      }
      slotStamp[slot] = stamp;
      slotKey[slot] = sym;
      int row = rows++;
      slotRow[slot] = row;
      java.util.Arrays.fill(masks, row * words, row * words + words, 0L);
      return row;
    }

    private static int mix(int x) {
      int h = x * 0x9E3779B9;
      return h ^ (h >>> 16);
    }

    /** Row of a symbol outside 0..255 in the mask table, or -1 when the pattern does not contain it. */
    private int rowOf(int sym) {
      if (!hashed) {
        return -1;
      }
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

    private long eq(int sym, int words, int w) {
      if (sym >= 0 && sym < 256) {
        return direct[sym * words + w];
      }
      int row = rowOf(sym);
      return row < 0 ? 0 : masks[row * words + w];
    }

    private int single(int m, int[] t, int tOff, int n) {
      long vpw = m == 64 ? -1L : (1L << m) - 1;
      long vnw = 0;
      long last = 1L << (m - 1);
      int score = m;
      long[] dir = direct;
      for (int j = 0; j < n; j++) {
        int sym = t[tOff + j];
        long eq = (sym >= 0 && sym < 256) ? dir[sym] : eq(sym, 1, 0);
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

    /** The block algorithm unrolled for 65..128 symbols (sentence-length text), state in registers. */
    private int twoWords(int m, int[] t, int tOff, int n) {
      long vp0 = -1L;
      long vn0 = 0;
      long vp1 = -1L;
      long vn1 = 0;
      long last = 1L << (m - 64 - 1);
      int score = m;
      long[] dir = direct;
      for (int j = 0; j < n; j++) {
        int sym = t[tOff + j];
        long eq0;
        long eq1;
        if (sym >= 0 && sym < 256) {
          eq0 = dir[sym * 2];
          eq1 = dir[sym * 2 + 1];
        } else {
          int row = rowOf(sym);
          eq0 = row < 0 ? 0 : masks[row * 2];
          eq1 = row < 0 ? 0 : masks[row * 2 + 1];
        }
        // word 0: carries in hp = 1, hn = 0
        long x = eq0;
        long d0 = (((x & vp0) + vp0) ^ vp0) | x | vn0;
        long hp = vn0 | ~(d0 | vp0);
        long hn = vp0 & d0;
        long hpCarry = hp >>> 63;
        long hnCarry = hn >>> 63;
        hp = (hp << 1) | 1;
        hn = hn << 1;
        vp0 = hn | ~(d0 | hp);
        vn0 = hp & d0;
        // word 1
        x = eq1 | hnCarry;
        d0 = (((x & vp1) + vp1) ^ vp1) | x | vn1;
        hp = vn1 | ~(d0 | vp1);
        hn = vp1 & d0;
        if ((hp & last) != 0) {
          score++;
        } else if ((hn & last) != 0) {
          score--;
        }
        hp = (hp << 1) | hpCarry;
        hn = (hn << 1) | hnCarry;
        vp1 = hn | ~(d0 | hp);
        vn1 = hp & d0;
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
        int sym = t[tOff + j];
        boolean small = sym >= 0 && sym < 256;
        int row = small ? -1 : rowOf(sym);
        long hpCarry = 1;
        long hnCarry = 0;
        for (int w = 0; w < words; w++) {
          long eq = small ? direct[sym * words + w] : row < 0 ? 0 : masks[row * words + w];
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
