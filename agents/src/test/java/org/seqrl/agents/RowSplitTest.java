package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.Rollout;

/**
 * The row loops that run on several threads (recurrent attention's per-row blocks and weighted sums)
 * give the same bits on any thread count: every row is computed by the same code whatever the split.
 */
class RowSplitTest {
  @AfterEach
  void restoreTheEnvironmentsThreadCount() {
    RowSplit.useThreads(RowSplit.fromEnvironment());
  }

  @Test
  void everyRowRunsExactlyOnceWhateverTheSplit() {
    for (int threads : new int[] {1, 2, 3, 5}) {
      RowSplit.useThreads(threads);
      for (int rows : new int[] {0, 1, 7, 16, 17, 100}) {
        AtomicIntegerArray seen = new AtomicIntegerArray(rows);
        RowSplit.run(rows, 4, (from, to) -> {
          for (int i = from; i < to; i++) {
            seen.incrementAndGet(i);
          }
        });
        for (int i = 0; i < rows; i++) {
          assertEquals(1, seen.get(i), "row " + i + " of " + rows + " on " + threads + " threads");
        }
      }
    }
  }

  @Test
  void aFailingRangeFailsTheCall() {
    RowSplit.useThreads(2);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> RowSplit.run(100, 1, (from, to) -> {
      if (from > 0) {
        throw new IllegalStateException("range " + from);
      }
    }));
    assertEquals("range 50", e.getMessage());
  }

  /** Greedy, sampled and beam decoding and MLE steps of recurrent attention models: the same bits on 1, 2 and 3 threads. */
  @Test
  void recurrentAttentionDecodesAndTrainsToTheSameBitsOnAnyThreadCount() {
    sameBitsOnAnyThreadCount(RolloutConsistencyTest.base().bidirectional(true).attention(Attention.ADDITIVE).build());
    sameBitsOnAnyThreadCount(RolloutConsistencyTest.base().cell(CellType.LSTM).attention(Attention.LOCATION).build());
  }

  /**
   * The same for a transformer whose matrix products split too: at width 64 every product of these
   * 70 sources has at least 64 rows (teacher-forced positions, decoding rows, the weights' gradients),
   * so each splits into row blocks, which OpenBLAS computes as it computes the whole.
   */
  @Test
  void aTransformerDecodesAndTrainsToTheSameBitsOnAnyThreadCount() {
    sameBitsOnAnyThreadCount(transformer(64));
  }

  /**
   * Products with fewer rows split into column blocks, which OpenBLAS sums in another order: the
   * decodes of 12 sources on 2 threads choose the same tokens with log-probabilities within float
   * rounding of one thread's, and the column blocks did run (the results are not the same bits).
   */
  @Test
  void fewRowProductsSplitByColumnsWithinRounding() {
    Seq2SeqConfig cfg = transformer(64);
    int[][] sources = new int[12][];
    Random r = new Random(4);
    for (int i = 0; i < sources.length; i++) {
      sources[i] = new int[3 + r.nextInt(6)];
      for (int t = 0; t < sources[i].length; t++) {
        sources[i][t] = 4 + r.nextInt(6);
      }
    }
    Rollout[] greedy = new Rollout[2];
    for (int threads : new int[] {1, 2}) {
      RowSplit.useThreads(threads);
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
        greedy[threads - 1] = p.greedy(sources, 9);
      }
    }
    assertEquals(Arrays.deepToString(greedy[0].tokens()), Arrays.deepToString(greedy[1].tokens()));
    boolean anyBitDiffers = false;
    for (int i = 0; i < sources.length; i++) {
      for (int t = 0; t < greedy[0].logProbs()[i].length; t++) {
        double one = greedy[0].logProbs()[i][t];
        double two = greedy[1].logProbs()[i][t];
        assertEquals(one, two, 1e-5 * Math.max(1, Math.abs(one)), "row " + i + " step " + t);
        anyBitDiffers |= one != two;
      }
    }
    assertTrue(anyBitDiffers, "12 rows split into column blocks, which round differently somewhere");
  }

  private static Seq2SeqConfig transformer(int width) {
    return Seq2SeqConfig.builder(10, 9).seed(5).criticHeads(EnumSet.allOf(CriticHead.class))
        .transformer(new Seq2SeqConfig.Transformer(1, 2, 2, width, 2 * width, 0.0, Seq2SeqConfig.Norm.PRE,
            Seq2SeqConfig.PositionKind.SINUSOIDAL, true)).build();
  }

  private static void sameBitsOnAnyThreadCount(Seq2SeqConfig cfg) {
    Random r = new Random(8);
    int[][] sources = new int[70][];
    int[][] targets = new int[70][];
    for (int i = 0; i < sources.length; i++) {
      sources[i] = new int[1 + r.nextInt(8)];
      for (int t = 0; t < sources[i].length; t++) {
        sources[i][t] = 4 + r.nextInt(6);
      }
      targets[i] = new int[1 + r.nextInt(8)];
      for (int t = 0; t < targets[i].length; t++) {
        targets[i][t] = 4 + r.nextInt(5);
      }
    }
    List<String> reference = null;
    for (int threads : new int[] {1, 2, 3}) {
      RowSplit.useThreads(threads);
      long splitsBefore = RowSplit.splits();
      List<String> got = run(cfg, sources, targets);
      if (threads == 1) {
        assertEquals(splitsBefore, RowSplit.splits(), "one thread never splits");
        reference = got;
      } else {
        // 70 sources x 4 beams = 280 decoding rows, 70 rows of up to 9 teacher-forced positions: the loops split
        assertTrue(RowSplit.splits() - splitsBefore > 100, "the loops ran split on " + threads + " threads");
        assertEquals(reference.size(), got.size());
        for (int k = 0; k < got.size(); k++) {
          assertEquals(reference.get(k), got.get(k), "item " + k + " on " + threads + " threads");
        }
      }
    }
  }

  /** Everything the policy computes, as exact strings (floats and doubles printed in full). */
  private static List<String> run(Seq2SeqConfig cfg, int[][] sources, int[][] targets) {
    List<String> out = new ArrayList<>();
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
      for (int step = 0; step < 2; step++) {
        out.add("mle loss " + p.mleStep(sources, targets, new OptimizerSettings(0.01, 5.0)).loss());
      }
      for (Params.Param q : p.params.all()) {
        out.add(q.name + " " + Arrays.toString(q.value));
      }
      Rollout greedy = p.greedy(sources, 9);
      out.add("greedy " + Arrays.deepToString(greedy.tokens()) + Arrays.deepToString(greedy.logProbs()));
      Rollout sampled = p.sample(sources, 2, 1.0, 9, 17L);
      out.add("sampled " + Arrays.deepToString(sampled.tokens()) + Arrays.deepToString(sampled.logProbs())
          + Arrays.deepToString(sampled.entropies()));
      Seq2SeqPolicy.BeamResult beams = p.beamSearchWithScores(sources, 4, 9);
      out.add("beams " + Arrays.deepToString(beams.hypotheses()) + Arrays.toString(beams.scores()));
    }
    return out;
  }

  @Test
  void theThreadCountFollowsOpenBlasAndIsChecked() {
    int fromEnvironment = RowSplit.fromEnvironment();
    assertTrue(fromEnvironment >= 1 && fromEnvironment <= Runtime.getRuntime().availableProcessors());
    assertThrows(IllegalArgumentException.class, () -> RowSplit.useThreads(0));
    RowSplit.useThreads(3);
    assertEquals(3, RowSplit.threads());
  }
}
