package org.seqrl.agents;

import java.util.Arrays;
import java.util.List;
import org.seqrl.rl.Rollout;

/**
 * Several trained models decoding as one (an ensemble, as G2P and translation systems decode):
 * every member runs its own pass over the same rows, and each step's next-token distribution
 * combines the members' by a {@link Combination}: by default the mean of their probabilities,
 * {@code log((p_1 + ... + p_n) / n)}; optionally weighted, or their normalised (weighted) geometric
 * mean. Greedy decoding, sampling and beam search are {@link Search}'s, unchanged, on that
 * distribution; a beam's reordering reorders every member's pass.
 *
 * <p>An ensemble only decodes: it has no parameters of its own to train or save, so the training
 * and checkpoint methods refuse, naming what to do instead (train or save the members). The members
 * must share the target vocabulary; the caller checks that they also share the source vocabulary
 * and data ({@code seqrl eval} compares their vocabularies).
 */
public final class EnsemblePolicy extends DecodingOnlyPolicy {
  /** How a step's member distributions become one. Weights {@code w_m} are normalised to sum to 1. */
  public enum Combination {
    /** {@code p(y) = sum_m w_m p_m(y)}: a mixture; a token one member is sure of keeps that member's share. */
    MEAN,
    /**
     * {@code p(y) ∝ prod_m p_m(y)^w_m}: a product of experts (the log-linear ensemble of Marian and
     * other translation toolkits); a token any member rules out is ruled out.
     */
    PRODUCT
  }

  private final List<Seq2SeqPolicy> members;
  private final double[] weights;
  private final Combination combination;
  private final int vocab;
  private final Rng rng;

  /** An ensemble of {@code members} (at least one), the mean of their probabilities; {@code seed} seeds its sampling. */
  public EnsemblePolicy(List<Seq2SeqPolicy> members, long seed) {
    this(members, null, Combination.MEAN, seed);
  }

  /**
   * An ensemble of {@code members} (at least one) combined by {@code combination} with the members'
   * {@code weights} (positive and finite, one per member, normalised here to sum to 1; null for equal
   * weights); {@code seed} seeds its sampling.
   */
  public EnsemblePolicy(List<Seq2SeqPolicy> members, double[] weights, Combination combination, long seed) {
    super("an ensemble", "its members");
    if (members.isEmpty()) {
      throw new IllegalArgumentException("an ensemble needs at least one member");
    }
    this.weights = normalisedWeights(weights, members.size());
    this.combination = combination;
    this.vocab = members.get(0).decoder.vocab();
    for (int m = 1; m < members.size(); m++) {
      int v = members.get(m).decoder.vocab();
      if (v != vocab) {
        throw new IllegalArgumentException("ensemble member " + (m + 1) + " has " + v + " output actions, member 1 has "
            + vocab + "; the members must share the target vocabulary");
      }
    }
    this.members = List.copyOf(members);
    this.rng = new Rng(seed);
  }

  private static double[] normalisedWeights(double[] weights, int members) {
    if (weights == null) {
      double[] equal = new double[members];
      Arrays.fill(equal, 1.0 / members);
      return equal;
    }
    if (weights.length != members) {
      throw new IllegalArgumentException(weights.length + " ensemble weights for " + members + " members; give one weight per member");
    }
    double sum = 0;
    for (int m = 0; m < members; m++) {
      if (!(weights[m] > 0) || Double.isInfinite(weights[m])) {
        throw new IllegalArgumentException("ensemble weight " + (m + 1) + " is " + weights[m] + "; a weight must be positive and finite");
      }
      sum += weights[m];
    }
    double[] normalised = new double[members];
    for (int m = 0; m < members; m++) {
      normalised[m] = weights[m] / sum;
    }
    return normalised;
  }

  public int size() {
    return members.size();
  }

  /** The members' weights as used, summing to 1. */
  public double[] weights() {
    return weights.clone();
  }

  public Combination combination() {
    return combination;
  }

