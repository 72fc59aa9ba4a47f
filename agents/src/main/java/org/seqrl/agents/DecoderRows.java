package org.seqrl.agents;

import org.seqrl.rl.Tokens;

/**
 * Where each position of each decoder row sits in a transformer decoder pass's row arrays
 * ("slots"). Slots are time-major: position t's are {@code [start[t], start[t + 1])}. A decoding
 * pass holds every row at every position ({@link #dense}); a teacher-forced pass leaves out the
 * positions past a row's last input ({@link #packed}): nothing reads them (the causal attention of
 * a row's real positions looks back, never forward, and the loss masks them), and at targets of 20-30
 * tokens they were a sixth of the decoder's products.
 */
final class DecoderRows {
  /** Decoder rows. */
  final int rows;
  /** [positions + 1]: position t's first slot; {@code start[positions]} is the slot count. */
  final int[] start;
  /** Per slot, its decoder row and its position. */
  final int[] rowAt;
  final int[] timeAt;
  /**
   * [positions * rows]: the slot of row i's position t at {@code t*rows + i}, -1 where left out.
   * It is also where the key/value cache of that position is, which beam search remaps instead of
   * copying the cache.
   */
  final int[] slot;

  private DecoderRows(int rows, int[] start, int[] rowAt, int[] timeAt, int[] slot) {
    this.rows = rows;
    this.start = start;
    this.rowAt = rowAt;
    this.timeAt = timeAt;
    this.slot = slot;
  }

  /** Every row at every one of {@code positions}. */
  static DecoderRows dense(int rows, int positions) {
    int[] start = new int[positions + 1];
    for (int t = 0; t <= positions; t++) {
      start[t] = t * rows;
    }
    int n = positions * rows;
    int[] rowAt = new int[n];
    int[] timeAt = new int[n];
    int[] slot = new int[n];
    for (int k = 0; k < n; k++) {
      rowAt[k] = k % rows;
      timeAt[k] = k / rows;
      slot[k] = k;
    }
    return new DecoderRows(rows, start, rowAt, timeAt, slot);
  }

  /**
   * Teacher forcing on time-major {@code inputs} [positions * rows]: row i's positions are those
   * before its first PAD input (position 0, START, always).
   */
  static DecoderRows packed(int[] inputs, int rows, int positions) {
    int[] len = new int[rows];
    int n = 0;
    for (int i = 0; i < rows; i++) {
      int t = 1;
      while (t < positions && inputs[t * rows + i] != Tokens.PAD) {
        t++;
      }
      len[i] = Math.min(t, positions);
      n += len[i];
    }
    int[] start = new int[positions + 1];
    int[] rowAt = new int[n];
    int[] timeAt = new int[n];
    int[] slot = new int[positions * rows];
    int k = 0;
    for (int t = 0; t < positions; t++) {
      start[t] = k;
      for (int i = 0; i < rows; i++) {
        if (t < len[i]) {
          rowAt[k] = i;
          timeAt[k] = t;
          slot[t * rows + i] = k++;
        } else {
          slot[t * rows + i] = -1;
        }
      }
    }
    start[positions] = k;
    return new DecoderRows(rows, start, rowAt, timeAt, slot);
  }

  /** Slots in all. */
  int slots() {
    return start[start.length - 1];
  }

  /** Whether every row has every position (slot t*rows + i is row i's position t). */
  boolean isDense() {
    return slots() == (start.length - 1) * rows;
  }
}
