package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.seqrl.rl.Tokens;

/**
 * The single-pass {@link SequenceLoss#compute} against the implementation it replaced (kept here
 * as the oracle: double copies of the logits, {@link LossMath#weightedNllWithEntropy}, a second
 * log-softmax for the entropy sum), on random logits, lengths, weights and entropy weights.
 */
class SequenceLossTest {

  /** The loss as computed before issue 20 (SequenceLoss.compute at 90dd720), verbatim but for names. */
  static SequenceLoss.Result oracle(float[] logits, int vocab, int r, int tt, Objective o) {
    int rows = tt * r;
    int[] outIds = new int[rows];
    double[] w = new double[rows];
    double[] ew = new double[rows];
    int tokens = 0;
    for (int i = 0; i < r; i++) {
      tokens += o.lengths()[i];
      for (int t = 0; t < tt; t++) {
        int idx = t * r + i;
        boolean live = t < o.lengths()[i];
        outIds[idx] = live ? o.tokens()[i][t] : Tokens.END;
        w[idx] = live ? o.weight()[i][t] : 0;
        ew[idx] = live && o.entropyWeight() != null ? o.entropyWeight()[i][t] : 0;
      }
    }
    double[][] lg = new double[rows][];
    for (int i = 0; i < rows; i++) {
      lg[i] = Mat.toDouble(logits, i * vocab, vocab);
    }
    double[][] dl = new double[rows][vocab];
    double[] parts = LossMath.weightedNllWithEntropy(lg, outIds, w, ew, dl);
    double entSum = 0;
    double[] lp = new double[vocab];
    for (int i = 0; i < rows; i++) {
      if (i / r < o.lengths()[i % r]) {
        LossMath.logSoftmax(lg[i], 1.0, lp);
        entSum += LossMath.entropy(lp);
      }
    }
    float[] dLogits = new float[rows * vocab];
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < vocab; k++) {
        dLogits[i * vocab + k] = (float) dl[i][k];
      }
    }
    return new SequenceLoss.Result(parts[0], parts[1], entSum, tokens, dLogits);
  }

  /** Rows of random lengths 0..tt (some dead steps), tokens over the actions, signed weights, optional entropy weights. */
  static Objective randomObjective(Random g, int r, int tt, int vocab, boolean entropy) {
    int[][] tokens = new int[r][tt];
    int[] lengths = new int[r];
    double[][] w = new double[r][tt];
    double[][] ew = entropy ? new double[r][tt] : null;
    for (int i = 0; i < r; i++) {
      lengths[i] = i == 0 ? tt : g.nextInt(tt + 1);
      for (int t = 0; t < tt; t++) {
        tokens[i][t] = 2 + g.nextInt(vocab - 2); // END and above: never PAD or START
        // some live tokens with weight 0, as a zero advantage gives
        w[i][t] = g.nextInt(5) == 0 ? 0 : g.nextGaussian();
        if (entropy) {
          ew[i][t] = g.nextInt(4) == 0 ? 0 : 0.01 + g.nextDouble();
        }
      }
    }
    return new Objective(new int[r][1], tokens, lengths, w, ew, null, null, 0, r);
  }

  @Test
  void matchesTheTwoPassImplementationOnRandomLogits() {
    Random g = new Random(20);
    SequenceLoss loss = new SequenceLoss(); // one instance across calls, as a policy keeps it
    int identical = 0;
    int entries = 0;
    int identicalSums = 0;
    for (int vocab : new int[] {5, 30, 1000}) {
      for (double scale : new double[] {0.1, 3, 30}) {
        for (boolean entropy : new boolean[] {false, true}) {
          int r = 1 + g.nextInt(6);
          int tt = 1 + g.nextInt(7);
          Objective o = randomObjective(g, r, tt, vocab, entropy);
          float[] logits = new float[tt * r * vocab];
          for (int k = 0; k < logits.length; k++) {
            logits[k] = (float) (scale * g.nextGaussian());
          }
          SequenceLoss.Result want = oracle(logits, vocab, r, tt, o);
          SequenceLoss.Result got = loss.compute(logits, vocab, r, tt, o);
          String at = "V=" + vocab + " scale=" + scale + " entropy=" + entropy;
          assertEquals(want.nll(), got.nll(), 1e-12 * Math.abs(want.nll()), at);
          assertEquals(want.entropyTerm(), got.entropyTerm(), 1e-12 * Math.abs(want.entropyTerm()), at);
          assertEquals(want.entropySum(), got.entropySum(), 1e-12 * Math.abs(want.entropySum()), at);
          assertEquals(want.tokens(), got.tokens(), at);
          identicalSums += (want.nll() == got.nll() ? 1 : 0) + (want.entropyTerm() == got.entropyTerm() ? 1 : 0)
              + (want.entropySum() == got.entropySum() ? 1 : 0);
          for (int k = 0; k < want.dLogits().length; k++) {
            float a = want.dLogits()[k];
            float b = got.dLogits()[k];
            assertEquals(a, b, 1e-6 * Math.max(1e-3, Math.abs(a)), at + " entry " + k);
            identical += a == b ? 1 : 0;
          }
          entries += want.dLogits().length;
        }
      }
    }
    System.out.printf("SequenceLossTest: %d of %d dLogits entries and %d of %d loss sums bit-identical to the oracle%n",
        identical, entries, identicalSums, 3 * 18);
  }

  @Test
  void largerPassAfterASmallerOneReusesNothingStale() {
    Random g = new Random(3);
    SequenceLoss loss = new SequenceLoss();
    int vocab = 30;
    Objective big = randomObjective(g, 4, 6, vocab, true);
    float[] bigLogits = new float[6 * 4 * vocab];
    for (int k = 0; k < bigLogits.length; k++) {
      bigLogits[k] = (float) g.nextGaussian();
    }
    loss.compute(bigLogits, vocab, 4, 6, big);
    // a smaller pass after it: the buffer is reused, dead rows must still come back zero
    Objective small = randomObjective(g, 2, 3, vocab, false);
    float[] smallLogits = java.util.Arrays.copyOf(bigLogits, 3 * 2 * vocab);
    float[] got = java.util.Arrays.copyOf(loss.compute(smallLogits, vocab, 2, 3, small).dLogits(), 3 * 2 * vocab);
    assertArrayEquals(oracle(smallLogits, vocab, 2, 3, small).dLogits(), got, 1e-6f);
  }

  @Test
  void entropyOfAPeakedRowKeepsItsRelativePrecision() {
    // one logit far above the rest: H is tiny and the old formula's terms nearly cancel no more than the new
    int vocab = 1000;
    float[] logits = new float[vocab];
    logits[7] = 40;
    Objective o = new Objective(new int[1][1], new int[][] {{7}}, new int[] {1}, new double[][] {{1}},
        new double[][] {{0.5}}, null, null, 0, 1);
    SequenceLoss.Result got = new SequenceLoss().compute(logits, vocab, 1, 1, o);
    SequenceLoss.Result want = oracle(logits, vocab, 1, 1, o);
    assertTrue(want.entropySum() > 0 && want.entropySum() < 1e-12, "H = " + want.entropySum());
    assertEquals(want.entropySum(), got.entropySum(), 1e-9 * want.entropySum());
  }

  /** The objective of {@link #randomObjective} with label smoothing {@code eps}. */
  private static Objective smoothed(Objective o, double eps) {
    return new Objective(o.sources(), o.sourceOfRow(), o.tokens(), o.lengths(), o.weight(), o.entropyWeight(), null, null,
        0, o.rowsNorm(), 0, null, null, eps);
  }

  @Test
  void labelSmoothingIsTheCrossEntropyAgainstTheSmoothedTargetOnAHandWorkedRow() {
    // vocab 5: PAD (0) and START (1) are no actions, so K = 3; token 4, eps 0.3, weight 0.5
    float[] logits = {9, 9, 1, 2, 3};
    double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    double[] logp = {0, 0, 1 - lse, 2 - lse, 3 - lse};
    double eps = 0.3;
    double w = 0.5;
    Objective o = new Objective(new int[1][1], new int[] {0}, new int[][] {{4}}, new int[] {1}, new double[][] {{w}}, null,
        null, null, 0, 1, 0, null, null, eps);
    SequenceLoss.Result got = new SequenceLoss().compute(logits, 5, 1, 1, o);
    // target q = (0, 0, 0.1, 0.1, 0.8): cross-entropy -w sum_k q_k log p_k, gradient w (p_k - q_k)
    double[] q = {0, 0, eps / 3, eps / 3, 1 - eps + eps / 3};
    double ce = -w * (q[2] * logp[2] + q[3] * logp[3] + q[4] * logp[4]);
    assertEquals(ce, got.crossEntropy(), 1e-12);
    assertEquals(-w * logp[4], got.nll(), 1e-12, "the NLL stays the plain one, for the token_nll metric");
    for (int k = 0; k < 5; k++) {
      double want = k < 2 ? 0 : w * (Math.exp(logp[k]) - q[k]);
      assertEquals(want, got.dLogits()[k], 1e-6, "dLogits[" + k + "]");
    }
  }

  @Test
  void labelSmoothingZeroIsBitIdenticalToNoSmoothing() {
    Random g = new Random(7);
    Objective o = randomObjective(g, 4, 5, 30, true);
    float[] logits = new float[5 * 4 * 30];
    for (int k = 0; k < logits.length; k++) {
      logits[k] = (float) (3 * g.nextGaussian());
    }
    SequenceLoss.Result plain = new SequenceLoss().compute(logits, 30, 4, 5, o);
    SequenceLoss.Result zero = new SequenceLoss().compute(logits, 30, 4, 5, smoothed(o, 0));
    assertEquals(plain.nll(), zero.crossEntropy());
    assertArrayEquals(java.util.Arrays.copyOf(plain.dLogits(), logits.length),
        java.util.Arrays.copyOf(zero.dLogits(), logits.length));
  }

  @Test
  void labelSmoothingGradientMatchesCentralDifferences() {
    Random g = new Random(11);
    int vocab = 12;
    int r = 3;
    int tt = 4;
    Objective o = smoothed(randomObjective(g, r, tt, vocab, true), 0.25);
    float[] logits = new float[tt * r * vocab];
    for (int k = 0; k < logits.length; k++) {
      logits[k] = (float) (2 * g.nextGaussian());
    }
    SequenceLoss loss = new SequenceLoss();
    float[] analytic = java.util.Arrays.copyOf(loss.compute(logits, vocab, r, tt, o).dLogits(), logits.length);
    double worst = 0;
    for (int k = 0; k < logits.length; k++) {
      float orig = logits[k];
      logits[k] = orig + 1e-2f;
      float up = logits[k];
      SequenceLoss.Result a = loss.compute(logits, vocab, r, tt, o);
      double lossUp = a.crossEntropy() - a.entropyTerm();
      logits[k] = orig - 1e-2f;
      float down = logits[k];
      SequenceLoss.Result b = loss.compute(logits, vocab, r, tt, o);
      double lossDown = b.crossEntropy() - b.entropyTerm();
      logits[k] = orig;
      double numeric = (lossUp - lossDown) / ((double) up - down);
      worst = Math.max(worst, Math.abs(numeric - analytic[k]) / (1e-5 + 1e-3 * Math.abs(numeric)));
    }
    assertTrue(worst < 1, "worst disagreement " + worst + " x tolerance");
    // and smoothing changed the gradient: the check is not of the unsmoothed loss again
    float[] unsmoothed = java.util.Arrays.copyOf(loss.compute(logits, vocab, r, tt, smoothed(o, 0)).dLogits(), logits.length);
    double moved = 0;
    for (int k = 0; k < logits.length; k++) {
      moved = Math.max(moved, Math.abs(unsmoothed[k] - analytic[k]));
    }
    assertTrue(moved > 1e-3, "smoothing moved no gradient entry by more than " + moved);
  }
}
