package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.seqrl.rl.Tokens;

class DecoderRowsTest {
  @Test
  void denseHoldsEveryRowAtEveryPosition() {
    DecoderRows m = DecoderRows.dense(2, 3);
    assertTrue(m.isDense());
    assertEquals(6, m.slots());
    assertArrayEquals(new int[] {0, 2, 4, 6}, m.start);
    assertArrayEquals(new int[] {0, 1, 0, 1, 0, 1}, m.rowAt);
    assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, m.timeAt);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, m.slot);
  }

  /** Rows of 3 positions: row 0 has all, row 1 stops before its first PAD input (t = 1), row 2 before t = 2. */
  @Test
  void packedLeavesOutThePositionsFromARowsFirstPadInput() {
    int pad = Tokens.PAD;
    int s = Tokens.START;
    int[] inputs = {s, s, s, 5, pad, 6, 7, pad, pad};
    DecoderRows m = DecoderRows.packed(inputs, 3, 3);
    assertFalse(m.isDense());
    assertEquals(6, m.slots());
    assertArrayEquals(new int[] {0, 3, 5, 6}, m.start);
    assertArrayEquals(new int[] {0, 1, 2, 0, 2, 0}, m.rowAt);
    assertArrayEquals(new int[] {0, 0, 0, 1, 1, 2}, m.timeAt);
    assertArrayEquals(new int[] {0, 1, 2, 3, -1, 4, 5, -1, -1}, m.slot);
  }
}
