package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.Norm;
import org.seqrl.agents.Seq2SeqConfig.PositionKind;
import org.seqrl.agents.Seq2SeqConfig.Transformer;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;

/**
 * The SameDiff engine as an oracle for the fast engine's hand-written passes: with the same weights,
 * the log-probabilities of a batch, the MLE gradients and the policy-gradient gradients (advantages
 * and entropy bonus) of every parameter agree within float32 tolerance. A wrong term in a backward
 * pass changes a gradient by far more than the tolerance; finite differences check each part, this
 * checks the whole model against an independent autodiff.
 */
class CrossEngineTest {
  private static final int[][] SOURCES = {{4, 5, 6}, {7, 4}, {5, 5, 6, 7}};
  private static final int[][] TARGETS = {{6, 5, 4}, {4, 7}, {7, 6, 5, 5}};

  private static Seq2SeqConfig config(CellType cell, Attention attention) {
    return Seq2SeqConfig.builder(8, 8).embedding(5).hidden(6).cell(cell).attention(attention).attentionSize(4).seed(42)
        .build();
  }

  @ParameterizedTest
  @CsvSource({"GRU, ADDITIVE", "GRU, NONE", "LSTM, ADDITIVE"})
  void logProbabilitiesAndGradientsAgree(CellType cell, Attention attention) {
    assertEnginesAgree(config(cell, attention));
  }

  /** The transformer: 2 heads of 3 columns, 2+2 layers, in both norm placements, both position kinds, tied or not. */
  @ParameterizedTest
  @CsvSource({"PRE, SINUSOIDAL, true", "POST, LEARNED, false"})
  void transformerLogProbabilitiesAndGradientsAgree(Norm norm, PositionKind positions, boolean tied) {
    assertEnginesAgree(Seq2SeqConfig.builder(8, 8).seed(42)
        .transformer(new Transformer(2, 2, 2, 6, 10, 0.0, norm, positions, tied)).build());
  }

  private static void assertEnginesAgree(Seq2SeqConfig cfg) {
    try (Seq2SeqPolicy fast = new Seq2SeqPolicy(cfg); SameDiffPolicy sd = SameDiffSeq2Seq.policy(cfg, 4, 6)) {
      // the SameDiff graph starts from the fast engine's initial values: move them so the test does not rest on that
      Random r = new Random(7);
      for (Params.Param p : fast.params.all()) {
        for (int i = 0; i < p.value.length; i++) {
          p.value[i] += (float) (0.2 * r.nextGaussian());
        }
      }
      fast.params.markChanged();
      SameDiffSeq2Seq.copyWeights(fast, sd);

      // log-probabilities of decoded tokens (greedy: both must pick the same tokens)
      Rollout gf = fast.greedy(SOURCES, 6);
      Rollout gs = sd.greedy(SOURCES, 6);
      for (int i = 0; i < SOURCES.length; i++) {
        assertArrayEquals(gf.tokens()[i], gs.tokens()[i], "greedy tokens of row " + i);
        assertArrayEquals(gf.logProbs()[i], gs.logProbs()[i], 2e-5, "log-probabilities of row " + i);
        assertArrayEquals(gf.entropies()[i], gs.entropies()[i], 2e-5, "entropies of row " + i);
      }

      // MLE gradients
      assertSameGradients(fast, sd, Objective.mle(SOURCES, TARGETS), "MLE");

      // policy-gradient gradients on a sampled batch with advantages and an entropy bonus
      Rollout sample = fast.sample(SOURCES, 2, 1.0, 6);
      double[][] adv = new double[sample.rows()][sample.maxLength()];
      for (int i = 0; i < sample.rows(); i++) {
        double a = r.nextGaussian();
        for (int t = 0; t < sample.lengths()[i]; t++) {
          adv[i][t] = a;
        }
      }
      PolicyGradientBatch batch = new PolicyGradientBatch(sample, adv, null, null, 0.05, 0.0);
      assertSameGradients(fast, sd, Objective.policyGradient(batch), "policy gradient");
    }
  }

  private static void assertSameGradients(Seq2SeqPolicy fast, SameDiffPolicy sd, Objective o, String what) {
    fast.params.zeroGrad();
    Seq2SeqPolicy.LossParts lf = fast.lossAndGradients(o, false);
    SameDiffPolicy.Evaluated es = sd.evaluate(o);
    assertEquals(lf.loss(), es.parts().loss(), 1e-5 * (1 + Math.abs(lf.loss())), what + " loss");
    assertEquals(lf.meanEntropy(), es.parts().meanEntropy(), 1e-5, what + " mean entropy");
    Map<String, INDArray> g = es.gradients();
    assertEquals(fast.params.names().size(), sd.variableNames().size(), "the engines' parameter lists");
    for (Params.Param p : fast.params.all()) {
      INDArray ga = g.get(p.name);
      assertTrue(ga != null, what + ": SameDiff gave no gradient for " + p.name);
      float[] gs = ga.dup('c').reshape(ga.length()).toFloatVector();
      String bad = mismatch(p.grad, gs);
      assertTrue(bad == null, what + " gradient of " + p.name + ": " + bad);
      // the tolerance is tight enough to see a 3 % error in any parameter's gradient that is not ~0
      float[] off = p.grad.clone();
      int worst = 0;
      for (int i = 1; i < off.length; i++) {
        worst = Math.abs(off[i]) > Math.abs(off[worst]) ? i : worst;
      }
      off[worst] *= 1.03f;
      assertTrue(Math.abs(p.grad[worst]) < 1e-3 || mismatch(off, gs) != null,
          what + ": a 3 % error in the largest gradient entry of " + p.name + " would pass unseen");
    }
  }

  /** Null if {@code fast} and {@code sd} agree within 1e-4 of the larger of their largest entry and 0.01, else where they differ. */
  private static String mismatch(float[] fast, float[] sd) {
    double scale = 0;
    for (float x : fast) {
      scale = Math.max(scale, Math.abs(x));
    }
    double tol = 1e-4 * Math.max(scale, 1e-2);
    for (int i = 0; i < fast.length; i++) {
      if (!(Math.abs(fast[i] - sd[i]) <= tol)) {
        return "entry " + i + ": fast " + fast[i] + ", SameDiff " + sd[i] + " (tolerance " + tol + ")";
      }
    }
    return null;
  }
}
