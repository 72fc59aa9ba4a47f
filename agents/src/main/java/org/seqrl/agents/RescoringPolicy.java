package org.seqrl.agents;

import java.util.Arrays;
import java.util.List;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.Tokens;

/**
 * Decoding by rescoring, as G2P and translation systems do: each decoder (a model, or an ensemble)
 * proposes its output for a source, every scoring model scores every proposal by teacher forcing, and
 * the proposal with the highest weighted sum of the models' log-probabilities wins (ties go to the first
 * decoder's). Its first use is models that write in different orders ({@link RightToLeftPolicy}): a
 * left-to-right model cannot see how a word ends when it starts it, a right-to-left one the reverse, and
 * where they disagree the other model's score decides. The same rule over models of one order
 * ({@code seqrl eval --ensemble-combine rescore}) is its control.
 *
 * <p>A proposal is scored whole, the end token included, so a longer output pays for its extra tokens:
 * no length normalisation, as in the decoders' own beam search. It only decodes: greedy and beam
 * search propose by the decoders' own greedy and beam search; the rows {@link #greedy} returns keep the
 * per-step values of the decoder that proposed them. Sampling (the few samples an evaluation shows) is
 * the first decoder's.
 */
public final class RescoringPolicy extends DecodingOnlyPolicy {
  private final List<SequencePolicy> decoders;
  private final List<SequencePolicy> scorers;
  private final double[] weights;

  /**
   * @param decoders at least two, each reading and writing sequences left to right (a right-to-left
   *     model as a {@link RightToLeftPolicy}); the first wins ties
   * @param scorers every model, seen left to right, each able to score a given sequence ({@link #logProbs})
   * @param weights one positive weight per scorer, or null for equal weights
   */
  public RescoringPolicy(List<SequencePolicy> decoders, List<SequencePolicy> scorers, double[] weights) {
    super("rescoring", "its models");
    if (decoders.size() < 2) {
      throw new IllegalArgumentException("rescoring needs at least two decoders, got " + decoders.size());
    }
    if (scorers.isEmpty()) {
      throw new IllegalArgumentException("rescoring needs at least one scoring model");
    }
    if (weights != null && weights.length != scorers.size()) {
      throw new IllegalArgumentException(weights.length + " weights for " + scorers.size() + " scoring models");
    }
    this.decoders = List.copyOf(decoders);
    this.scorers = List.copyOf(scorers);
    this.weights = weights == null ? equal(scorers.size()) : weights.clone();
    for (double w : this.weights) {
      if (!(w > 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("a scoring weight must be positive and finite, got " + w);
      }
    }
  }

  private static double[] equal(int n) {
    double[] w = new double[n];
    Arrays.fill(w, 1.0 / n);
    return w;
  }

  /**
   * The weighted sum over the scoring models of each candidate's log-probability, end token included:
   * {@code candidates[c][i]} is candidate c for source i (tokens before the end).
   */
  public double[][] scores(int[][] sources, int[][][] candidates) {
    int k = candidates.length;
    int n = sources.length;
    int width = 1;
    for (int[][] c : candidates) {
      for (int[] row : c) {
        width = Math.max(width, row.length + 1);
      }
    }
    int[][] tokens = new int[n * k][width];
    int[] lengths = new int[n * k];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < k; c++) {
        int[] y = candidates[c][i];
        int row = i * k + c;
        System.arraycopy(y, 0, tokens[row], 0, y.length);
        tokens[row][y.length] = Tokens.END;
        lengths[row] = y.length + 1;
      }
    }
    Rollout rows = new Rollout(sources, k, tokens, lengths, new double[n * k][width], new double[n * k][width],
        null, null, null);
    double[][] total = new double[k][n];
    double[][] out = new double[n * k][width];
    for (int m = 0; m < scorers.size(); m++) {
      scorers.get(m).logProbs(rows, PolicyParameters.CURRENT, out);
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < k; c++) {
          double sum = 0;
          for (int t = 0; t < lengths[i * k + c]; t++) {
            sum += out[i * k + c][t];
          }
          total[c][i] += weights[m] * sum;
        }
      }
    }
    return total;
  }

  /** For every source, which candidate scores highest (the first of equal ones). */
  private int[] choose(int[][] sources, int[][][] candidates) {
    double[][] s = scores(sources, candidates);
    int[] best = new int[sources.length];
    for (int i = 0; i < sources.length; i++) {
      for (int c = 1; c < candidates.length; c++) {
        if (s[c][i] > s[best[i]][i]) {
          best[i] = c;
        }
      }
    }
    return best;
  }

  @Override
  public Rollout greedy(int[][] sources, int maxLength) {
    Rollout[] proposed = new Rollout[decoders.size()];
    int[][][] candidates = new int[decoders.size()][sources.length][];
    for (int d = 0; d < proposed.length; d++) {
      proposed[d] = decoders.get(d).greedy(sources, maxLength);
      for (int i = 0; i < sources.length; i++) {
        candidates[d][i] = proposed[d].hypothesis(i);
      }
    }
    int[] best = choose(sources, candidates);
    return chosenRows(sources, proposed, best);
  }

  /** One rollout of the chosen decoder's row for each source, widened to the longest. */
  private static Rollout chosenRows(int[][] sources, Rollout[] proposed, int[] best) {
    int n = sources.length;
    int width = 0;
    for (Rollout r : proposed) {
      width = Math.max(width, r.maxLength());
    }
    int[][] tokens = new int[n][];
    int[] lengths = new int[n];
    double[][] logProbs = new double[n][];
    double[][] entropies = new double[n][];
    boolean attention = Arrays.stream(proposed).allMatch(r -> r.attention() != null);
    double[][][] att = attention ? new double[n][][] : null;
    for (int i = 0; i < n; i++) {
      Rollout r = proposed[best[i]];
      tokens[i] = Arrays.copyOf(r.tokens()[i], width); // Tokens.PAD is 0
      lengths[i] = r.lengths()[i];
      logProbs[i] = Arrays.copyOf(r.logProbs()[i], width);
      entropies[i] = Arrays.copyOf(r.entropies()[i], width);
      if (att != null) {
        att[i] = Arrays.copyOf(r.attention()[i], width);
        for (int t = r.maxLength(); t < width; t++) {
          att[i][t] = new double[sources[i].length];
        }
      }
    }
    return new Rollout(sources, 1, tokens, lengths, logProbs, entropies, null, null, att);
  }

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength) {
    return beamSearch(sources, beamWidth, maxLength, 0);
  }

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength, double coveragePenalty) {
    int[][][] candidates = new int[decoders.size()][][];
    for (int d = 0; d < candidates.length; d++) {
      candidates[d] = decoders.get(d).beamSearch(sources, beamWidth, maxLength, coveragePenalty);
    }
    int[] best = choose(sources, candidates);
    int[][] out = new int[sources.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = candidates[best[i]][i];
    }
    return out;
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength) {
    return decoders.get(0).sample(sources, samplesPerInput, temperature, maxLength);
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength, long seed) {
    return decoders.get(0).sample(sources, samplesPerInput, temperature, maxLength, seed);
  }

  /** Closes nothing: the decoders and scorers share the models, whose owner closes them. */
  @Override
  public void close() {}
}
