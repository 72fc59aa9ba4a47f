package org.seqrl.rl;

import java.util.Arrays;

/**
 * Sequences decoded by a policy for a batch of inputs, with what the update needs.
 *
 * <p>Rows are input-major: row {@code r} belongs to input {@code r / samplesPerInput}. Each
 * row holds the generated tokens, including the end token when one was produced; positions
 * at and after {@code lengths[r]} are padding and are masked out of every loss. All per-step
 * arrays are {@code [rows][maxLength]}.
 *
 * <p>{@code logProbs} and {@code entropies} are those of the policy itself (temperature 1),
 * whatever temperature was used to draw the tokens, so that the gradient is the policy's.
 * Critic arrays are null when the policy has no such head; {@code attention}
 * ({@code [rows][step][sourcePosition]}) is null unless the policy recorded it.
 */
public record Rollout(
    int[][] sources,
    int samplesPerInput,
    int[][] tokens,
    int[] lengths,
    double[][] logProbs,
    double[][] entropies,
    double[] sequenceValues,
    double[][] stepValues,
    double[][][] attention) {

  public Rollout {
    if (samplesPerInput < 1) {
      throw new IllegalArgumentException("samplesPerInput must be >= 1, got " + samplesPerInput);
    }
    int rows = sources.length * samplesPerInput;
    if (tokens.length != rows || lengths.length != rows || logProbs.length != rows || entropies.length != rows) {
      throw new IllegalArgumentException(
          "rollout arrays must have " + rows + " rows (" + sources.length + " inputs x " + samplesPerInput
              + " samples); got tokens=" + tokens.length + ", lengths=" + lengths.length
              + ", logProbs=" + logProbs.length + ", entropies=" + entropies.length);
    }
    if (sequenceValues != null && sequenceValues.length != rows) {
      throw new IllegalArgumentException("sequenceValues must have " + rows + " rows, got " + sequenceValues.length);
    }
    if (stepValues != null && stepValues.length != rows) {
      throw new IllegalArgumentException("stepValues must have " + rows + " rows, got " + stepValues.length);
    }
  }

  public int rows() {
    return tokens.length;
  }

  public int inputs() {
    return sources.length;
  }

  /** The padded width of every per-step array. */
  public int maxLength() {
    return tokens.length == 0 ? 0 : tokens[0].length;
  }

  public int inputOf(int row) {
    return row / samplesPerInput;
  }

  /** 1 where step {@code t} of {@code row} is a generated token (the end token included), else 0. */
  public double mask(int row, int t) {
    return t < lengths[row] ? 1.0 : 0.0;
  }

  /** The tokens a reward sees: the row's tokens before the end token (padding and end excluded). */
  public int[] hypothesis(int row) {
    int n = lengths[row];
    int[] y = tokens[row];
    int end = 0;
    while (end < n && y[end] != Tokens.END) {
      end++;
    }
    return Arrays.copyOf(y, end);
  }

  /** Total number of generated (unmasked) tokens over all rows. */
  public int tokenCount() {
    int sum = 0;
    for (int n : lengths) {
      sum += n;
    }
    return sum;
  }

  /**
   * The rows of the given inputs, in that order, as a rollout of their own (a minibatch); the row
   * arrays are shared, not copied.
   */
  public Rollout select(int[] inputs) {
    int k = samplesPerInput;
    int rows = inputs.length * k;
    int[][] src = new int[inputs.length][];
    int[][] tok = new int[rows][];
    int[] len = new int[rows];
    double[][] lp = new double[rows][];
    double[][] ent = new double[rows][];
    double[] seqV = sequenceValues == null ? null : new double[rows];
    double[][] stepV = stepValues == null ? null : new double[rows][];
    double[][][] att = attention == null ? null : new double[rows][][];
    for (int i = 0; i < inputs.length; i++) {
      src[i] = sources[inputs[i]];
      for (int j = 0; j < k; j++) {
        int from = inputs[i] * k + j;
        int to = i * k + j;
        tok[to] = tokens[from];
        len[to] = lengths[from];
        lp[to] = logProbs[from];
        ent[to] = entropies[from];
        if (seqV != null) {
          seqV[to] = sequenceValues[from];
        }
        if (stepV != null) {
          stepV[to] = stepValues[from];
        }
        if (att != null) {
          att[to] = attention[from];
        }
      }
    }
    return new Rollout(src, k, tok, len, lp, ent, seqV, stepV, att);
  }
}
