package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.Tokens;

/** Sampling statistics, temperature, greedy and beam search. */
class DecodingTest {
  static final int V = 9;

  static Seq2SeqPolicy policy(Attention att, CellType cell, long seed) {
    // output biases that make the first-step distribution far from uniform
    Seq2SeqPolicy p = new Seq2SeqPolicy(Seq2SeqConfig.builder(V, V).embedding(8).hidden(16).attention(att).cell(cell)
        .seed(seed).build());
    for (int k = 0; k < V; k++) {
      p.params.get("out.b").value[k] = (float) (0.8 * (k - 4));
    }
    p.params.markChanged();
    return p;
  }

  /** Frequencies of the first sampled token against exp(logProb) reported for it; Pearson chi-square. */
  private static double chiSquare(Seq2SeqPolicy p, int n, double temperature, double[] probsOut) {
    int[][] src = {{4, 5, 6}};
    Rollout r = p.sample(src, n, temperature, 1);
    Rollout g = p.sample(src, 2000, 1.0, 1); // to learn p(k) for every k that has mass
    double[] prob = new double[V];
    for (int i = 0; i < g.rows(); i++) {
      prob[g.tokens()[i][0]] = Math.exp(g.logProbs()[i][0]);
    }
    for (int i = 0; i < r.rows(); i++) {
      assertEquals(prob[r.tokens()[i][0]], Math.exp(r.logProbs()[i][0]), 1e-5, "logProbs are at temperature 1");
    }
    double[] q = new double[V];
    double z = 0;
    for (int k = 0; k < V; k++) {
      q[k] = prob[k] == 0 ? 0 : Math.pow(prob[k], 1 / temperature);
      z += q[k];
    }
    int[] count = new int[V];
    for (int i = 0; i < r.rows(); i++) {
      count[r.tokens()[i][0]]++;
    }
    double chi = 0;
    for (int k = 0; k < V; k++) {
      q[k] /= z;
      if (q[k] * n >= 5) {
        chi += Math.pow(count[k] - n * q[k], 2) / (n * q[k]);
      }
    }
    System.arraycopy(q, 0, probsOut, 0, V);
    return chi;
  }

  @Test
  void sampledFrequenciesMatchTheSoftmax() {
    try (Seq2SeqPolicy p = policy(Attention.ADDITIVE, CellType.GRU, 3)) {
      double[] q = new double[V];
      double chi = chiSquare(p, 20000, 1.0, q);
      // 6 degrees of freedom at most: the 99.9th percentile is 22.5
      assertTrue(chi < 22.5, "chi-square " + chi);
      assertEquals(0, q[Tokens.PAD]);
      assertEquals(0, q[Tokens.START]);
    }
  }

  @Test
  void temperatureSharpensAndFlattens() {
    try (Seq2SeqPolicy p = policy(Attention.NONE, CellType.LSTM, 4)) {
      double[] cold = new double[V];
      double[] hot = new double[V];
      assertTrue(chiSquare(p, 20000, 0.5, cold) < 22.5);
      assertTrue(chiSquare(p, 20000, 3.0, hot) < 22.5);
      double maxCold = java.util.Arrays.stream(cold).max().orElseThrow();
      double maxHot = java.util.Arrays.stream(hot).max().orElseThrow();
      assertTrue(maxCold > maxHot + 0.1, "cold " + maxCold + " hot " + maxHot);
    }
  }

  @Test
  void rolloutsAreWellFormed() {
    try (Seq2SeqPolicy p = policy(Attention.DOT, CellType.GRU, 5)) {
      int[][] src = {{4, 5}, {6, 7, 8, 4}};
      Rollout r = p.sample(src, 3, 1.0, 6);
      assertEquals(6, r.rows());
      for (int i = 0; i < r.rows(); i++) {
        int len = r.lengths()[i];
        assertTrue(len >= 1 && len <= 6);
        assertTrue(r.tokens()[i][len - 1] == Tokens.END || len == 6);
        for (int t = 0; t < len - 1; t++) {
          assertTrue(r.tokens()[i][t] != Tokens.END && r.tokens()[i][t] >= Tokens.END);
        }
        for (int t = len; t < r.maxLength(); t++) {
          assertEquals(Tokens.PAD, r.tokens()[i][t]);
          assertEquals(0.0, r.logProbs()[i][t]);
        }
        assertEquals(src[r.inputOf(i)].length, r.attention()[i][0].length);
        double sum = 0;
        for (double a : r.attention()[i][0]) {
          sum += a;
        }
        assertEquals(1.0, sum, 1e-5);
      }
    }
  }

  private static int[][] randomSources(Random r, int n) {
    int[][] s = new int[n][];
    for (int i = 0; i < n; i++) {
      s[i] = new int[2 + r.nextInt(5)];
      for (int t = 0; t < s[i].length; t++) {
        s[i][t] = 4 + r.nextInt(V - 4);
      }
    }
    return s;
  }

  private static double sequenceLogProb(Rollout g, int row) {
    double s = 0;
    for (int t = 0; t < g.lengths()[row]; t++) {
      s += g.logProbs()[row][t];
    }
    return s;
  }

  @Test
  void beamOfWidthOneIsGreedyAndWiderBeamsScoreAtLeastAsHigh() {
    for (Attention att : Attention.values()) {
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(Seq2SeqConfig.builder(V, V).embedding(8).hidden(16).attention(att)
          .seed(21).build())) {
        int[][] src = randomSources(new Random(8), 12);
        Rollout g = p.greedy(src, 8);
        Seq2SeqPolicy.BeamResult one = p.beamSearchWithScores(src, 1, 8);
        for (int i = 0; i < src.length; i++) {
          assertArrayEquals(g.hypothesis(i), one.hypotheses()[i], att + " row " + i);
          assertEquals(sequenceLogProb(g, i), one.scores()[i], 1e-4);
        }
        for (int w : new int[] {2, 5}) {
          Seq2SeqPolicy.BeamResult wide = p.beamSearchWithScores(src, w, 8);
          for (int i = 0; i < src.length; i++) {
            assertTrue(wide.scores()[i] >= one.scores()[i] - 1e-5,
                att + " width " + w + " row " + i + ": " + wide.scores()[i] + " < greedy " + one.scores()[i]);
          }
        }
      }
    }
  }
}
