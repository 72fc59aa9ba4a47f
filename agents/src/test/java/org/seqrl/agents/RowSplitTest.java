package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * The loops that run on several threads give the same bits on any thread count (every row is computed
 * by the same code whatever the split); matrix products split into row blocks give them too, into
 * column blocks they agree within rounding.
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

  /** A range that throws fails the call with its exception, and the other ranges still ran. */
  @Test
  void aFailingRangeFailsTheCall() {
    RowSplit.useThreads(2);
    AtomicIntegerArray seen = new AtomicIntegerArray(100);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> RowSplit.run(100, 1, (from, to) -> {
      for (int i = from; i < to; i++) {
        seen.incrementAndGet(i);
      }
      if (from == 50) {
        throw new IllegalStateException("range " + from);
      }
    }));
    assertEquals("range 50", e.getMessage());
    for (int i = 0; i < 100; i++) {
      assertEquals(1, seen.get(i), "row " + i);
    }
  }

  /** Greedy, sampled and beam decoding and MLE steps of recurrent attention models: the same bits on 1, 2 and 3 threads. */
  @Test
  void recurrentAttentionDecodesAndTrainsToTheSameBitsOnAnyThreadCount() {
    sameBitsOnAnyThreadCount(RolloutConsistencyTest.base().bidirectional(true).attention(Attention.ADDITIVE).build());
    sameBitsOnAnyThreadCount(RolloutConsistencyTest.base().cell(CellType.LSTM).attention(Attention.LOCATION).build());
  }

  /**
   * A transformer, whose matrix products split too: row blocks (the same bits) or column blocks (the
   * last bits differ). On 2 and 3 threads its MLE steps, parameters and decodes agree with one
   * thread's within float rounding, its decodes choose the same tokens, and both its loops and its
   * products did split.
   */
  @Test
  void aTransformerTrainsAndDecodesOnAnyThreadCountWithinRounding() {
    Seq2SeqConfig cfg = transformer(64);
    Random r = new Random(8);
    int[][] sources = new int[70][];
    int[][] targets = new int[70][];
    for (int i = 0; i < sources.length; i++) {
      sources[i] = randomTokens(r, 1 + r.nextInt(8), 6);
      targets[i] = randomTokens(r, 1 + r.nextInt(8), 5);
    }
    List<double[]> reference = null;
    List<String> referenceTokens = null;
    for (int threads : new int[] {1, 2, 3}) {
      RowSplit.useThreads(threads);
      long splitsBefore = RowSplit.splits();
      List<double[]> numbers = new ArrayList<>();
      List<String> tokens = new ArrayList<>();
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
        for (int step = 0; step < 2; step++) {
          numbers.add(new double[] {p.mleStep(sources, targets, new OptimizerSettings(0.01, 5.0)).loss()});
        }
        for (Params.Param q : p.params.all()) {
          numbers.add(Mat.toDouble(q.value, 0, q.value.length));
        }
        Rollout greedy = p.greedy(sources, 9);
        tokens.add(Arrays.deepToString(greedy.tokens()));
        Arrays.stream(greedy.logProbs()).forEach(numbers::add);
        Rollout sampled = p.sample(sources, 2, 1.0, 9, 17L);
        tokens.add(Arrays.deepToString(sampled.tokens()));
        Arrays.stream(sampled.logProbs()).forEach(numbers::add);
        Seq2SeqPolicy.BeamResult beams = p.beamSearchWithScores(sources, 4, 9);
        tokens.add(Arrays.deepToString(beams.hypotheses()));
        numbers.add(beams.scores());
      }
      if (threads == 1) {
        reference = numbers;
        referenceTokens = tokens;
        continue;
      }
      assertTrue(RowSplit.splits() - splitsBefore > 100, "the loops and products ran split on " + threads + " threads");
      assertEquals(referenceTokens, tokens, "tokens on " + threads + " threads");
      assertEquals(reference.size(), numbers.size());
      for (int k = 0; k < numbers.size(); k++) {
        double[] want = reference.get(k);
        double[] got = numbers.get(k);
        assertEquals(want.length, got.length);
        for (int j = 0; j < want.length; j++) {
          assertEquals(want[j], got[j], 1e-4 * Math.max(1, Math.abs(want[j])), "item " + k + "[" + j + "] on " + threads + " threads");
        }
      }
    }
  }

  private static int[] randomTokens(Random r, int n, int kinds) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = 4 + r.nextInt(kinds);
    }
    return t;
  }

  /** A product with many more rows than columns splits into row blocks at the measured alignment: the same bits as one thread's. */
  @Test
  void rowBlocksGiveTheBitsOfTheWholeProduct() {
    assumeTrue(Blas.ROW_ALIGNMENT > 0, "OpenBLAS's kernel on this CPU computes no row panel alike wherever it sits");
    for (boolean transA : new boolean[] {false, true}) {
      float[] one = product(1, transA, false, 301, 40, 70, 0f);
      for (int threads : new int[] {2, 3}) {
        long before = RowSplit.splits();
        float[] many = product(threads, transA, false, 301, 40, 70, 0f);
        assertTrue(RowSplit.splits() > before, "the product split on " + threads + " threads");
        assertArrayEquals(one, many, "transA " + transA + " on " + threads + " threads");
      }
    }
  }

  /**
   * A product with few rows splits into column blocks: within rounding of one thread's, with c a block
   * of a wider matrix (and beta != 0) whose other columns stay as they were.
   */
  @Test
  void columnBlocksAgreeWithinRoundingAndWriteOnlyTheirColumns() {
    for (boolean transA : new boolean[] {false, true}) {
      for (boolean transB : new boolean[] {false, true}) {
        for (float beta : new float[] {0f, 0.5f}) {
          float[] one = product(1, transA, transB, 20, 400, 300, beta);
          long before = RowSplit.splits();
          float[] two = product(2, transA, transB, 20, 400, 300, beta);
          assertTrue(RowSplit.splits() > before, "the product split");
          for (int i = 0; i < one.length; i++) {
            assertEquals(one[i], two[i], 1e-4f * Math.max(1f, Math.abs(one[i])), "element " + i);
          }
        }
      }
    }
  }

  /**
   * {@code c = 0.7 op(a) op(b) + beta c} on {@code threads} threads, c an m x n block (at column 3) of
   * an m x (n + 5) matrix filled with 9s; returns the whole matrix, whose other columns must stay 9.
   */
  private static float[] product(int threads, boolean transA, boolean transB, int m, int n, int k, float beta) {
    RowSplit.useThreads(threads);
    Random r = new Random(m * 7919L + n * 31L + k);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextGaussian();
    }
    int ldc = n + 5;
    float[] c = new float[m * ldc];
    Arrays.fill(c, 9f);
    try (Blas blas = new Blas()) {
      blas.gemm(transA, transB, m, n, k, 0.7f, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 3, ldc);
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < ldc; j++) {
        if (j < 3 || j >= 3 + n) {
          assertEquals(9f, c[i * ldc + j], "outside the block: row " + i + " column " + j);
        }
      }
    }
    return c;
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
