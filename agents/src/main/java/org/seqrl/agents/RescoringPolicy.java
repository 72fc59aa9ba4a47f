package org.seqrl.agents;

import java.util.ArrayList;
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
 * <p>Scorers other than the models themselves fit in as {@link Scorer}s: a {@link ChannelScorer} adds
 * noisy-channel rescoring (how well a proposal explains its source). With one, a single decoder is
 * enough (its n best hypotheses are the proposals).
 *
 * <p>A proposal is scored whole, the end token included, so a longer output pays for its extra tokens,
 * unless {@link Options#lengthBonus} gives each token back a fixed amount (what machine translation's
 * word penalty does). It only decodes: greedy and beam search propose by the decoders' own greedy and
 * beam search, beam search its {@link Options#nBest} best hypotheses per decoder (the same output from
 * two decoders is one proposal); the rows {@link #greedy} returns keep the per-step values of the decoder
 * that proposed them. Sampling (the few samples an evaluation shows) is the first decoder's.
 */
public final class RescoringPolicy extends DecodingOnlyPolicy {
  private final List<SequencePolicy> decoders;
  private final List<Scorer> scorers;
  private final double[] weights;
  private final Options options;

  /**
   * How proposals are made and scored beyond the weights.
   *
   * @param nBest how many beam hypotheses each decoder proposes (1 to the beam width; greedy proposes one)
   * @param lengthBonus added to a proposal's score for each of its tokens (the end token not counted); 0
   *     scores by log-probabilities alone, above 0 favours longer outputs
   * @param log told what was proposed and chosen for every source, or null
   */
  public record Options(int nBest, double lengthBonus, ProposalLog log) {
    public static final Options PLAIN = new Options(1, 0, null);

    public Options {
      if (nBest < 1) {
        throw new IllegalArgumentException("nBest must be >= 1, got " + nBest);
      }
      if (!Double.isFinite(lengthBonus)) {
        throw new IllegalArgumentException("lengthBonus must be finite, got " + lengthBonus);
      }
    }
  }

  /** What rescoring saw, source by source (for {@code seqrl eval --proposals}). */
  public interface ProposalLog {
    /**
     * @param search "greedy" or "beam"
     * @param candidates the proposals (tokens before the end), in decoder order, then rank
     * @param ranks {@code ranks[c][d]}: candidate c's place in decoder d's list, from 1; 0 where d did not propose it
     * @param logProbs {@code logProbs[m][c]}: scoring model m's log-probability of candidate c, end token included
     * @param scores the candidates' scores (weighted log-probabilities plus length bonus)
     * @param chosen the index of the candidate returned
     */
    void proposals(String search, int[] source, int[][] candidates, int[][] ranks, double[][] logProbs, double[] scores,
        int chosen);
  }

  /** Gives each proposal one log-probability. */
  public interface Scorer {
    /** {@code [r]}: the log-probability this scorer gives {@code proposals[r]} (tokens before the end) for {@code sources[r]}. */
    double[] logProbs(int[][] sources, int[][] proposals);
  }

  /** A model's own log-probability of a proposal, end token included, by teacher forcing. */
  public static Scorer direct(SequencePolicy model) {
    return (sources, proposals) -> teacherForced(model, sources, proposals);
  }

  /** {@code [r]}: the model's log-probability of {@code outputs[r]} then the end token, given {@code sources[r]}. */
  static double[] teacherForced(SequencePolicy model, int[][] sources, int[][] outputs) {
    int width = 1;
    for (int[] row : outputs) {
      width = Math.max(width, row.length + 1);
    }
    int[][] tokens = new int[outputs.length][width];
    int[] lengths = new int[outputs.length];
    for (int r = 0; r < outputs.length; r++) {
      System.arraycopy(outputs[r], 0, tokens[r], 0, outputs[r].length);
      tokens[r][outputs[r].length] = Tokens.END;
      lengths[r] = outputs[r].length + 1;
    }
    Rollout rollout = new Rollout(sources, 1, tokens, lengths, new double[outputs.length][width],
        new double[outputs.length][width], null, null, null);
    double[][] out = new double[outputs.length][width];
    model.logProbs(rollout, PolicyParameters.CURRENT, out);
    double[] sums = new double[outputs.length];
    for (int r = 0; r < outputs.length; r++) {
      double sum = 0;
      for (int t = 0; t < lengths[r]; t++) {
        sum += out[r][t];
      }
      sums[r] = sum;
    }
    return sums;
  }

  /**
   * Rescoring with any scorers: the models' own ({@link #direct}) and others such as a {@link ChannelScorer}.
   *
   * @param decoders at least one (with one, nothing is chosen unless it proposes several: {@link Options#nBest})
   * @param weights one positive weight per scorer, or null for equal weights
   */
  public static RescoringPolicy scoredBy(List<SequencePolicy> decoders, List<Scorer> scorers, double[] weights,
      Options options) {
    return new RescoringPolicy(decoders, scorers, weights, options, 1);
  }

  /** {@link #RescoringPolicy(List, List, double[], Options)} with {@link Options#PLAIN}. */
  public RescoringPolicy(List<SequencePolicy> decoders, List<SequencePolicy> scorers, double[] weights) {
    this(decoders, scorers, weights, Options.PLAIN);
  }

  /**
   * @param decoders at least two, each reading and writing sequences left to right (a right-to-left
   *     model as a {@link RightToLeftPolicy}); the first wins ties
   * @param scorers every model, seen left to right, each able to score a given sequence ({@link #logProbs})
   * @param weights one positive weight per scorer, or null for equal weights
   */
  public RescoringPolicy(List<SequencePolicy> decoders, List<SequencePolicy> scorers, double[] weights, Options options) {
    this(decoders, scorers.stream().map(RescoringPolicy::direct).toList(), weights, options, 2);
  }

  private RescoringPolicy(List<SequencePolicy> decoders, List<Scorer> scorers, double[] weights, Options options,
      int leastDecoders) {
    super("rescoring", "its models");
    if (decoders.size() < leastDecoders) {
      throw new IllegalArgumentException("rescoring needs at least " + leastDecoders + " decoder"
          + (leastDecoders == 1 ? "" : "s") + ", got " + decoders.size());
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
    this.options = options;
    for (double w : this.weights) {
      if (!(w > 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("a scoring weight must be positive and finite, got " + w);
      }
    }
  }

  /** The proposal and scoring options it was made with. */
  public Options options() {
    return options;
  }

  private static double[] equal(int n) {
    double[] w = new double[n];
    Arrays.fill(w, 1.0 / n);
    return w;
  }

  /**
   * Each candidate's score: the weighted sum over the scoring models of its log-probability, end token
   * included, plus the length bonus per token. {@code candidates[c][i]} is candidate c for source i
   * (tokens before the end).
   */
  public double[][] scores(int[][] sources, int[][][] candidates) {
    int k = candidates.length;
    int n = sources.length;
    int[][] rowSources = new int[n * k][];
    int[][] rows = new int[n * k][];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < k; c++) {
        rowSources[i * k + c] = sources[i];
        rows[i * k + c] = candidates[c][i];
      }
    }
    double[] total = scored(rows, logProbsByScorer(rowSources, rows));
    double[][] out = new double[k][n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < k; c++) {
        out[c][i] = total[i * k + c];
      }
    }
    return out;
  }

  /** {@code [m][r]}: scorer m's log-probability of {@code rows[r]} given {@code rowSources[r]}. */
  private double[][] logProbsByScorer(int[][] rowSources, int[][] rows) {
    double[][] byScorer = new double[scorers.size()][];
    for (int m = 0; m < scorers.size(); m++) {
      byScorer[m] = scorers.get(m).logProbs(rowSources, rows);
    }
    return byScorer;
  }

  /** The score of each row from its scorers' log-probabilities. */
  private double[] scored(int[][] rows, double[][] byScorer) {
    double[] total = new double[rows.length];
    for (int r = 0; r < rows.length; r++) {
      for (int m = 0; m < byScorer.length; m++) {
        total[r] += weights[m] * byScorer[m][r];
      }
      total[r] += options.lengthBonus() * rows[r].length;
    }
    return total;
  }

  /**
   * For every source, which of its candidates scores highest (the first of equal ones), telling the log:
   * {@code candidates[i]} are source i's, {@code ranks[i][c][d]} as {@link ProposalLog#proposals} has them.
   */
  private int[] choose(String search, int[][] sources, int[][][] candidates, int[][][] ranks) {
    int count = 0;
    for (int[][] c : candidates) {
      count += c.length;
    }
    int[][] rowSources = new int[count][];
    int[][] rows = new int[count][];
    int[] first = new int[sources.length + 1];
    for (int i = 0, r = 0; i < sources.length; i++) {
      first[i] = r;
      for (int[] y : candidates[i]) {
        rowSources[r] = sources[i];
        rows[r++] = y;
      }
      first[i + 1] = r;
    }
    double[][] byScorer = logProbsByScorer(rowSources, rows);
    double[] total = scored(rows, byScorer);
    int[] best = new int[sources.length];
    for (int i = 0; i < sources.length; i++) {
      for (int r = first[i] + 1; r < first[i + 1]; r++) {
        if (total[r] > total[first[i] + best[i]]) {
          best[i] = r - first[i];
        }
      }
      if (options.log() != null) {
        int from = first[i];
        int to = first[i + 1];
        double[][] lp = new double[scorers.size()][];
        for (int m = 0; m < lp.length; m++) {
          lp[m] = Arrays.copyOfRange(byScorer[m], from, to);
        }
        options.log().proposals(search, sources[i], candidates[i], ranks[i], lp, Arrays.copyOfRange(total, from, to),
            best[i]);
      }
    }
    return best;
  }

  @Override
  public Rollout greedy(int[][] sources, int maxLength) {
    Rollout[] proposed = new Rollout[decoders.size()];
    int[][][][] lists = new int[decoders.size()][sources.length][][];
    for (int d = 0; d < proposed.length; d++) {
      proposed[d] = decoders.get(d).greedy(sources, maxLength);
      for (int i = 0; i < sources.length; i++) {
        lists[d][i] = new int[][] {proposed[d].hypothesis(i)};
      }
    }
    Proposals p = merged(lists, sources.length);
    int[] best = choose("greedy", sources, p.candidates(), p.ranks());
    int[] decoder = new int[sources.length];
    for (int i = 0; i < sources.length; i++) {
      int[] ranks = p.ranks()[i][best[i]];
      while (ranks[decoder[i]] == 0) {
        decoder[i]++; // the first decoder that proposed the chosen output gives its row
      }
    }
    return chosenRows(sources, proposed, decoder);
  }

  /** Every source's candidates and their ranks (as {@link ProposalLog#proposals} has them). */
  private record Proposals(int[][][] candidates, int[][][] ranks) {}

  /** The decoders' lists {@code lists[d][i]} merged per source: decoder order, then rank; the same output once. */
  private static Proposals merged(int[][][][] lists, int sources) {
    int[][][] candidates = new int[sources][][];
    int[][][] ranks = new int[sources][][];
    for (int i = 0; i < sources; i++) {
      List<int[]> merged = new ArrayList<>();
      List<int[]> rankRows = new ArrayList<>();
      for (int d = 0; d < lists.length; d++) {
        for (int k = 0; k < lists[d][i].length; k++) {
          int[] y = lists[d][i][k];
          int at = indexOf(merged, y);
          if (at < 0) {
            merged.add(y);
            rankRows.add(new int[lists.length]);
            at = merged.size() - 1;
          }
          rankRows.get(at)[d] = k + 1;
        }
      }
      candidates[i] = merged.toArray(new int[0][]);
      ranks[i] = rankRows.toArray(new int[0][]);
    }
    return new Proposals(candidates, ranks);
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

  /**
   * Each decoder's {@link Options#nBest} best beam hypotheses, merged (decoder order, then rank; the
   * same output once), rescored; the highest score wins.
   */
  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength, double coveragePenalty) {
    int[][][][] lists = new int[decoders.size()][][][];
    for (int d = 0; d < lists.length; d++) {
      lists[d] = decoders.get(d).beamSearchNBest(sources, beamWidth, maxLength, coveragePenalty, options.nBest());
    }
    Proposals p = merged(lists, sources.length);
    int[] best = choose("beam", sources, p.candidates(), p.ranks());
    int[][] out = new int[sources.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = p.candidates()[i][best[i]];
    }
    return out;
  }

  private static int indexOf(List<int[]> rows, int[] y) {
    for (int j = 0; j < rows.size(); j++) {
      if (Arrays.equals(rows.get(j), y)) {
        return j;
      }
    }
    return -1;
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
