package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.OptimizerSettings;

/** The NTM inside the policy: its memory trace, and checkpoints that carry its shape. */
class NtmPolicyTest {
  static final NtmSpec MEMORY = new NtmSpec(6, 4, 2, 1, 1, NtmSpec.Controller.FEEDFORWARD, 1e-6);

  static Seq2SeqConfig cfg(long seed) {
    return Seq2SeqConfig.builder(9, 9).embedding(5).hidden(8).cell(CellType.NTM).memory(MEMORY).seed(seed).build();
  }

  @Test
  void memoryTraceHasOneDistributionPerStep() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg(3))) {
      Seq2SeqPolicy.MemoryTrace m = p.memoryTrace(new int[] {4, 5, 6}, new int[] {7, 8});
      assertEquals(3, m.sourceSteps());
      assertEquals(3 + 3, m.write().length, "3 encoder steps, then START, 7, 8 in the decoder");
      assertEquals(6, m.read().length);
      for (float[][] w : new float[][][] {m.write(), m.read()}) {
        for (float[] row : w) {
          assertEquals(MEMORY.slots(), row.length);
          double sum = 0;
          for (float v : row) {
            assertTrue(v >= 0, "weights are non-negative");
            sum += v;
          }
          assertEquals(1, sum, 1e-5);
        }
      }
      // the first encoder step moves the write head away from its start on slot 0 by its own addressing
      assertTrue(m.write()[0][0] < 1f);
    }
    try (Seq2SeqPolicy gru = new Seq2SeqPolicy(Seq2SeqConfig.builder(9, 9).hidden(8).build())) {
      assertNull(gru.memoryTrace(new int[] {4}, new int[] {5}));
    }
  }

  /**
   * With model.carry_cell_state a decoder row starts from its source's controller c after the source's
   * last real position: padding a short source in a batch with a longer one does not change it.
   */
  @Test
  void theCarriedControllerStateOfAPaddedSourceIsItsLastRealOne() {
    NtmSpec lstm = new NtmSpec(6, 4, 1, 1, 1, NtmSpec.Controller.LSTM, 1e-6);
    Seq2SeqConfig c = Seq2SeqConfig.builder(9, 9).embedding(5).hidden(8).cell(CellType.NTM).memory(lstm).carryCellState(true)
        .seed(3).build();
    int h = c.hidden();
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(c)) {
      p.params.syncMirror();
      Decoder.Pass padded = p.teacherForced(Objective.mle(new int[][] {{4, 5, 6}, {7, 8, 4, 5, 6}}, new int[][] {{4}, {5}}), false);
      Decoder.Pass alone = p.teacherForced(Objective.mle(new int[][] {{4, 5, 6}}, new int[][] {{4}}), false);
      CellRun enc = padded.encoding().runs[0][0];
      CellRun dec = ((RecurrentDecoder) p.decoder).cellRun(padded);
      float[] start = java.util.Arrays.copyOfRange(dec.prev[1], 0, h);
      // the encoder's c for source 0 after its third (last real) position, batch of 2
      float[] last = java.util.Arrays.copyOfRange(enc.out[1], 2 * 2 * h, 2 * 2 * h + h);
      assertArrayEquals(last, start);
      assertArrayEquals(java.util.Arrays.copyOfRange(((RecurrentDecoder) p.decoder).cellRun(alone).prev[1], 0, h), start);
      double norm = 0;
      for (float v : start) {
        norm += v * v;
      }
      assertTrue(norm > 1e-6, "the carried c is not zero");
      // source 1's row starts from its own final c, which differs
      assertTrue(!java.util.Arrays.equals(start, java.util.Arrays.copyOfRange(dec.prev[1], h, 2 * h)));
    }
  }

  @Test
  void checkpointsCarryTheMemoryShape(@TempDir Path dir) throws IOException {
    int[][] src = {{4, 5, 6}, {7}};
    Path ck = dir.resolve("ck");
    int[][] greedy;
    try (Seq2SeqPolicy a = new Seq2SeqPolicy(cfg(3))) {
      a.mleStep(src, new int[][] {{4, 5, 6}, {7}}, new OptimizerSettings(0.01, 5.0));
      greedy = a.greedy(src, 6).tokens();
      a.save(ck);
    }
    assertEquals(cfg(3).memory(), Seq2SeqConfig.fromProperties(cfg(3).toProperties()).memory());
    try (Seq2SeqPolicy b = new Seq2SeqPolicy(cfg(99))) {
      b.restore(ck);
      int[][] again = b.greedy(src, 6).tokens();
      for (int i = 0; i < src.length; i++) {
        assertArrayEquals(greedy[i], again[i]);
      }
    }
  }
}
