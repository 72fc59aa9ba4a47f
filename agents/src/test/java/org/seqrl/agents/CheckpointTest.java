package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;

class CheckpointTest {
  private static Seq2SeqConfig cfg(long seed) {
    return Seq2SeqConfig.builder(10, 10).embedding(8).hidden(16).attention(Attention.ADDITIVE).dropout(0.2)
        .encoderLayers(2).criticHeads(EnumSet.of(CriticHead.SEQUENCE)).seed(seed).build();
  }

  /** MLE steps then RL steps; returns every number it saw. */
  static List<Double> run(Seq2SeqPolicy p, Random data, int mle, int rl) {
    List<Double> seen = new ArrayList<>();
    for (int i = 0; i < mle; i++) {
      int[][][] b = LearningTest.reverseBatch(data, 8);
      seen.add(p.mleStep(b[0], b[1], new OptimizerSettings(0.01, 1.0)).loss());
    }
    for (int i = 0; i < rl; i++) {
      int[][][] b = LearningTest.reverseBatch(data, 4);
      Rollout s = p.sample(b[0], 2, 1.0, 8);
      double[][] adv = new double[s.rows()][s.maxLength()];
      double[] targets = new double[s.rows()];
      for (int r = 0; r < s.rows(); r++) {
        targets[r] = LearningTest.matchReward(s.hypothesis(r), b[1][s.inputOf(r)]);
        java.util.Arrays.fill(adv[r], 0, s.lengths()[r], targets[r] - s.sequenceValues()[r]);
        for (int t : s.tokens()[r]) {
          seen.add((double) t);
        }
      }
      seen.add(p.update(new PolicyGradientBatch(s, adv, targets, null, 0.01, 0.5), new OptimizerSettings(0.01, 1.0))
          .loss());
    }
    return seen;
  }

  @Test
  void restoreContinuesBitForBit(@TempDir Path dir) throws IOException {
    List<Double> uninterrupted;
    try (Seq2SeqPolicy a = new Seq2SeqPolicy(cfg(1))) {
      Random data = new Random(5);
      run(a, data, 5, 3);
      uninterrupted = run(a, data, 4, 4);
    }
    List<Double> resumed;
    Path ck = dir.resolve("ck");
    Random data = new Random(5);
    try (Seq2SeqPolicy a = new Seq2SeqPolicy(cfg(1))) {
      run(a, data, 5, 3);
      a.save(ck);
      a.save(ck); // overwriting an existing checkpoint works too
    }
    try (Seq2SeqPolicy b = new Seq2SeqPolicy(cfg(99))) { // other initial weights, replaced by restore
      b.restore(ck);
      assertEquals(8, b.steps());
      resumed = run(b, data, 4, 4);
    }
    assertEquals(uninterrupted, resumed);
    try (var s = Files.list(dir)) {
      assertEquals(List.of(ck), s.toList(), "no temporary or old directories left behind");
    }
  }

  @Test
  void restoreFallsBackToThePreviousCheckpointAfterAKillBetweenRenames(@TempDir Path dir) throws IOException {
    Path ck = dir.resolve("ck");
    float[] before;
    try (Seq2SeqPolicy a = new Seq2SeqPolicy(cfg(1))) {
      a.save(ck);
      before = a.params.get("out.W").value.clone();
    }
    Files.move(ck, dir.resolve("ck.old")); // the state a kill between the two renames leaves
    try (Seq2SeqPolicy b = new Seq2SeqPolicy(cfg(2))) {
      b.restore(ck);
      assertArrayEquals(before, b.params.get("out.W").value);
    }
  }

  @Test
  void restoreRejectsAnotherShape(@TempDir Path dir) throws IOException {
    Path ck = dir.resolve("ck");
    try (Seq2SeqPolicy a = new Seq2SeqPolicy(cfg(1))) {
      a.save(ck);
    }
    Seq2SeqConfig other = cfg(1).toBuilder().hidden(12).build();
    try (Seq2SeqPolicy b = new Seq2SeqPolicy(other)) {
      IOException e = assertThrows(IOException.class, () -> b.restore(ck));
      assertTrue(e.getMessage().contains("hidden=16"), e.getMessage());
    }
  }

