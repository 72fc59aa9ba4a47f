package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.Tokens;

/**
 * Decoding with the recurrent model's step graph: the encoder once, then one step per token with
 * the states carried in Java. Its log-probabilities are the teacher-forced graph's (a state that
 * were not carried, or carried from the wrong beam, would change them at the second step), and
 * greedy, sampling and beam search give what re-running the unrolled graph on the prefix gives.
 */
class SameDiffStepGraphTest {
  private static final int[][] SOURCES = {{4, 5, 6}, {7, 4}, {5, 5, 6, 7}, {6}};
  private static final int MAX_TARGET = 7;

  private static Seq2SeqConfig config(CellType cell, Attention attention) {
    return Seq2SeqConfig.builder(9, 9).embedding(5).hidden(6).cell(cell).attention(attention).attentionSize(4).seed(11)
        .build();
  }

  /**
   * Moves every weight but the output bias by Gaussian noise (the same for every policy of a config)
   * and lowers END's bias, so that hypotheses run long, beams part from the greedy path and a beam's
   * state is not its neighbour's (with the small initial values, beams end after a token or two).
   */
  private static void perturb(SameDiffPolicy p) {
    Random r = new Random(3);
    for (String name : p.variableNames()) {
      float[] v = p.values(name);
      if (name.equals("out.b")) {
        v[Tokens.END] -= 2f;
      } else {
        for (int i = 0; i < v.length; i++) {
          v[i] += (float) (0.6 * r.nextGaussian());
        }
      }
      p.setValues(name, v);
    }
  }

