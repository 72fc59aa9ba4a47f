package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.CriticTrunk;
import org.seqrl.agents.Seq2SeqPolicy.Objective;
import org.seqrl.rl.CriticHead;

/** Central finite differences in float64 against the hand-written backward pass of every part. */
class GradientCheckTest {
  static final int SRC_V = 8;
  static final int TGT_V = 7;

  static Seq2SeqConfig.Builder tiny() {
    return Seq2SeqConfig.builder(SRC_V, TGT_V).embedding(3).hidden(4).criticHidden(3)
        .precision(Seq2SeqConfig.Precision.FLOAT64).seed(7);
  }

  /** Sources and tokens of different lengths, so that masking is part of every check. */
  static int[][] sources(Random r, int rows) {
    int[][] s = new int[rows][];
    for (int i = 0; i < rows; i++) {
      s[i] = new int[1 + r.nextInt(4)];
      for (int t = 0; t < s[i].length; t++) {
        s[i][t] = 4 + r.nextInt(SRC_V - 4);
      }
    }
    return s;
  }

  static Objective pgObjective(Random r, int rows, boolean withCritics, double entropy) {
    int[][] src = sources(r, rows);
    int maxT = 4;
    int[][] tok = new int[rows][maxT];
    int[] len = new int[rows];
    double[][] w = new double[rows][maxT];
    double[][] ew = new double[rows][maxT];
    double[][] stepT = new double[rows][maxT];
    double[] seqT = new double[rows];
    for (int i = 0; i < rows; i++) {
      len[i] = 1 + r.nextInt(maxT);
      seqT[i] = r.nextGaussian();
      for (int t = 0; t < len[i]; t++) {
        tok[i][t] = t == len[i] - 1 ? 2 : 3 + r.nextInt(TGT_V - 3);
        w[i][t] = r.nextGaussian() / rows;
        ew[i][t] = entropy / rows;
        stepT[i][t] = r.nextGaussian();
      }
    }
    return new Objective(src, tok, len, w, ew, withCritics ? seqT : null, withCritics ? stepT : null, 0.7, rows);
  }

  static void check(Seq2SeqConfig cfg, Objective o) {
    check(cfg, o, n -> true);
  }