  /** Label smoothing is a loss setting: a smoothed model's checkpoint restores into a policy without it (RL from it). */
  @Test
  void aModelTrainedWithLabelSmoothingRestoresWithoutIt(@TempDir Path dir) throws IOException {
    Path ck = dir.resolve("ck");
    float[] saved;
    try (Seq2SeqPolicy a = new Seq2SeqPolicy(cfg(1).toBuilder().labelSmoothing(0.2).build())) {
      run(a, new Random(5), 3, 0);
      a.save(ck);
      saved = a.params.get("out.W").value.clone();
    }
    try (Seq2SeqPolicy b = new Seq2SeqPolicy(cfg(9))) {
      b.restore(ck);
      assertTrue(java.util.Arrays.equals(saved, b.params.get("out.W").value), "the smoothed model's weights were restored");
    }
  }

  private static float[][] values(Seq2SeqPolicy p) {
    return p.params.all().stream().map(x -> x.value.clone()).toArray(float[][]::new);
  }

  private static float[][] averages(Seq2SeqPolicy p) {
    return p.params.all().stream().map(x -> x.average.clone()).toArray(float[][]::new);
  }

  /**
   * pretrain.ema_decay's weight average: it starts at the weights, moves by decay, swaps in and back, and
   * a checkpoint keeps it beside the weights (saved while swapped in, the averaged model alone).
   */
  @Test
  void weightAverageUpdatesSwapsAndSurvivesACheckpoint(@TempDir Path dir) throws IOException {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg(1))) {
      assertFalse(p.hasAverage());
      p.updateAverage(0.75);
      float[][] start = values(p);
      assertArrayEquals(start, averages(p), "the first update starts the average at the weights");
      run(p, new Random(5), 3, 0);
      float[][] trained = values(p);
      p.updateAverage(0.75);
      float[][] avg = averages(p);
      float d = 0.75f;
      boolean moved = false;
      for (int k = 0; k < avg.length; k++) {
        for (int i = 0; i < avg[k].length; i++) {
          assertEquals(d * start[k][i] + (1 - d) * trained[k][i], avg[k][i], 0f);
          moved |= avg[k][i] != trained[k][i] && avg[k][i] != start[k][i];
        }
      }
      assertTrue(moved, "three MLE steps must move the weights for this test to mean anything");

      int[][] sources = LearningTest.reverseBatch(new Random(9), 6)[0];
      p.swapAverage();
      assertArrayEquals(avg, values(p));
      assertArrayEquals(trained, averages(p));
      int[][] averagedGreedy = p.greedy(sources, 8).tokens();
      p.save(dir.resolve("swapped"));
      p.swapAverage();
      assertArrayEquals(trained, values(p));
      assertArrayEquals(avg, averages(p));
      p.save(dir.resolve("plain"));
      assertTrue(Files.exists(dir.resolve("plain").resolve(Checkpoints.AVERAGE_FILE)));
      assertFalse(Files.exists(dir.resolve("swapped").resolve(Checkpoints.AVERAGE_FILE)),
          "saved while swapped in, the checkpoint is the averaged model alone");

      try (Seq2SeqPolicy q = new Seq2SeqPolicy(cfg(2))) {
        q.restore(dir.resolve("plain"));
        assertArrayEquals(trained, values(q));
        assertArrayEquals(avg, averages(q));
        q.restore(dir.resolve("swapped"));
        assertArrayEquals(avg, values(q));
        assertFalse(q.hasAverage(), "restoring a checkpoint without an average drops the one held before");
        assertArrayEquals(averagedGreedy, q.greedy(sources, 8).tokens(), "the swapped-in average decodes as that model");
      }
      p.adoptAverage();
      assertArrayEquals(avg, values(p));
      assertFalse(p.hasAverage());
    }
  }
}
