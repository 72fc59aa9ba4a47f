package org.seqrl.agents;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.Tokens;
import org.seqrl.rl.UpdateStats;

/**
 * A model that writes its output from the last token to the first ({@code model.output_order:
 * right-to-left}), seen from outside in the usual order. It learns each target reversed and reverses
 * what it decodes back, so rewards, metrics, predictions and heatmaps read every sequence left to
 * right; the end token stays last. A right-to-left model makes different mistakes from a left-to-right
 * one, which is what {@link RescoringPolicy} uses (as G2P and translation systems do).
 *
 * <p>It trains by maximum likelihood only: a policy-gradient update would need its sampled rows in the
 * inner model's order, so the updates refuse. Checkpoints are the inner model's, unchanged.
 */
public final class RightToLeftPolicy implements SequencePolicy {
  private final SequencePolicy inner;

  public RightToLeftPolicy(SequencePolicy inner) {
    this.inner = inner;
  }

  /** The model that generates right to left, whose rows are in that order. */
  public SequencePolicy inner() {
    return inner;
  }

  /** {@code row} with its first {@code n} entries reversed (a copy); the rest, the end token and padding, in place. */
  static int[] reversedPrefix(int[] row, int n) {
    int[] out = row.clone();
    for (int t = 0; t < n; t++) {
      out[t] = row[n - 1 - t];
    }
    return out;
  }

  private static double[] reversedPrefix(double[] row, int n) {
    double[] out = row.clone();
    for (int t = 0; t < n; t++) {
      out[t] = row[n - 1 - t];
    }
    return out;
  }

  /** How many leading tokens of a decoded row are output proper: its length, less the end token if it has one. */
  private static int outputTokens(int[] tokens, int length) {
    return length > 0 && tokens[length - 1] == Tokens.END ? length - 1 : length;
  }

  /**
   * The rollout with every row's output tokens, and each step's log-probability, entropy, step value
   * and attention with them, in the other order; what a row holds at the end token and after it stays.
   * Applying it twice gives the rollout back.
   */
  static Rollout flipped(Rollout r) {
    int rows = r.rows();
    int[][] tokens = new int[rows][];
    double[][] logProbs = new double[rows][];
    double[][] entropies = new double[rows][];
    double[][] stepValues = r.stepValues() == null ? null : new double[rows][];
    double[][][] attention = r.attention() == null ? null : new double[rows][][];
    for (int i = 0; i < rows; i++) {
      int n = outputTokens(r.tokens()[i], r.lengths()[i]);
      tokens[i] = reversedPrefix(r.tokens()[i], n);
      logProbs[i] = reversedPrefix(r.logProbs()[i], n);
      entropies[i] = reversedPrefix(r.entropies()[i], n);
      if (stepValues != null) {
        stepValues[i] = reversedPrefix(r.stepValues()[i], n);
      }
      if (attention != null) {
        double[][] a = r.attention()[i].clone();
        for (int t = 0; t < n; t++) {
          a[t] = r.attention()[i][n - 1 - t];
        }
        attention[i] = a;
      }
    }
    return new Rollout(r.sources(), r.samplesPerInput(), tokens, r.lengths().clone(), logProbs, entropies,
        r.sequenceValues(), stepValues, attention);
  }

  /** Every row of {@code rows} (outputs without an end token) reversed. */
  static int[][] reversed(int[][] rows) {
    int[][] out = new int[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = reversedPrefix(rows[i], rows[i].length);
    }
    return out;
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength) {
    return flipped(inner.sample(sources, samplesPerInput, temperature, maxLength));
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength, long seed) {
    return flipped(inner.sample(sources, samplesPerInput, temperature, maxLength, seed));
  }

  @Override
  public Rollout greedy(int[][] sources, int maxLength) {
    return flipped(inner.greedy(sources, maxLength));
  }

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength) {
    return reversed(inner.beamSearch(sources, beamWidth, maxLength));
  }

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength, double coveragePenalty) {
    return reversed(inner.beamSearch(sources, beamWidth, maxLength, coveragePenalty));
  }

  @Override
  public int[][][] beamSearchNBest(int[][] sources, int beamWidth, int maxLength, double coveragePenalty, int n) {
    int[][][] lists = inner.beamSearchNBest(sources, beamWidth, maxLength, coveragePenalty, n);
    int[][][] out = new int[lists.length][][];
    for (int i = 0; i < lists.length; i++) {
      out[i] = reversed(lists[i]);
    }
    return out;
  }

  @Override
  public UpdateStats mleStep(int[][] sources, int[][] targets, OptimizerSettings optimizer) {
    return inner.mleStep(sources, reversed(targets), optimizer);
  }

  /** The log-probabilities of the rollout's tokens (given left to right), each at its own position. */
  @Override
  public void logProbs(Rollout rollout, PolicyParameters parameters, double[][] out) {
    inner.logProbs(flipped(rollout), parameters, out);
    for (int i = 0; i < rollout.rows(); i++) {
      double[] row = reversedPrefix(out[i], outputTokens(rollout.tokens()[i], rollout.lengths()[i]));
      System.arraycopy(row, 0, out[i], 0, row.length);
    }
  }

  private static UnsupportedOperationException mleOnly(String what) {
    return new UnsupportedOperationException("a right-to-left model (model.output_order: right-to-left) trains by"
        + " maximum likelihood only; " + what + " needs model.output_order: left-to-right");
  }

  @Override
  public UpdateStats update(PolicyGradientBatch batch, OptimizerSettings optimizer) {
    throw mleOnly("a policy-gradient update");
  }

  @Override
  public double[] policyGradient(PolicyGradientBatch batch) {
    throw mleOnly("a policy gradient");
  }

  @Override
  public UpdateStats mixedUpdate(PolicyGradientBatch batch, int[][] targets, double mleWeight, OptimizerSettings optimizer) {
    throw mleOnly("a mixed update");
  }

  @Override
  public void freezeReference() {
    inner.freezeReference();
  }

  @Override
  public boolean hasReference() {
    return inner.hasReference();
  }

  @Override
  public void updateAverage(double decay) {
    inner.updateAverage(decay);
  }

  @Override
  public boolean hasAverage() {
    return inner.hasAverage();
  }

  @Override
  public void swapAverage() {
    inner.swapAverage();
  }

  @Override
  public void adoptAverage() {
    inner.adoptAverage();
  }

  @Override
  public Set<CriticHead> criticHeads() {
    return inner.criticHeads();
  }

  @Override
  public void save(Path directory) throws IOException {
    inner.save(directory);
  }

  @Override
  public void restore(Path directory) throws IOException {
    inner.restore(directory);
  }

  @Override
  public void close() {
    inner.close();
  }
}
