package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.CriticHead;

/** Padding (of sources by a longer neighbour, of targets by wider arrays) never changes a loss or a gradient. */
class MaskingTest {
  private static Objective objective(int[][] src, int[][] tok, int[] len, int width) {
    int n = src.length;
    int[][] t = new int[n][width];
    double[][] w = new double[n][width];
    double[][] ew = new double[n][width];
    double[][] st = new double[n][width];
    double[] sq = new double[n];
    for (int i = 0; i < n; i++) {
      sq[i] = 0.1 * len[i]; // a property of the row, not of its index in the batch
      for (int k = 0; k < len[i]; k++) {
        t[i][k] = tok[i][k];
        w[i][k] = (k % 2 == 0 ? 0.4 : -0.25) / 2;
        ew[i][k] = 0.05;
        st[i][k] = 0.1 * k;
      }
    }
    return new Objective(src, t, len, w, ew, sq, st, 0.5, 2);
  }

  private static Map<String, double[]> grads(Seq2SeqPolicy p, Objective o, double[] loss) {
    p.params.zeroGrad();
    loss[0] += p.lossAndGradients(o, false).loss();
    Map<String, double[]> g = new LinkedHashMap<>();
    for (Params.Param q : p.params.all()) {
      g.put(q.name, Mat.toDouble(q.grad, 0, q.size()));
    }
    return g;
  }

  private static void checkConfig(Seq2SeqConfig cfg) {
    int[][] shortSrc = {{5, 6}};
    int[][] longSrc = {{7, 4, 4, 6, 5, 7}};
    int[][] shortTok = {{4, 2}};
    int[][] longTok = {{6, 5, 4, 4, 2}};
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
      double[] alone = new double[1];
      Map<String, double[]> a = grads(p, objective(shortSrc, shortTok, new int[] {2}, 2), alone);
      Map<String, double[]> b = grads(p, objective(longSrc, longTok, new int[] {5}, 5), alone);
      double[] together = new double[1];
      Map<String, double[]> both = grads(p,
          objective(new int[][] {shortSrc[0], longSrc[0]}, new int[][] {shortTok[0], longTok[0]}, new int[] {2, 5}, 9),
          together);
      assertEquals(alone[0], together[0], 1e-5 * (1 + Math.abs(alone[0])));
      for (String n : both.keySet()) {
        double[] x = both.get(n);
        for (int i = 0; i < x.length; i++) {
          double expected = a.get(n)[i] + b.get(n)[i];
          assertEquals(expected, x[i], 2e-5 + 1e-4 * Math.abs(expected), n + "[" + i + "]");
        }
      }
    }
  }

  private static Seq2SeqConfig.Builder base() {
    return GradientCheckTest.tiny().criticHeads(EnumSet.allOf(CriticHead.class));
  }

  @Test
  void additiveBidirectionalStackedLstm() {
    checkConfig(base().cell(CellType.LSTM).bidirectional(true).encoderLayers(2).attention(Attention.ADDITIVE).build());
  }

  @Test
  void dotBidirectionalGru() {
    checkConfig(base().cell(CellType.GRU).bidirectional(true).attention(Attention.DOT).build());
  }

  /** The transformer masks padded source positions out of self- and cross-attention, and padded target positions out of the loss. */
  @Test
  void transformerPreAndPostNorm() {
    checkConfig(TransformerDecodingTest.config(Seq2SeqConfig.Norm.PRE, Seq2SeqConfig.PositionKind.SINUSOIDAL, true).build());
    checkConfig(TransformerDecodingTest.config(Seq2SeqConfig.Norm.POST, Seq2SeqConfig.PositionKind.LEARNED, false).build());
  }

  @Test
  void noAttentionGru() {
    checkConfig(base().cell(CellType.GRU).build());
  }
}
