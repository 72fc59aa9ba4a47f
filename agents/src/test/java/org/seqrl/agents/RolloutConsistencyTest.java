package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.Rollout;

/** What decoding reports (log-probabilities, entropies) equals what the teacher-forced update computes. */
class RolloutConsistencyTest {
  static void check(Seq2SeqConfig cfg) {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
      int[][] src = {{4, 5, 6}, {7}, {8, 4, 4, 5, 6}};
      Rollout r = p.sample(src, 2, 1.3, 7);
      int n = r.rows();
      int[][] rowsSrc = new int[n][];
      double[][] ones = new double[n][r.maxLength()];
      double[][] zeros = new double[n][r.maxLength()];
      double logProbSum = 0;
      double entropySum = 0;
      for (int i = 0; i < n; i++) {
        rowsSrc[i] = src[r.inputOf(i)];
        for (int t = 0; t < r.lengths()[i]; t++) {
          ones[i][t] = 1;
          logProbSum += r.logProbs()[i][t];
          entropySum += r.entropies()[i][t];
        }
      }
      Seq2SeqPolicy.LossParts nll = p.lossAndGradients(
          new Objective(rowsSrc, r.tokens(), r.lengths(), ones, zeros, null, null, 0, n), false);
      assertEquals(-logProbSum, nll.policy(), 1e-5 * (1 + Math.abs(logProbSum)));
      Seq2SeqPolicy.LossParts ent = p.lossAndGradients(
          new Objective(rowsSrc, r.tokens(), r.lengths(), zeros, ones, null, null, 0, n), false);
      assertEquals(entropySum, ent.entropyTerm(), 1e-5 * (1 + entropySum));
      double[] seqTargets = new double[n];
      double[][] stepTargets = new double[n][r.maxLength()];
      double expected = 0;
      for (int i = 0; i < n; i++) {
        expected += r.sequenceValues()[i] * r.sequenceValues()[i] / n;
        for (int t = 0; t < r.lengths()[i]; t++) {
          expected += r.stepValues()[i][t] * r.stepValues()[i][t] / n;
        }
      }
      Seq2SeqPolicy.LossParts critic = p.lossAndGradients(
          new Objective(rowsSrc, r.tokens(), r.lengths(), zeros, zeros, seqTargets, stepTargets, 1, n), false);
      assertEquals(expected, critic.critic(), 1e-5 * (1 + expected), "critic outputs in the rollout are the heads' values");
    }
  }

  static Seq2SeqConfig.Builder base() {
    return Seq2SeqConfig.builder(10, 9).embedding(5).hidden(6).criticHidden(4)
        .criticHeads(EnumSet.allOf(CriticHead.class)).seed(3);
  }

  @Test
  void noAttentionGru() {
    check(base().build());
  }

  @Test
  void additiveBidirectionalLstm() {
    check(base().cell(CellType.LSTM).bidirectional(true).attention(Attention.ADDITIVE).build());
  }

  /** Location-aware attention: a step's scores read the weights of the step before, in sampling and in teacher forcing alike. */
  @Test
  void locationBidirectionalGru() {
    check(base().bidirectional(true).attention(Attention.LOCATION).build());
  }

  @Test
  void dotStackedGru() {
    check(base().encoderLayers(2).attention(Attention.DOT).build());
  }
}
