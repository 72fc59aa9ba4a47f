package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.PpoClip;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.Tokens;

/**
 * Per-token weights of one teacher-forced objective (see {@link LossMath#weightedNllWithEntropy}):
 * what {@link Seq2SeqPolicy} (and the SameDiff engine) turn into a loss and its gradient. Row
 * {@code r} decodes {@code tokens[r]} from source {@code sources[sourceOfRow[r]]}. With
 * {@code labelSmoothing} ε > 0 the NLL term's target is 1 − ε on the token plus ε spread over every
 * action ({@link SequenceLoss#compute}); the maximum-likelihood objective is the only one that smooths.
 */
record Objective(
    int[][] sources,
    int[] sourceOfRow,
    int[][] tokens,
    int[] lengths,
    double[][] weight,
    double[][] entropyWeight,
    double[] sequenceTargets,
    double[][] stepTargets,
    double criticCoefficient,
    double rowsNorm,
    double valueClip,
    double[] oldSequenceValues,
    double[][] oldStepValues,
    double labelSmoothing) {

  /** Without label smoothing. */
  Objective(int[][] sources, int[] sourceOfRow, int[][] tokens, int[] lengths, double[][] weight,
      double[][] entropyWeight, double[] sequenceTargets, double[][] stepTargets, double criticCoefficient,
      double rowsNorm, double valueClip, double[] oldSequenceValues, double[][] oldStepValues) {
    this(sources, sourceOfRow, tokens, lengths, weight, entropyWeight, sequenceTargets, stepTargets,
        criticCoefficient, rowsNorm, valueClip, oldSequenceValues, oldStepValues, 0);
  }

  /** Unclipped critic losses. */
  Objective(int[][] sources, int[] sourceOfRow, int[][] tokens, int[] lengths, double[][] weight,
      double[][] entropyWeight, double[] sequenceTargets, double[][] stepTargets, double criticCoefficient,
      double rowsNorm) {
    this(sources, sourceOfRow, tokens, lengths, weight, entropyWeight, sequenceTargets, stepTargets,
        criticCoefficient, rowsNorm, 0, null, null);
  }

  /** One source per row. */
  Objective(int[][] sources, int[][] tokens, int[] lengths, double[][] weight, double[][] entropyWeight,
      double[] sequenceTargets, double[][] stepTargets, double criticCoefficient, double rowsNorm) {
    this(sources, identity(sources.length), tokens, lengths, weight, entropyWeight, sequenceTargets, stepTargets,
        criticCoefficient, rowsNorm);
  }

  /** Maximum likelihood of {@code targets} then END, every token weighted 1/B. */
  static Objective mle(int[][] sources, int[][] targets) {
    return mle(sources, targets, 0);
  }

  /** {@link #mle(int[][], int[][])} against targets smoothed by {@code labelSmoothing} ε in [0, 1). */
  static Objective mle(int[][] sources, int[][] targets, double labelSmoothing) {
    int b = sources.length;
    int[][] tokens = new int[b][];
    int[] lengths = new int[b];
    double[][] w = new double[b][];
    for (int i = 0; i < b; i++) {
      tokens[i] = Arrays.copyOf(targets[i], targets[i].length + 1);
      tokens[i][targets[i].length] = Tokens.END;
      lengths[i] = tokens[i].length;
      w[i] = new double[lengths[i]];
      Arrays.fill(w[i], 1.0 / b);
    }
    return new Objective(sources, identity(b), tokens, lengths, w, null, null, null, 0, b, 0, null, null, labelSmoothing);
  }

  /** The policy gradient of a batch: advantages and entropy bonus per token over N rows, its critic targets. */
  static Objective policyGradient(PolicyGradientBatch batch) {
    Rollout ro = batch.rollout();
    int n = ro.rows();
    double[][] w = new double[n][];
    double[][] ew = new double[n][];
    for (int i = 0; i < n; i++) {
      w[i] = new double[ro.maxLength()];
      ew[i] = new double[ro.maxLength()];
      for (int t = 0; t < ro.lengths()[i]; t++) {
        w[i][t] = batch.advantages()[i][t] / n;
        ew[i][t] = batch.entropyCoefficient() / n;
      }
    }
    PpoClip ppo = batch.ppo();
    double valueClip = ppo == null ? 0 : ppo.valueClipRange();
    // PPO clips each critic output against the one recorded when the rollout was sampled
    return new Objective(ro.sources(), repeatIndex(ro.inputs(), ro.samplesPerInput()), ro.tokens(), ro.lengths(), w, ew,
        batch.sequenceTargets(), batch.stepTargets(), batch.criticLossCoefficient(), n, valueClip,
        valueClip > 0 ? ro.sequenceValues() : null, valueClip > 0 ? ro.stepValues() : null);
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /** The source of each of {@code n * k} rows, k consecutive rows per source. */
  static int[] repeatIndex(int n, int k) {
    int[] a = new int[n * k];
    for (int i = 0; i < a.length; i++) {
      a[i] = i / k;
    }
    return a;
  }
}
