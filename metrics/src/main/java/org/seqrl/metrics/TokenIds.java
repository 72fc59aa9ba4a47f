package org.seqrl.metrics;

import java.util.Arrays;

/**
 * Numbers the whitespace tokens of a few lines (Python's {@code str.split()}) densely, equal tokens equal
 * ids, straight from the text: no substring and no map entry per token. A token is known by where it first
 * occurred (line, start, length); a later one is compared with it by {@code regionMatches}. This replaced
 * {@code PyText.split} plus a {@code HashMap<String, Integer>} per sentence, about a third of a
 * {@code seqrl score --metric bleu} run. Per thread and reused: {@link #get()}, then {@link #clear()} per sentence.
 */
final class TokenIds {
  private static final ThreadLocal<TokenIds> LOCAL = ThreadLocal.withInitial(TokenIds::new);

  static TokenIds get() {
    return LOCAL.get();
  }

  private String[] lines = new String[8];
  private int lineCount;
  private int size;

  // open addressing over first occurrences; a slot is live when its stamp is the current generation
  private int[] stamp = new int[256];
  private int[] hashOf = new int[256];
  private int[] idOf = new int[256];
  private int[] lineOf = new int[256];
  private int[] startOf = new int[256];
  private int[] lengthOf = new int[256];
  private int generation = 1;

  private int[] buffer = new int[64];

  /** Forgets every token: the next ids start at 0 again. */
  void clear() {
    lineCount = 0;
    size = 0;
    if (++generation == Integer.MAX_VALUE) {
      Arrays.fill(stamp, 0);
      generation = 1;
    }
  }

  /** The ids of the whitespace tokens of {@code line}, numbering tokens not seen since {@link #clear()} anew. */
  int[] ids(String line) {
    if (lineCount == lines.length) {
      lines = Arrays.copyOf(lines, lineCount * 2);
    }
    int lineIndex = lineCount;
    lines[lineCount++] = line;
    int count = 0;
    int n = line.length();
    int i = 0;
    while (i < n) {
      while (i < n && PyText.isSpace(line.charAt(i))) {
        i++;
      }
      if (i == n) {
        break;
      }
      int start = i;
      int hash = 0;
      char c;
      while (i < n && !PyText.isSpace(c = line.charAt(i))) {
        hash = 31 * hash + c;
        i++;
      }
      if (count == buffer.length) {
        buffer = Arrays.copyOf(buffer, count * 2);
      }
      buffer[count++] = id(line, lineIndex, start, i - start, hash);
    }
    return Arrays.copyOf(buffer, count);
  }

  private int id(String line, int lineIndex, int start, int length, int hash) {
    if (2 * (size + 1) > stamp.length) {
      grow();
    }
    int mask = stamp.length - 1;
    int slot = spread(hash) & mask;
    while (stamp[slot] == generation) {
      if (hashOf[slot] == hash && lengthOf[slot] == length
          && line.regionMatches(start, lines[lineOf[slot]], startOf[slot], length)) {
        return idOf[slot];
      }
      slot = (slot + 1) & mask;
    }
    stamp[slot] = generation;
    hashOf[slot] = hash;
    lengthOf[slot] = length;
    lineOf[slot] = lineIndex;
    startOf[slot] = start;
    idOf[slot] = size;
    return size++;
  }

  /** String hashes of short tokens differ mostly in their low bits; mix the high ones in. */
  private static int spread(int hash) {
    int h = hash * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  private void grow() {
    int[] oldStamp = stamp;
    int[] oldHash = hashOf;
    int[] oldId = idOf;
    int[] oldLine = lineOf;
    int[] oldStart = startOf;
    int[] oldLength = lengthOf;
    int capacity = oldStamp.length * 2;
    stamp = new int[capacity];
    hashOf = new int[capacity];
    idOf = new int[capacity];
    lineOf = new int[capacity];
    startOf = new int[capacity];
    lengthOf = new int[capacity];
    int mask = capacity - 1;
    for (int s = 0; s < oldStamp.length; s++) {
      if (oldStamp[s] != generation) {
        continue;
      }
      int slot = spread(oldHash[s]) & mask;
      while (stamp[slot] == generation) {
        slot = (slot + 1) & mask;
      }
      stamp[slot] = generation;
      hashOf[slot] = oldHash[s];
      idOf[slot] = oldId[s];
      lineOf[slot] = oldLine[s];
      startOf[slot] = oldStart[s];
      lengthOf[slot] = oldLength[s];
    }
  }
}