  /** log π(y_t | y_<t, x) of every decoded token, from one teacher-forced run of the unrolled graph. */
  private static double[][] teacherForced(SameDiffPolicy p, Rollout ro, int vocab) {
    int r = ro.rows();
    int[][] rowSources = new int[r][];
    for (int i = 0; i < r; i++) {
      rowSources[i] = ro.sources()[i / ro.samplesPerInput()];
    }
    SameDiffInputs feed = new SameDiffInputs(p.graph(), "source_ids", "source_mask", "decoder_input");
    INDArray lg = p.graph().output(feed.inputs(rowSources, SameDiffInputs.shifted(ro.tokens(), ro.lengths())), "logits")
        .get("logits");
    float[] all = SameDiffInputs.floats(lg);
    long t = lg.size(1);
    double[][] out = new double[r][ro.maxLength()];
    double[] row = new double[vocab];
    double[] lp = new double[vocab];
    for (int i = 0; i < r; i++) {
      for (int k = 0; k < ro.lengths()[i]; k++) {
        for (int v = 0; v < vocab; v++) {
          row[v] = all[(int) ((i * t + k) * vocab + v)];
        }
        LossMath.logSoftmax(row, 1.0, lp);
        out[i][k] = lp[ro.tokens()[i][k]];
      }
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource({"GRU, ADDITIVE", "GRU, NONE", "LSTM, ADDITIVE", "LSTM, NONE"})
  void stepDecodedLogProbabilitiesAreTheTeacherForcedOnes(CellType cell, Attention attention) {
    Seq2SeqConfig cfg = config(cell, attention);
    try (SameDiffPolicy p = SameDiffSeq2Seq.policy(cfg, 4, MAX_TARGET)) {
      assertTrue(p.hasStepGraph());
      perturb(p);
      Rollout s = p.sample(SOURCES, 3, 1.0, MAX_TARGET, 99L);
      double[][] tf = teacherForced(p, s, cfg.targetVocab());
      int longRows = 0;
      for (int i = 0; i < s.rows(); i++) {
        longRows += s.lengths()[i] >= 3 ? 1 : 0;
        for (int k = 0; k < s.lengths()[i]; k++) {
          assertEquals(tf[i][k], s.logProbs()[i][k], 1e-5, "row " + i + " step " + k);
        }
      }
      // the comparison covers steps whose logits depend on the carried state
      assertTrue(longRows >= 3, "only " + longRows + " sampled rows reached 3 tokens");
    }
  }

  @ParameterizedTest
  @CsvSource({"GRU, ADDITIVE", "LSTM, NONE"})
  void greedySamplingAndBeamsEqualThePrefixPath(CellType cell, Attention attention) {
    Seq2SeqConfig cfg = config(cell, attention);
    try (SameDiffPolicy step = SameDiffSeq2Seq.policy(cfg, 4, MAX_TARGET, true);
        SameDiffPolicy prefix = SameDiffSeq2Seq.policy(cfg, 4, MAX_TARGET, false)) {
      assertFalse(prefix.hasStepGraph());
      perturb(step);
      perturb(prefix);
      Rollout gs = step.greedy(SOURCES, MAX_TARGET);
      Rollout gp = prefix.greedy(SOURCES, MAX_TARGET);
      Rollout ss = step.sample(SOURCES, 2, 0.8, MAX_TARGET, 5L);
      Rollout sp = prefix.sample(SOURCES, 2, 0.8, MAX_TARGET, 5L);
      for (Rollout[] pair : List.of(new Rollout[] {gs, gp}, new Rollout[] {ss, sp})) {
        for (int i = 0; i < pair[0].rows(); i++) {
          assertArrayEquals(pair[1].tokens()[i], pair[0].tokens()[i], "tokens of row " + i);
          assertArrayEquals(pair[1].logProbs()[i], pair[0].logProbs()[i], 1e-5, "log-probabilities of row " + i);
          assertArrayEquals(pair[1].entropies()[i], pair[0].entropies()[i], 1e-5, "entropies of row " + i);
        }
      }
      // width 1 is greedy through the beam code; 3 reorders the carried states every step
      for (int w : new int[] {1, 3}) {
        Seq2SeqPolicy.BeamResult bs = step.beamSearchWithScores(SOURCES, w, MAX_TARGET);
        Seq2SeqPolicy.BeamResult bp = prefix.beamSearchWithScores(SOURCES, w, MAX_TARGET);
        int offGreedy = 0;
        for (int i = 0; i < SOURCES.length; i++) {
          assertArrayEquals(bp.hypotheses()[i], bs.hypotheses()[i], "width " + w + " hypothesis " + i);
          assertEquals(bp.scores()[i], bs.scores()[i], 1e-4, "width " + w + " score " + i);
          offGreedy += Arrays.equals(bs.hypotheses()[i], gs.hypothesis(i)) ? 0 : 1;
        }
        // the beams' own hypotheses won somewhere, so reordered states were read
        assertTrue(w == 1 || offGreedy > 0, "every width-" + w + " result is the greedy one");
      }
    }
  }

  @Test
  void beamScoresAreTheTeacherForcedSums() {
    Seq2SeqConfig cfg = config(CellType.GRU, Attention.ADDITIVE);
    try (SameDiffPolicy p = SameDiffSeq2Seq.policy(cfg, 4, MAX_TARGET)) {
      perturb(p);
      Seq2SeqPolicy.BeamResult b = p.beamSearchWithScores(SOURCES, 4, MAX_TARGET);
      int[][] tokens = new int[SOURCES.length][];
      int[] lengths = new int[SOURCES.length];
      int longest = 0;
      for (int i = 0; i < SOURCES.length; i++) {
        int[] h = b.hypotheses()[i];
        // a hypothesis shorter than MAX_TARGET ended with END, which its score counts
        boolean ended = h.length < MAX_TARGET;
        tokens[i] = Arrays.copyOf(h, h.length + (ended ? 1 : 0));
        if (ended) {
          tokens[i][h.length] = Tokens.END;
        }
        lengths[i] = tokens[i].length;
        longest = Math.max(longest, lengths[i]);
      }
      int[][] padded = new int[SOURCES.length][longest];
      for (int i = 0; i < SOURCES.length; i++) {
        System.arraycopy(tokens[i], 0, padded[i], 0, lengths[i]);
      }
      Rollout ro = new Rollout(SOURCES, 1, padded, lengths, new double[SOURCES.length][longest],
          new double[SOURCES.length][longest], null, null, null);
      double[][] tf = teacherForced(p, ro, cfg.targetVocab());
      Rollout greedy = p.greedy(SOURCES, MAX_TARGET);
      int offGreedy = 0;
      for (int i = 0; i < SOURCES.length; i++) {
        offGreedy += Arrays.equals(b.hypotheses()[i], greedy.hypothesis(i)) ? 0 : 1;
        double sum = 0;
        for (int k = 0; k < lengths[i]; k++) {
          sum += tf[i][k];
        }
        assertEquals(sum, b.scores()[i], 1e-4, "beam score of source " + i);
      }
      assertTrue(offGreedy > 0, "every beam result is the greedy one, so no reordered state was checked");
    }
  }

  @Test
  void stepNamesThatAreNotInTheGraphAreRejected() {
    Seq2SeqConfig cfg = config(CellType.GRU, Attention.NONE);
    SameDiffStepGraph bad = new SameDiffStepGraph("step_previous", "step_logits",
        List.of(new SameDiffStepGraph.State("step_hidden", "decoder_initial_h", "step_h_next")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SameDiffPolicy.builder(SameDiffSeq2Seq.graph(cfg, 3, 3), cfg.targetVocab()).stepGraph(bad).build());
    assertTrue(e.getMessage().contains("stepGraph: state input: 'step_hidden' is not a placeholder"), e.getMessage());
    SameDiffStepGraph frozen = new SameDiffStepGraph("step_previous", "step_logits",
        List.of(new SameDiffStepGraph.State("step_h", "decoder_initial_h", null)));
    e = assertThrows(IllegalArgumentException.class,
        () -> SameDiffPolicy.builder(SameDiffSeq2Seq.graph(cfg, 3, 3), cfg.targetVocab()).stepGraph(frozen).build());
    assertTrue(e.getMessage().contains("no state has a next output"), e.getMessage());
  }

  @Test
  void theTransformerHasNoStepGraphAndDecodesByPrefix() {
    Seq2SeqConfig tf = Seq2SeqConfig.builder(8, 8).seed(1)
        .transformer(new Seq2SeqConfig.Transformer(1, 1, 2, 6, 8, 0.0, Seq2SeqConfig.Norm.PRE,
            Seq2SeqConfig.PositionKind.SINUSOIDAL, true)).build();
    assertEquals(null, SameDiffSeq2Seq.stepGraph(tf));
    try (SameDiffPolicy p = SameDiffSeq2Seq.policy(tf, 3, 4)) {
      assertFalse(p.hasStepGraph());
      assertEquals(3, p.greedy(new int[][] {{4, 5}, {6}, {7, 7, 4}}, 4).rows());
    }
  }
}
