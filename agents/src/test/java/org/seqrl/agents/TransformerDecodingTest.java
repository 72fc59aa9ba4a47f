package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.agents.Seq2SeqConfig.Norm;
import org.seqrl.agents.Seq2SeqConfig.PositionKind;
import org.seqrl.agents.Seq2SeqConfig.Transformer;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.Tokens;

/**
 * Decoding a transformer through its key/value cache gives what teacher forcing gives: sampled
 * log-probabilities, entropies and critic values equal the teacher-forced ones
 * ({@link RolloutConsistencyTest}), and beam search, which reorders the cache, scores every
 * returned hypothesis at its teacher-forced log-probability.
 */
class TransformerDecodingTest {
  static Seq2SeqConfig.Builder config(Norm norm, PositionKind positions, boolean tied) {
    return RolloutConsistencyTest.base().transformer(new Transformer(2, 2, 2, 8, 12, 0.0, norm, positions, tied));
  }

  @Test
  void sampledLogProbabilitiesEqualTeacherForcedPreNorm() {
    RolloutConsistencyTest.check(config(Norm.PRE, PositionKind.SINUSOIDAL, true).build());
  }

  @Test
  void sampledLogProbabilitiesEqualTeacherForcedPostNorm() {
    RolloutConsistencyTest.check(config(Norm.POST, PositionKind.LEARNED, false).build());
  }

  private static final float SCALE_OUT = 2;

  /** The output layer scaled 2x: distributions peaked enough that beams diverge, reorder and often beat greedy decoding. */
  @Test
  void beamScoresAreTeacherForcedLogProbabilities() {
    int maxLength = 5;
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(config(Norm.PRE, PositionKind.SINUSOIDAL, false).seed(21).build())) {
      for (Params.Param q : p.params.all()) {
        for (int i = 0; i < q.value.length; i++) {
          q.value[i] *= q.name.startsWith("out.") ? SCALE_OUT : 1;
        }
      }
      // a less likely END makes long hypotheses win, whose scores depend on the reordered cache (a cache
      // left unordered fails this test; short ones never read a reordered position)
      p.params.get("out.b").value[Tokens.END] -= 2;
      p.params.markChanged();
      Random r = new Random(5);
      int[][] src = new int[20][];
      for (int i = 0; i < src.length; i++) {
        src[i] = new int[1 + r.nextInt(5)];
        for (int t = 0; t < src[i].length; t++) {
          src[i][t] = 4 + r.nextInt(6);
        }
      }
      Rollout greedy = p.greedy(src, maxLength);
      int differsFromGreedy = 0; // long hypotheses that beams found and greedy did not
      for (int width : new int[] {2, 4}) {
        Seq2SeqPolicy.BeamResult beams = p.beamSearchWithScores(src, width, maxLength);
        for (int i = 0; i < src.length; i++) {
          int[] h = beams.hypotheses()[i];
          List<Integer> y = new ArrayList<>(Arrays.stream(h).boxed().toList());
          if (h.length < maxLength) {
            y.add(Tokens.END);
          }
          double tf = DecodingTest.teacherForcedLogProb(p, src[i], y);
          String at = "width " + width + " source " + Arrays.toString(src[i]) + " hypothesis " + y;
          assertEquals(tf, beams.scores()[i], 1e-4, at);
          double g = 0;
          for (int t = 0; t < greedy.lengths()[i]; t++) {
            g += greedy.logProbs()[i][t];
          }
          assertTrue(beams.scores()[i] >= g - 1e-4, at + ": below greedy " + g);
          if (beams.scores()[i] > g + 1e-4 && h.length >= 3) {
            differsFromGreedy++;
          }
        }
      }
      System.out.println("beam hypotheses of 3+ tokens above greedy: " + differsFromGreedy + " of " + 2 * src.length);
      assertTrue(differsFromGreedy > 5, "few long beam hypotheses beat greedy decoding: the reordering went untested");
    }
  }

  /** The heatmaps' attention weights: one distribution over each row's valid source positions per step. */
  @Test
  void crossAttentionWeightsAreDistributionsOverTheSource() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(config(Norm.PRE, PositionKind.SINUSOIDAL, true)
        .criticHeads(EnumSet.noneOf(CriticHead.class)).build())) {
      int[][] src = {{4, 5, 6}, {7}};
      Rollout r = p.sample(src, 2, 1.0, 6);
      assertTrue(r.attention() != null, "a transformer rollout carries attention weights");
      for (int i = 0; i < r.rows(); i++) {
        for (int t = 0; t < r.lengths()[i]; t++) {
          double[] w = r.attention()[i][t];
          assertEquals(src[r.inputOf(i)].length, w.length);
          assertEquals(1.0, Arrays.stream(w).sum(), 1e-5);
        }
      }
    }
  }

  /** A checkpoint restores the transformer's shape and weights: same decodes, and a restore into a recurrent shape is refused. */
  @Test
  void checkpointsSaveAndRestoreTheTransformer(@TempDir Path dir) throws IOException {
    Seq2SeqConfig cfg = config(Norm.POST, PositionKind.LEARNED, false).build();
    int[][] src = {{4, 5, 6}, {7, 8}};
    try (Seq2SeqPolicy a = new Seq2SeqPolicy(cfg)) {
      a.mleStep(src, new int[][] {{6, 5, 4}, {8, 7}}, new OptimizerSettings(0.01, 5.0));
      a.save(dir.resolve("ck"));
      try (Seq2SeqPolicy b = new Seq2SeqPolicy(cfg.toBuilder().seed(99).build())) {
        b.restore(dir.resolve("ck"));
        assertEquals(a.steps(), b.steps());
        Rollout ga = a.greedy(src, 6);
        Rollout gb = b.greedy(src, 6);
        for (int i = 0; i < src.length; i++) {
          assertEquals(Arrays.toString(ga.hypothesis(i)), Arrays.toString(gb.hypothesis(i)));
          assertEquals(Arrays.toString(ga.logProbs()[i]), Arrays.toString(gb.logProbs()[i]));
        }
      }
      try (Seq2SeqPolicy c = new Seq2SeqPolicy(cfg.toBuilder().transformer(null).build())) {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> c.restore(dir.resolve("ck")));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
      }
    }
  }

  /** An update that starts its backward from the sample's kept pass equals one that runs teacher forcing afresh. */
  @Test
  void updatesFromTheKeptSampleEqualFreshOnes() {
    TracedUpdateTest.check(config(Norm.PRE, PositionKind.SINUSOIDAL, true).build());
    TracedUpdateTest.check(config(Norm.POST, PositionKind.LEARNED, false).build());
  }
}
