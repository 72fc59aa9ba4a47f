package org.seqrl.agents;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.Tokens;

/**
 * Sampling (at a temperature), greedy decoding and beam search, written once on top of
 * {@link Decoder.Pass}: whatever the decoder, a step is previous tokens in, logits out, and beams
 * reorder rows. PAD and START are never chosen (their logits' log-probabilities are -inf only if
 * the model says so; the loss never trains them as targets).
 */
final class Search {
  private Search() {}

  /** How a row's next token is chosen from its logits {@code lg} and log-probabilities {@code lp} (at temperature 1). */
  interface TokenChoice {
    int choose(double[] lg, double[] lp);
  }

  static TokenChoice greedy() {
    return (lg, lp) -> argmax(lp);
  }

  /** Draws from softmax(logits / temperature) with {@code rng}; the temperature must be above 0. */
  static TokenChoice sampling(double temperature, Rng rng) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    if (temperature == 1.0) {
      return (lg, lp) -> draw(lp, rng);
    }
    return new TokenChoice() {
      private double[] lpT = new double[0];

      @Override
      public int choose(double[] lg, double[] lp) {
        if (lpT.length != lg.length) {
          lpT = new double[lg.length];
        }
        LossMath.logSoftmax(lg, temperature, lpT);
        return draw(lpT, rng);
      }
    };
  }

  /**
   * Decodes the rows of {@code dec} (row r reads {@code sources[srcOf[r]]}, {@code k} rows per
   * source) until every row has produced END or {@code maxLength} steps ran. {@code stepHead},
   * if not null, values the decoder's features before each step; {@code seqValues} are passed through.
   */
  static Rollout decode(Decoder.Pass dec, int vocab, int[][] sources, int k, int[] srcOf, int maxLength,
      TokenChoice choice, ValueHead stepHead, double[] seqValues) {
    int r = dec.rows();
    int[] prev = new int[r];
    Arrays.fill(prev, Tokens.START);
    List<int[]> toks = new ArrayList<>();
    List<double[]> lps = new ArrayList<>();
    List<double[]> ents = new ArrayList<>();
    List<double[]> vals = new ArrayList<>();
    List<float[]> atts = new ArrayList<>();
    int[] lengths = new int[r];
    boolean[] done = new boolean[r];
    int live = r;
    double[] lg = new double[vocab];
    double[] lp = new double[vocab];
    for (int t = 0; t < maxLength && live > 0; t++) {
      if (stepHead != null) {
        vals.add(stepHead.values(dec.features(), dec.featuresOffset(), r));
      }
      float[] logits = dec.step(prev);
      if (dec.attentionWeights() != null) {
        atts.add(dec.attentionWeights());
      }
      int[] y = new int[r];
      double[] stepLp = new double[r];
      double[] stepEnt = new double[r];
      for (int i = 0; i < r; i++) {
        if (done[i]) {
          y[i] = Tokens.PAD;
          continue;
        }
        for (int v = 0; v < vocab; v++) {
          lg[v] = logits[i * vocab + v];
        }
        LossMath.logSoftmax(lg, 1.0, lp);
        int c = choice.choose(lg, lp);
        y[i] = c;
        stepLp[i] = lp[c];
        stepEnt[i] = LossMath.entropy(lp);
        lengths[i] = t + 1;
        if (c == Tokens.END) {
          done[i] = true;
          live--;
        }
      }
      toks.add(y);
      lps.add(stepLp);
      ents.add(stepEnt);
      prev = y.clone();
      for (int i = 0; i < r; i++) {
        if (prev[i] == Tokens.PAD) {
          prev[i] = Tokens.END;
        }
      }
    }
    int steps = toks.size();
    int[][] tokens = new int[r][steps];
    double[][] logProbs = new double[r][steps];
    double[][] entropies = new double[r][steps];
    double[][] stepValues = stepHead != null ? new double[r][steps] : null;
    double[][][] attention = atts.isEmpty() ? null : new double[r][steps][];
    int s = attention == null ? 0 : atts.get(0).length / r;
    for (int i = 0; i < r; i++) {
      int srcLen = sources[srcOf[i]].length;
      for (int t = 0; t < steps; t++) {
        boolean in = t < lengths[i];
        tokens[i][t] = in ? toks.get(t)[i] : Tokens.PAD;
        logProbs[i][t] = in ? lps.get(t)[i] : 0;
        entropies[i][t] = in ? ents.get(t)[i] : 0;
        if (stepValues != null) {
          stepValues[i][t] = in ? vals.get(t)[i] : 0;
        }
        if (attention != null) {
          attention[i][t] = in ? Mat.toDouble(atts.get(t), i * s, srcLen) : new double[srcLen];
        }
      }
    }
    return new Rollout(sources, k, tokens, lengths, logProbs, entropies, seqValues, stepValues, attention);
  }

  /**
   * Per source, the best hypotheses found (tokens before the end), best first, at most as many as asked
   * for and at least one, with their ranking scores.
   */
  record Beams(int[][][] nBest, double[][] nBestScores) {
    /** The best hypothesis of every source. */
    int[][] hypotheses() {
      int[][] h = new int[nBest.length][];
      for (int s = 0; s < h.length; s++) {
        h[s] = nBest[s][0];
      }
      return h;
    }

    /** The best hypothesis's score, for every source. */
    double[] scores() {
      double[] x = new double[nBestScores.length];
      for (int s = 0; s < x.length; s++) {
        x[s] = nBestScores[s][0];
      }
      return x;
    }
  }

  /**
   * A source's best finished hypotheses, best first, at most {@code capacity}; a newcomer goes after the
   * ones that score as much (the first found of equal ones stays ahead), and one already listed is listed
   * once, with the higher of its scores.
   */
  private static final class Finished {
    final int[][] hyps;
    final double[] scores;
    int size;

    Finished(int capacity) {
      hyps = new int[capacity][];
      scores = new double[capacity];
    }

    void offer(int[] hyp, double score) {
      if (score == Double.NEGATIVE_INFINITY) {
        return;
      }
      for (int i = 0; i < size; i++) {
        if (Arrays.equals(hyps[i], hyp)) { // the greedy hypothesis, when the beam found it too
          if (scores[i] >= score) {
            return;
          }
          remove(i); // its greedy score came out higher (float rounding of another batch)
          break;
        }
      }
      int at = 0;
      while (at < size && scores[at] >= score) {
        at++;
      }
      if (at >= hyps.length) {
        return;
      }
      int last = Math.min(size, hyps.length - 1); // the last one drops out when full
      System.arraycopy(hyps, at, hyps, at + 1, last - at);
      System.arraycopy(scores, at, scores, at + 1, last - at);
      hyps[at] = hyp;
      scores[at] = score;
      size = last + 1;
    }

    private void remove(int i) {
      System.arraycopy(hyps, i + 1, hyps, i, size - i - 1);
      System.arraycopy(scores, i + 1, scores, i, size - i - 1);
      size--;
    }

    /** The score a live hypothesis must beat to still enter: the last one's when full, else -inf. */
    double bar() {
      return size < hyps.length ? Double.NEGATIVE_INFINITY : scores[size - 1];
    }
  }

  /**
   * Beam search of width {@code w} over {@code b} sources whose rows {@code s * w + k} are the
   * pass's rows. Scores are sums of log-probabilities, the end token included when produced. With
   * {@code w > 1} the greedy hypothesis ({@code greedy}) competes too: beam pruning can drop the
   * greedy path, and a wider beam should never return a less likely sequence than greedy decoding.
   */
  static Beams beam(Decoder.Pass dec, int vocab, int b, int w, int maxLength, Supplier<Rollout> greedy) {
    return beam(dec, vocab, b, w, maxLength, greedy, null);
  }

  /**
   * GNMT's coverage penalty (Wu et al. 2016), for beam search: a finished hypothesis is ranked by its
   * log-probability plus {@code beta * sum_j log(min(c_j, 1))} over the source positions j, where c_j
   * is the attention position j received summed over the hypothesis's steps (END's included). A
   * hypothesis that skipped part of the source (attention that jumped ahead) pays for it. The
   * penalty is at most 0, so a live hypothesis's log-probability still bounds everything it can
   * reach and the search stops as without it. {@code sourceLengths[s]} is source s's length.
   */
  record Coverage(double beta, int[] sourceLengths) {
    double penalty(double[] coverage, int source) {
      double p = 0;
      for (int j = 0; j < sourceLengths[source]; j++) {
        p += Math.log(Math.min(coverage[j], 1.0));
      }
      return beta * p;
    }
  }

  /**
   * {@link #beam(Decoder.Pass, int, int, int, int, Supplier)} ranking finished hypotheses (and, at
   * {@code maxLength}, unfinished ones, and the greedy hypothesis) by their log-probability plus the
   * coverage penalty when {@code coverage} is not null; the scores returned are those ranking scores.
   */
  static Beams beam(Decoder.Pass dec, int vocab, int b, int w, int maxLength, Supplier<Rollout> greedy,
      Coverage coverage) {
    return beam(dec, vocab, b, w, maxLength, greedy, coverage, 1);
  }

  /**
   * {@link #beam(Decoder.Pass, int, int, int, int, Supplier, Coverage)} keeping the {@code n} best finished
   * hypotheses of every source (n from 1 to {@code w}): a source's search stops once its n-th best finished
   * score is at least its best live one, so the first of the n is the hypothesis n = 1 returns, and the n
   * best of a larger n start with those of a smaller one. Fewer than n come back when fewer were found.
   */
  static Beams beam(Decoder.Pass dec, int vocab, int b, int w, int maxLength, Supplier<Rollout> greedy,
      Coverage coverage, int n) {
    if (n < 1 || n > w) {
      throw new IllegalArgumentException("n-best needs 1 <= n <= beam width " + w + ", got " + n);
    }
    int r = b * w;
    double[][] covered = null; // per row: attention received by each source position so far
    double[] score = new double[r];
    int[][] hyp = new int[r][0];
    for (int i = 0; i < r; i++) {
      score[i] = i % w == 0 ? 0 : Double.NEGATIVE_INFINITY; // one live beam per source at the start
    }
    int[] prev = new int[r];
    Arrays.fill(prev, Tokens.START);
    Finished[] finished = new Finished[b];
    for (int s = 0; s < b; s++) {
      finished[s] = new Finished(n);
    }
    boolean[] done = new boolean[b];
    double[] lg = new double[vocab];
    double[] lp = new double[vocab];
    double[] candScore = new double[w * vocab];
    int[] candRow = new int[w * vocab];
    int[] candTok = new int[w * vocab];
    for (int t = 0; t < maxLength; t++) {
      float[] logits = dec.step(prev);
      double[][] coveredNow = null; // the coverage of every row once this step's attention is counted
      if (coverage != null) {
        float[] att = dec.attentionWeights();
        if (att == null) {
          throw new IllegalStateException("a coverage penalty needs attention weights; this decoder gives none");
        }
        int width = att.length / r;
        if (covered == null) {
          covered = new double[r][width];
        }
        coveredNow = new double[r][];
        for (int row = 0; row < r; row++) {
          coveredNow[row] = covered[row].clone();
          for (int j = 0; j < width; j++) {
            coveredNow[row][j] += att[row * width + j];
          }
        }
      }
      int[] parent = new int[r];
      int[] next = new int[r];
      double[] nextScore = new double[r];
      int[][] nextHyp = new int[r][];
      boolean allDone = true;
      for (int s = 0; s < b; s++) {
        // candidates in (beam, token) order; taken best first, the first of equal scores first
        // (what a stable sort of that order gives), until w live hypotheses are placed
        int nc = 0;
        for (int k = 0; k < w; k++) {
          int row = s * w + k;
          if (score[row] == Double.NEGATIVE_INFINITY || done[s]) {
            continue;
          }
          for (int v = 0; v < vocab; v++) {
            lg[v] = logits[row * vocab + v];
          }
          LossMath.logSoftmax(lg, 1.0, lp);
          for (int v = 0; v < vocab; v++) {
            if (lp[v] != Double.NEGATIVE_INFINITY) {
              candScore[nc] = score[row] + lp[v];
              candRow[nc] = row;
              candTok[nc] = v;
              nc++;
            }
          }
        }
        int filled = 0;
        for (int taken = 0; taken < nc && filled < w; taken++) {
          int bi = -1;
          for (int j = 0; j < nc; j++) {
            if (candRow[j] >= 0 && (bi < 0 || candScore[j] > candScore[bi])) {
              bi = j;
            }
          }
          double cs = candScore[bi];
          int row = candRow[bi];
          int tok = candTok[bi];
          candRow[bi] = -1;
          if (tok == Tokens.END) {
            double ranked = coverage == null ? cs : cs + coverage.penalty(coveredNow[row], s);
            finished[s].offer(hyp[row], ranked);
            continue;
          }
          int dst = s * w + filled++;
          parent[dst] = row;
          next[dst] = tok;
          nextScore[dst] = cs;
          int[] hy = Arrays.copyOf(hyp[row], hyp[row].length + 1);
          hy[hyp[row].length] = tok;
          nextHyp[dst] = hy;
        }
        double bestAlive = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < w; k++) {
          int dst = s * w + k;
          if (k >= filled) {
            parent[dst] = s * w;
            next[dst] = Tokens.END;
            nextScore[dst] = Double.NEGATIVE_INFINITY;
            nextHyp[dst] = new int[0];
          }
          bestAlive = Math.max(bestAlive, nextScore[dst]);
        }
        // log-probabilities only fall as a hypothesis grows: no live beam can beat a finished better one
        if (done[s] || finished[s].bar() >= bestAlive) {
          done[s] = true;
        } else {
          allDone = false;
        }
      }
      score = nextScore;
      hyp = nextHyp;
      if (coverage != null) {
        for (int row = 0; row < r; row++) {
          covered[row] = coveredNow[parent[row]].clone();
        }
      }
      dec.reorder(parent);
      prev = next;
      if (allDone) {
        break;
      }
    }
    for (int s = 0; s < b; s++) {
      if (!done[s]) { // maxLength reached: unfinished hypotheses compete too
        for (int k = 0; k < w; k++) {
          int row = s * w + k;
          double ranked = coverage == null || score[row] == Double.NEGATIVE_INFINITY ? score[row]
              : score[row] + coverage.penalty(covered[row], s);
          finished[s].offer(hyp[row], ranked);
        }
      }
    }
    if (w > 1) {
      Rollout g = greedy.get();
      for (int s = 0; s < b; s++) {
        double gs = 0;
        for (int t = 0; t < g.lengths()[s]; t++) {
          gs += g.logProbs()[s][t];
        }
        if (coverage != null) {
          double[] c = new double[coverage.sourceLengths()[s]];
          for (int t = 0; t < g.lengths()[s]; t++) {
            for (int j = 0; j < c.length; j++) {
              c[j] += g.attention()[s][t][j];
            }
          }
          gs += coverage.penalty(c, s);
        }
        finished[s].offer(g.hypothesis(s), gs);
      }
    }
    int[][][] nBest = new int[b][][];
    double[][] nBestScores = new double[b][];
    for (int s = 0; s < b; s++) {
      Finished f = finished[s];
      nBest[s] = f.size == 0 ? new int[][] {new int[0]} : Arrays.copyOf(f.hyps, f.size);
      nBestScores[s] = f.size == 0 ? new double[] {Double.NEGATIVE_INFINITY} : Arrays.copyOf(f.scores, f.size);
    }
    return new Beams(nBest, nBestScores);
  }

  static int argmax(double[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (a[i] > a[best]) {
        best = i;
      }
    }
    return best;
  }

  static int draw(double[] logp, Rng rng) {
    double u = rng.nextDouble();
    double acc = 0;
    int last = -1;
    for (int k = 0; k < logp.length; k++) {
      if (logp[k] == Double.NEGATIVE_INFINITY) {
        continue;
      }
      acc += Math.exp(logp[k]);
      last = k;
      if (u < acc) {
        return k;
      }
    }
    return last; // rounding left u above the total mass
  }
}