  static void check(Seq2SeqConfig cfg, Objective o, java.util.function.Predicate<String> which) {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
      long rngState = p.dropoutRng.state();
      p.params.zeroGrad();
      p.dropoutRng.setState(rngState);
      double loss = p.lossAndGradients(o, true).loss();
      assertTrue(Double.isFinite(loss));
      Map<String, double[]> analytic = new LinkedHashMap<>();
      for (String n : p.params.names()) {
        analytic.put(n, p.params.g(n).dup().data().asDouble());
      }
      Random pick = new Random(3);
      double eps = 1e-6;
      int checked = 0;
      double worst = 0;
      String worstAt = "";
      for (String n : p.params.names()) {
        if (!which.test(n)) {
          continue;
        }
        INDArray a = p.params.get(n);
        double[] ga = analytic.get(n);
        int entries = (int) Math.min(a.length(), 5);
        for (int e = 0; e < entries; e++) {
          int idx = entries == a.length() ? e : pick.nextInt((int) a.length());
          double orig = a.getDouble(idx);
          a.putScalar(idx, orig + eps);
          p.dropoutRng.setState(rngState);
          double up = p.lossAndGradients(o, true).loss();
          a.putScalar(idx, orig - eps);
          p.dropoutRng.setState(rngState);
          double down = p.lossAndGradients(o, true).loss();
          a.putScalar(idx, orig);
          double numeric = (up - down) / (2 * eps);
          double err = Math.abs(numeric - ga[idx]) / Math.max(1e-6, Math.abs(numeric) + Math.abs(ga[idx]));
          if (Math.abs(numeric - ga[idx]) > 1e-7 && err > worst) {
            worst = err;
            worstAt = n + "[" + idx + "] numeric " + numeric + " analytic " + ga[idx];
          }
          checked++;
        }
      }
      assertTrue(checked >= 8, "checked " + checked);
      assertTrue(worst < 1e-4, "worst relative error " + worst + " at " + worstAt);
    }
  }

  @Test
  void gruUnidirectionalMle() {
    Random r = new Random(1);
    int[][] src = sources(r, 3);
    int[][] tgt = {{4, 5}, {6}, {}};
    check(tiny().cell(CellType.GRU).build(), Seq2SeqPolicy.mleObjective(src, tgt));
  }

  @Test
  void lstmUnidirectionalMle() {
    Random r = new Random(2);
    check(tiny().cell(CellType.LSTM).build(), Seq2SeqPolicy.mleObjective(sources(r, 3), new int[][] {{4}, {5, 6, 4}, {6, 6}}));
  }

  @Test
  void gruBidirectionalStackedWithDropoutPolicyGradientAndEntropy() {
    check(tiny().cell(CellType.GRU).bidirectional(true).encoderLayers(2).dropout(0.3).build(),
        pgObjective(new Random(3), 4, false, 0.05));
  }

  @Test
  void lstmBidirectionalStackedPolicyGradient() {
    check(tiny().cell(CellType.LSTM).bidirectional(true).encoderLayers(2).build(), pgObjective(new Random(4), 3, false, 0.1));
  }

  @Test
  void additiveAttentionGru() {
    check(tiny().cell(CellType.GRU).attention(Attention.ADDITIVE).attentionSize(5).bidirectional(true).build(),
        pgObjective(new Random(5), 3, false, 0.02));
  }

  @Test
  void additiveAttentionLstm() {
    check(tiny().cell(CellType.LSTM).attention(Attention.ADDITIVE).build(), pgObjective(new Random(6), 3, false, 0.02));
  }

  @Test
  void dotAttentionGru() {
    check(tiny().cell(CellType.GRU).attention(Attention.DOT).bidirectional(true).build(),
        pgObjective(new Random(7), 3, false, 0.02));
  }

  @Test
  void dotAttentionLstm() {
    check(tiny().cell(CellType.LSTM).attention(Attention.DOT).encoderLayers(2).build(), pgObjective(new Random(8), 3, false, 0.0));
  }

  @Test
  void criticHeadsSharedTrunk() {
    Set<CriticHead> both = EnumSet.allOf(CriticHead.class);
    check(tiny().attention(Attention.ADDITIVE).criticHeads(both).criticTrunk(CriticTrunk.SHARED).build(),
        pgObjective(new Random(9), 3, true, 0.01));
  }

  /**
   * A separate trunk deliberately drops the critic's gradient into the trunk, so finite differences
   * of the full loss only match on the heads; the test below checks the trunk side.
   */
  @Test
  void criticHeadsSeparateTrunk() {
    Set<CriticHead> both = EnumSet.allOf(CriticHead.class);
    check(tiny().cell(CellType.LSTM).attention(Attention.DOT).criticHeads(both).criticTrunk(CriticTrunk.SEPARATE).build(),
        pgObjective(new Random(10), 3, true, 0.01), n -> n.startsWith("vseq") || n.startsWith("vstep"));
  }

  /** With a separate trunk, the critic loss leaves the trunk's gradient untouched. */
  @Test
  void separateTrunkCriticDoesNotReachTrunk() {
    Set<CriticHead> both = EnumSet.allOf(CriticHead.class);
    Seq2SeqConfig cfg = tiny().criticHeads(both).criticTrunk(CriticTrunk.SEPARATE).build();
    Objective o = pgObjective(new Random(11), 3, true, 0.0);
    Objective noCritic = new Objective(o.sources(), o.tokens(), o.lengths(), o.weight(), o.entropyWeight(), null, null, 0.7, 3);
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
      p.params.zeroGrad();
      p.lossAndGradients(o, false);
      double[] withCritic = p.params.g("enc.0.0.Wh").dup().data().asDouble();
      double[] head = p.params.g("vstep.W1").dup().data().asDouble();
      p.params.zeroGrad();
      p.lossAndGradients(noCritic, false);
      double[] without = p.params.g("enc.0.0.Wh").dup().data().asDouble();
      for (int i = 0; i < without.length; i++) {
        assertEquals(without[i], withCritic[i], 1e-12);
      }
      assertTrue(java.util.Arrays.stream(head).anyMatch(x -> Math.abs(x) > 1e-9), "the head itself still learns");
    }
  }
}
