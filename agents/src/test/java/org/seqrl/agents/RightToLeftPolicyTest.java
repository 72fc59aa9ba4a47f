package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.Tokens;

class RightToLeftPolicyTest {
  private static final OptimizerSettings OPT = new OptimizerSettings(0.01, 5.0);

  private static Seq2SeqPolicy small() {
    return new Seq2SeqPolicy(LearningTest.small().attention(Attention.ADDITIVE).build());
  }

  /**
   * On reverse, a right-to-left model writes each target from its end, which is the source in its own
   * order: the model inside learns to copy, and what the wrapper decodes is the reversal.
   */
  @Test
  void learnsReverseByWritingTheSourceInItsOwnOrder() {
    Random data = new Random(1);
    int[][][] test = LearningTest.reverseBatch(new Random(99), 200);
    try (RightToLeftPolicy p = new RightToLeftPolicy(small())) {
      for (int step = 0; step < 400; step++) {
        int[][][] b = LearningTest.reverseBatch(data, 32);
        p.mleStep(b[0], b[1], OPT);
      }
      Rollout outside = p.greedy(test[0], 10);
      Rollout inside = p.inner().greedy(test[0], 10);
      int reversed = 0;
      int copied = 0;
      for (int i = 0; i < test[0].length; i++) {
        reversed += Arrays.equals(outside.hypothesis(i), test[1][i]) ? 1 : 0;
        copied += Arrays.equals(inside.hypothesis(i), test[0][i]) ? 1 : 0;
      }
      System.out.printf("reverse, right-to-left model, 400 MLE steps: exact %d / 200; its inner model copies %d / 200%n",
          reversed, copied);
      assertTrue(reversed > 180, "right-to-left exact match on reverse: " + reversed + " / 200");
      assertEquals(reversed, copied, "the outside output must be the inside output reversed");
      int[][] beam = p.beamSearch(test[0], 3, 10);
      int[][] innerBeam = p.inner().beamSearch(test[0], 3, 10);
      for (int i = 0; i < beam.length; i++) {
        assertArrayEquals(RightToLeftPolicy.reversedPrefix(innerBeam[i], innerBeam[i].length), beam[i]);
      }
    }
  }

  /** An MLE step through the wrapper is the inner model's step on the reversed targets, bit for bit. */
  @Test
  void anMleStepIsTheInnerModelsStepOnReversedTargets() {
    int[][][] b = LearningTest.reverseBatch(new Random(5), 16);
    int[][] reversedTargets = RightToLeftPolicy.reversed(b[1]);
    try (RightToLeftPolicy wrapped = new RightToLeftPolicy(small()); Seq2SeqPolicy direct = small()) {
      for (int step = 0; step < 3; step++) {
        double a = wrapped.mleStep(b[0], b[1], OPT).loss();
        double d = direct.mleStep(b[0], reversedTargets, OPT).loss();
        assertEquals(d, a, 0.0, "loss at step " + step);
      }
      int[][] probe = LearningTest.reverseBatch(new Random(6), 20)[0];
      Rollout w = wrapped.inner().greedy(probe, 10);
      Rollout d = direct.greedy(probe, 10);
      assertTrue(Arrays.deepEquals(d.tokens(), w.tokens()));
      assertTrue(Arrays.deepEquals(d.logProbs(), w.logProbs()));
    }
  }

  /**
   * A sampled row scored again with teacher forcing gets the log-probabilities it was sampled with, each
   * at its token's position left to right, and the end token's last.
   */
  @Test
  void scoringADecodedRowGivesTheLogProbabilitiesItWasDecodedWith() {
    int[][] sources = LearningTest.reverseBatch(new Random(7), 12)[0];
    try (RightToLeftPolicy p = new RightToLeftPolicy(small())) {
      for (int step = 0; step < 30; step++) {
        int[][][] b = LearningTest.reverseBatch(new Random(100 + step), 16);
        p.mleStep(b[0], b[1], OPT);
      }
      Rollout r = p.sample(sources, 3, 1.0, 9);
      double[][] out = new double[r.rows()][r.maxLength()];
      p.logProbs(r, PolicyParameters.CURRENT, out);
      boolean asymmetric = false;
      for (int i = 0; i < r.rows(); i++) {
        for (int t = 0; t < r.maxLength(); t++) {
          assertEquals(r.logProbs()[i][t], out[i][t], 1e-4, "row " + i + " position " + t);
        }
        int n = r.hypothesis(i).length;
        asymmetric |= n > 1 && Math.abs(out[i][0] - out[i][n - 1]) > 1e-3;
      }
      assertTrue(asymmetric, "no row tells a reversed scoring apart from a straight one");
    }
  }

  /** Flipping moves the output tokens and every per-step value with them; the end token and padding stay. */
  @Test
  void flippingReversesTheOutputAndKeepsTheEndLast() {
    int e = Tokens.END;
    int pad = Tokens.PAD;
    int[][] tokens = {{5, 6, 7, e, pad}, {8, 9, 4, 5, 6}, {e, pad, pad, pad, pad}};
    int[] lengths = {4, 5, 1};
    double[][] lp = {{-1, -2, -3, -4, 0}, {-5, -6, -7, -8, -9}, {-10, 0, 0, 0, 0}};
    double[][] ent = {{1, 2, 3, 4, 0}, {5, 6, 7, 8, 9}, {10, 0, 0, 0, 0}};
    double[][][] att = new double[3][5][];
    for (int i = 0; i < 3; i++) {
      for (int t = 0; t < 5; t++) {
        att[i][t] = new double[] {i, t};
      }
    }
    Rollout r = new Rollout(new int[][] {{4}, {5}, {6}}, 1, tokens, lengths, lp, ent, null, null, att);
    Rollout f = RightToLeftPolicy.flipped(r);
    assertArrayEquals(new int[] {7, 6, 5, e, pad}, f.tokens()[0]);
    assertArrayEquals(new int[] {6, 5, 4, 9, 8}, f.tokens()[1], "a row cut at the maximum length has no end token");
    assertArrayEquals(new int[] {e, pad, pad, pad, pad}, f.tokens()[2]);
    assertArrayEquals(new double[] {-3, -2, -1, -4, 0}, f.logProbs()[0]);
    assertArrayEquals(new double[] {3, 2, 1, 4, 0}, f.entropies()[0]);
    assertArrayEquals(new double[] {0, 2}, f.attention()[0][0]);
    assertArrayEquals(new double[] {0, 3}, f.attention()[0][3]);
    assertArrayEquals(lengths, f.lengths());
    Rollout back = RightToLeftPolicy.flipped(f);
    assertTrue(Arrays.deepEquals(tokens, back.tokens()));
    assertTrue(Arrays.deepEquals(lp, back.logProbs()));
    assertTrue(Arrays.deepEquals(att, back.attention()));
  }

  @Test
  void policyGradientUpdatesRefuseAndNameTheKey() {
    try (RightToLeftPolicy p = new RightToLeftPolicy(small())) {
      var e = assertThrows(UnsupportedOperationException.class, () -> p.update(null, OPT));
      assertTrue(e.getMessage().contains("model.output_order"), e.getMessage());
      assertThrows(UnsupportedOperationException.class, () -> p.mixedUpdate(null, null, 0.5, OPT));
      assertThrows(UnsupportedOperationException.class, () -> p.policyGradient(null));
    }
  }
}