  /** "" for equal weights, else ", weights 0.7500, 0.2500" (as used, summing to 1), for what a report prints. */
  public String weightsDescription() {
    boolean equal = true;
    for (double w : weights) {
      equal &= Math.abs(w - weights[0]) < 1e-12;
    }
    if (equal) {
      return "";
    }
    StringBuilder b = new StringBuilder(", weights ");
    for (int m = 0; m < weights.length; m++) {
      b.append(m == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.4g", weights[m]));
    }
    return b.toString();
  }

  private CombinedPass start(int[][] sources, int k, int maxLength) {
    Decoder.Pass[] passes = new Decoder.Pass[members.size()];
    for (int m = 0; m < passes.length; m++) {
      passes[m] = members.get(m).start(sources, k, maxLength, false);
    }
    return new CombinedPass(passes, vocab, weights, combination);
  }

  private Rollout decode(int[][] sources, int k, int maxLength, Search.TokenChoice choice) {
    CombinedPass pass = start(sources, k, maxLength);
    return Search.decode(pass, vocab, sources, k, pass.sourceOfRow(), maxLength, choice, null, null);
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength) {
    return decode(sources, samplesPerInput, maxLength, Search.sampling(temperature, rng));
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength, long seed) {
    return decode(sources, samplesPerInput, maxLength, Search.sampling(temperature, new Rng(seed)));
  }

  @Override
  public Rollout greedy(int[][] sources, int maxLength) {
    return decode(sources, 1, maxLength, Search.greedy());
  }

  /** Beam search as {@link Seq2SeqPolicy#beamSearchWithScores} does it, on the ensemble's distribution. */
  public Seq2SeqPolicy.BeamResult beamSearchWithScores(int[][] sources, int beamWidth, int maxLength) {
    return beamSearchWithScores(sources, beamWidth, maxLength, 0);
  }

  /** With the coverage penalty on the members' (weighted) mean attention ({@link Seq2SeqPolicy#beamSearchWithScores(int[][], int, int, double)}). */
  public Seq2SeqPolicy.BeamResult beamSearchWithScores(int[][] sources, int beamWidth, int maxLength, double coveragePenalty) {
    Search.Beams b = beams(sources, beamWidth, maxLength, coveragePenalty, 1);
    return new Seq2SeqPolicy.BeamResult(b.hypotheses(), b.scores());
  }

  private Search.Beams beams(int[][] sources, int beamWidth, int maxLength, double coveragePenalty, int n) {
    if (beamWidth < 1) {
      throw new IllegalArgumentException("beamWidth must be >= 1, got " + beamWidth);
    }
    Search.Coverage coverage = Seq2SeqPolicy.coverage(sources, coveragePenalty, false);
    return Search.beam(start(sources, beamWidth, maxLength), vocab, sources.length, beamWidth, maxLength,
        () -> greedy(sources, maxLength), coverage, n);
  }

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength) {
    return beamSearchWithScores(sources, beamWidth, maxLength).hypotheses();
  }

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength, double coveragePenalty) {
    return beamSearchWithScores(sources, beamWidth, maxLength, coveragePenalty).hypotheses();
  }

  @Override
  public int[][][] beamSearchNBest(int[][] sources, int beamWidth, int maxLength, double coveragePenalty, int n) {
    return beams(sources, beamWidth, maxLength, coveragePenalty, n).nBest();
  }

  /** Closes the members. */
  @Override
  public void close() {
    members.forEach(Seq2SeqPolicy::close);
  }

  /**
   * The members' passes stepping together. A step's "logits" are the combined log-probabilities,
   * which {@link Search}'s log-softmax leaves as they are (they already normalise). The mean is
   * computed per action as {@code max + log(sum w_m exp(lp_m - max))}, so that an action every member
   * finds very unlikely keeps a finite score instead of {@code log 0}; the product as
   * {@code sum w_m lp_m} less its log-sum-exp over the actions.
   */
  static final class CombinedPass implements Decoder.Pass {
    private final Decoder.Pass[] passes;
    private final int vocab;
    private final double[] weights;
    private final double[] logWeights;
    private final Combination combination;
    private final double[] row;
    private final double[] combined;
    private final double[][] memberLogProbs;

    CombinedPass(Decoder.Pass[] passes, int vocab, double[] weights, Combination combination) {
      this.passes = passes;
      this.vocab = vocab;
      this.weights = weights;
      this.logWeights = new double[weights.length];
      for (int m = 0; m < weights.length; m++) {
        logWeights[m] = Math.log(weights[m]);
      }
      this.combination = combination;
      this.row = new double[vocab];
      this.combined = new double[vocab];
      this.memberLogProbs = new double[passes.length][vocab];
    }

    @Override
    public int rows() {
      return passes[0].rows();
    }

    @Override
    public Encoding encoding() {
      throw new UnsupportedOperationException("an ensemble's rows read one encoding per member, not one");
    }

    @Override
    public int[] sourceOfRow() {
      return passes[0].sourceOfRow();
    }

    @Override
    public int steps() {
      return passes[0].steps();
    }

    @Override
    public float[] step(int[] previous) {
      int r = rows();
      float[][] logits = new float[passes.length][];
      for (int m = 0; m < passes.length; m++) {
        logits[m] = passes[m].step(previous);
      }
      float[] out = new float[r * vocab];
      for (int i = 0; i < r; i++) {
        for (int m = 0; m < passes.length; m++) {
          for (int v = 0; v < vocab; v++) {
            row[v] = logits[m][i * vocab + v];
          }
          LossMath.logSoftmax(row, 1.0, memberLogProbs[m]);
        }
        if (combination == Combination.MEAN) {
          mean();
        } else {
          product();
        }
        for (int v = 0; v < vocab; v++) {
          out[i * vocab + v] = (float) combined[v];
        }
      }
      return out;
    }

    private void mean() {
      for (int v = 0; v < vocab; v++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int m = 0; m < passes.length; m++) {
          max = Math.max(max, memberLogProbs[m][v] + logWeights[m]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
          combined[v] = Double.NEGATIVE_INFINITY;
          continue;
        }
        double sum = 0;
        for (int m = 0; m < passes.length; m++) {
          sum += Math.exp(memberLogProbs[m][v] + logWeights[m] - max);
        }
        combined[v] = max + Math.log(sum);
      }
    }

    private void product() {
      for (int v = 0; v < vocab; v++) {
        double s = 0;
        for (int m = 0; m < passes.length; m++) {
          s += weights[m] * memberLogProbs[m][v];
        }
        row[v] = s;
      }
      // renormalise: the weighted geometric mean of distributions sums to at most 1
      LossMath.logSoftmax(row, 1.0, combined);
    }

    @Override
    public void reorder(int[] parent) {
      for (Decoder.Pass p : passes) {
        p.reorder(parent);
      }
    }

    /** The members' weighted mean attention weights, or null when a member has none. */
    @Override
    public float[] attentionWeights() {
      float[] mean = null;
      for (int m = 0; m < passes.length; m++) {
        float[] w = passes[m].attentionWeights();
        if (w == null) {
          return null;
        }
        if (mean == null) {
          mean = new float[w.length];
        }
        for (int j = 0; j < w.length; j++) {
          mean[j] += (float) (w[j] * weights[m]);
        }
      }
      return mean;
    }

    @Override
    public float[] features() {
      throw new UnsupportedOperationException("an ensemble has no step critic");
    }

    @Override
    public int featuresOffset() {
      throw new UnsupportedOperationException("an ensemble has no step critic");
    }

    @Override
    public float[] keptLogits() {
      throw new UnsupportedOperationException("an ensemble's passes are not kept");
    }

    @Override
    public float[] keptFeatures() {
      throw new UnsupportedOperationException("an ensemble's passes are not kept");
    }

    @Override
    public double stabilizeHidden(double beta, double rowsNorm, int[] lengths) {
      throw new UnsupportedOperationException("an ensemble's passes are not kept");
    }

    @Override
    public Decoder.EncodingGradient backward(float[] dLogits, float[] dFeatures) {
      throw new UnsupportedOperationException("an ensemble's passes are not kept");
    }
  }
}
