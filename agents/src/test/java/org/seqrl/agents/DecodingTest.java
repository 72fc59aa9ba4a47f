package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.Tokens;

/** Sampling statistics, temperature, greedy decoding, and beam search against exhaustive search. */
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
  void beamOfWidthOneIsGreedy() {
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
      }
    }
  }

  // ---------------------------------------------------------------- beam search against exhaustive search

  /** Target vocabulary of the exhaustive tests: END, UNKNOWN and three regular tokens are actions. */
  private static final int SMALL_V = 7;
  /** Longest hypothesis: 4^4 = 256 unfinished sequences of full length, 85 finished ones. */
  private static final int SMALL_MAX = 4;
  private static final int[] REGULAR_ACTIONS = {Tokens.UNKNOWN, 4, 5, 6};

  /**
   * A tiny policy whose next-token distributions are peaked and depend on the prefix (every weight
   * scaled 3x, the output layer 6x, from the random initialisation), so that the most likely sequence
   * is often not the greedy one; {@code endBias} shifts the end token's logit, which moves the optima
   * between short and full-length sequences.
   */
  private static Seq2SeqPolicy smallPolicy(Attention att, CellType cell, long seed, float endBias) {
    return smallPolicy(att, cell, seed, endBias, 1, Seq2SeqConfig.LayerConnections.NONE);
  }

  private static Seq2SeqPolicy smallPolicy(Attention att, CellType cell, long seed, float endBias, int layers,
      Seq2SeqConfig.LayerConnections connections) {
    Seq2SeqPolicy p = new Seq2SeqPolicy(Seq2SeqConfig.builder(SMALL_V, SMALL_V).embedding(6).hidden(8)
        .attention(att).cell(cell).seed(seed).decoderLayers(layers).encoderLayers(layers).layerConnections(connections)
        .memory(new NtmSpec(6, 4, 1, 1, 1, NtmSpec.Controller.LSTM, 1e-6)).build());
    for (Params.Param q : p.params.all()) {
      for (int i = 0; i < q.value.length; i++) {
        q.value[i] *= q.name.equals("out.W") ? 6 : 3;
      }
    }
    p.params.get("out.b").value[Tokens.END] += endBias;
    p.params.markChanged();
    return p;
  }

  /**
   * log pi(tokens | source) by teacher forcing, through the training loss rather than the decoder
   * loop beam search runs (inputs known up front, every step's logits in one product, no reordering
   * of rows): the objective of one row with weight 1 per token is -sum_t log pi(y_t).
   */
  static double teacherForcedLogProb(Seq2SeqPolicy p, int[] source, List<Integer> tokens) {
    if (tokens.isEmpty()) {
      return 0;
    }
    int[] y = tokens.stream().mapToInt(Integer::intValue).toArray();
    double[][] w = {new double[y.length]};
    Arrays.fill(w[0], 1.0);
    Objective o =
        new Objective(new int[][] {source}, new int[][] {y}, new int[] {y.length}, w, null, null, null, 0, 1);
    p.params.zeroGrad();
    return -p.lossAndGradients(o, false).loss();
  }

  private static List<Integer> plus(List<Integer> prefix, int token) {
    List<Integer> l = new ArrayList<>(prefix);
    l.add(token);
    return l;
  }

  /** Teacher-forced log-probability of every prefix of up to {@code maxLength} regular tokens, and of each followed by END. */
  private static Map<List<Integer>, Double> allPrefixScores(Seq2SeqPolicy p, int[] source, int maxLength) {
    Map<List<Integer>, Double> scores = new HashMap<>();
    List<List<Integer>> level = List.of(List.of());
    for (int len = 0; len <= maxLength; len++) {
      List<List<Integer>> next = new ArrayList<>();
      for (List<Integer> y : level) {
        scores.put(y, teacherForcedLogProb(p, source, y));
        if (len < maxLength) {
          scores.put(plus(y, Tokens.END), teacherForcedLogProb(p, source, plus(y, Tokens.END)));
          for (int a : REGULAR_ACTIONS) {
            next.add(plus(y, a));
          }
        }
      }
      level = next;
    }
    return scores;
  }

  /**
   * What beam search returns, as a sequence and its score: a hypothesis is the tokens before END and
   * its score is the unnormalised sum of log-probabilities, END's included; at {@code maxLength}
   * unfinished hypotheses compete with their score as it stands.
   */
  private record Scored(List<Integer> tokens, double score) {}

  private static List<Integer> withoutEnd(List<Integer> y) {
    return !y.isEmpty() && y.get(y.size() - 1) == Tokens.END ? y.subList(0, y.size() - 1) : y;
  }

  /** Every sequence the search space holds: y + END for |y| < maxLength, and y for |y| = maxLength. */
  private static List<Scored> exhaustive(Map<List<Integer>, Double> scores, int maxLength) {
    List<Scored> all = new ArrayList<>();
    for (Map.Entry<List<Integer>, Double> e : scores.entrySet()) {
      List<Integer> y = e.getKey();
      boolean finished = !y.isEmpty() && y.get(y.size() - 1) == Tokens.END;
      if (finished || y.size() == maxLength) {
        all.add(new Scored(withoutEnd(y), e.getValue()));
      }
    }
    all.sort(Comparator.comparingDouble(Scored::score).reversed());
    return all;
  }

  /** Greedy decoding on the teacher-forced scores: the most likely action at every step. */
  private static Scored referenceGreedy(Map<List<Integer>, Double> scores, int maxLength) {
    List<Integer> y = new ArrayList<>();
    while (y.size() < maxLength) {
      List<Integer> bestNext = plus(y, Tokens.END);
      for (int a : REGULAR_ACTIONS) {
        if (scores.get(plus(y, a)) > scores.get(bestNext)) {
          bestNext = plus(y, a);
        }
      }
      if (bestNext.get(y.size()) == Tokens.END) {
        return new Scored(y, scores.get(bestNext));
      }
      y = bestNext;
    }
    return new Scored(y, scores.get(y));
  }

  /**
   * Beam search as written in a textbook, on the teacher-forced scores: every step extends each live
   * hypothesis by every action and walks the extensions best first; an END extension is a finished
   * candidate, any other takes a live slot, until {@code width} live hypotheses are kept. The search
   * stops when the best finished score is at least the best live one (scores only fall as a
   * hypothesis grows); at {@code maxLength} the live hypotheses compete; finally the greedy
   * hypothesis competes too (width > 1) when {@code withGreedy}.
   */
  private static Scored referenceBeam(Map<List<Integer>, Double> scores, int width, int maxLength, boolean withGreedy) {
    List<List<Integer>> live = List.of(List.of());
    Scored best = new Scored(List.of(), Double.NEGATIVE_INFINITY);
    boolean stopped = false;
    for (int t = 0; t < maxLength && !stopped; t++) {
      List<List<Integer>> ext = new ArrayList<>();
      for (List<Integer> y : live) {
        ext.add(plus(y, Tokens.END));
        for (int a : REGULAR_ACTIONS) {
          ext.add(plus(y, a));
        }
      }
      ext.sort(Comparator.comparingDouble((List<Integer> y) -> scores.get(y)).reversed());
      List<List<Integer>> kept = new ArrayList<>();
      for (List<Integer> y : ext) {
        if (kept.size() == width) {
          break;
        }
        if (y.get(t) == Tokens.END) {
          if (scores.get(y) > best.score()) {
            best = new Scored(withoutEnd(y), scores.get(y));
          }
        } else {
          kept.add(y);
        }
      }
      live = kept;
      double bestLive = live.stream().mapToDouble(scores::get).max().orElse(Double.NEGATIVE_INFINITY);
      stopped = best.score() >= bestLive;
    }
    if (!stopped) {
      for (List<Integer> y : live) {
        if (scores.get(y) > best.score()) {
          best = new Scored(y, scores.get(y));
        }
      }
    }
    Scored greedy = referenceGreedy(scores, maxLength);
    return withGreedy && width > 1 && greedy.score() > best.score() ? greedy : best;
  }

  private static List<Integer> list(int[] a) {
    return Arrays.stream(a).boxed().toList();
  }

  /**
   * Past the exhaustive test's four steps: every beam's returned score is its hypothesis's
   * teacher-forced log-probability, on sources of up to 9 tokens and hypotheses of up to 9, so that
   * a row moved by the beam carries all of its state (location-aware attention's previous weights
   * first reach a score at the fourth step, where the exhaustive test ends). Checks that beams did
   * reorder: some returned hypothesis is not the greedy one.
   */
  @Test
  void beamScoresAreTheTeacherForcedLogProbabilitiesOnLongerSequences() {
    int maxLength = 9;
    for (Attention att : Attention.values()) {
      try (Seq2SeqPolicy p = smallPolicy(att, CellType.GRU, 31, -1)) {
        Random r = new Random(14);
        int[][] src = new int[12][];
        for (int i = 0; i < src.length; i++) {
          src[i] = new int[3 + r.nextInt(7)];
          for (int t = 0; t < src[i].length; t++) {
            src[i][t] = 4 + r.nextInt(SMALL_V - 4);
          }
        }
        Seq2SeqPolicy.BeamResult beams = p.beamSearchWithScores(src, 3, maxLength);
        Rollout greedy = p.greedy(src, maxLength);
        int notGreedy = 0;
        for (int i = 0; i < src.length; i++) {
          List<Integer> y = new ArrayList<>(list(beams.hypotheses()[i]));
          if (!y.equals(list(greedy.hypothesis(i)))) {
            notGreedy++;
          }
          if (y.size() < maxLength) {
            y.add(Tokens.END);
          }
          assertEquals(teacherForcedLogProb(p, src[i], y), beams.scores()[i], 1e-3, att + " source " + Arrays.toString(src[i]));
        }
        assertTrue(notGreedy > 0, att + ": the beams returned only greedy hypotheses, choose another seed");
      }
    }
  }

  /** Score gap under which two sequences count as tied: float32 logits, two computation paths. */
  private static final double TIE = 1e-4;

  /** A tiny policy (see {@link #smallPolicy}). */
  private record SmallSetup(Attention attention, CellType cell, long seed, float endBias, int layers,
      Seq2SeqConfig.LayerConnections connections) {
    SmallSetup(Attention attention, CellType cell, long seed, float endBias) {
      this(attention, cell, seed, endBias, 1, Seq2SeqConfig.LayerConnections.NONE);
    }
  }

  /**
   * Beam search wide enough never to prune (width 4^4, the most live hypotheses any step can hold)
   * is exhaustive search: it must return the most likely of all 341 sequences, with that sequence's
   * teacher-forced log-probability as its score. Narrower beams (2, 3) must return what the textbook
   * beam of {@link #referenceBeam} returns, and never score above the exhaustive optimum.
   *
   * <p>The test checks that it can fail: on some sources of every policy the optimum is not the
   * greedy hypothesis and a narrow beam misses it; the optima take several lengths; and on some
   * sources (seeds chosen for it) a narrow beam alone ends below the greedy hypothesis, so that
   * the greedy candidate decides what is returned.
   */
  @Test
  void beamSearchMatchesExhaustiveSearchOnATinyVocabulary() {
    int wide = (int) Math.pow(REGULAR_ACTIONS.length, SMALL_MAX);
    int finished = 0;
    for (int len = 0; len < SMALL_MAX; len++) {
      finished += (int) Math.pow(REGULAR_ACTIONS.length, len);
    }
    int[] widths = {2, 3};
    Set<Integer> optimumLengths = new TreeSet<>();
    int greedyDecides = 0;
    List<SmallSetup> setups = List.of(new SmallSetup(Attention.NONE, CellType.GRU, 5, 0),
        new SmallSetup(Attention.ADDITIVE, CellType.GRU, 31, 0), new SmallSetup(Attention.DOT, CellType.LSTM, 59, -1),
        // location-aware attention: beams reorder the previous step's weights, which the next step reads
        new SmallSetup(Attention.LOCATION, CellType.GRU, 31, 0),
        // stacks: beams must reorder every layer's state
        new SmallSetup(Attention.ADDITIVE, CellType.GRU, 31, 0, 2, Seq2SeqConfig.LayerConnections.RESIDUAL),
        new SmallSetup(Attention.DOT, CellType.LSTM, 59, -1, 3, Seq2SeqConfig.LayerConnections.DENSE),
        // the NTM: beams reorder its memory, read vectors and weightings with the controller state
        new SmallSetup(Attention.NONE, CellType.NTM, 5, 0));
    for (SmallSetup setup : setups) {
      try (Seq2SeqPolicy p = smallPolicy(setup.attention(), setup.cell(), setup.seed(), setup.endBias(), setup.layers(),
          setup.connections())) {
        int[][] src = new int[10][];
        Random r = new Random(12);
        for (int i = 0; i < src.length; i++) {
          src[i] = new int[1 + r.nextInt(4)];
          for (int t = 0; t < src[i].length; t++) {
            src[i][t] = 4 + r.nextInt(SMALL_V - 4);
          }
        }
        Seq2SeqPolicy.BeamResult exact = p.beamSearchWithScores(src, wide, SMALL_MAX);
        Seq2SeqPolicy.BeamResult[] narrow = new Seq2SeqPolicy.BeamResult[widths.length];
        for (int k = 0; k < widths.length; k++) {
          narrow[k] = p.beamSearchWithScores(src, widths[k], SMALL_MAX);
        }
        int optimumNotGreedy = 0;
        int narrowMissesOptimum = 0;
        for (int i = 0; i < src.length; i++) {
          String where = setup + " source " + Arrays.toString(src[i]);
          Map<List<Integer>, Double> scores = allPrefixScores(p, src[i], SMALL_MAX);
          List<Scored> all = exhaustive(scores, SMALL_MAX);
          assertEquals(finished + wide, all.size());
          Scored top = all.get(0);
          assertTrue(top.score() - all.get(1).score() > TIE, where + ": the optimum is tied, choose another seed");
          assertEquals(top.tokens(), list(exact.hypotheses()[i]), where + ": width " + wide + " is exhaustive");
          assertEquals(top.score(), exact.scores()[i], TIE, where);
          optimumLengths.add(top.tokens().size());
          Scored greedy = referenceGreedy(scores, SMALL_MAX);
          if (!greedy.tokens().equals(top.tokens())) {
            optimumNotGreedy++;
          }
          for (int k = 0; k < widths.length; k++) {
            String at = where + ", width " + widths[k];
            Scored want = referenceBeam(scores, widths[k], SMALL_MAX, true);
            if (referenceBeam(scores, widths[k], SMALL_MAX, false).score() < greedy.score()) {
              greedyDecides++;
            }
            List<Integer> got = list(narrow[k].hypotheses()[i]);
            assertEquals(want.tokens(), got, at);
            assertEquals(want.score(), narrow[k].scores()[i], TIE, at);
            assertTrue(narrow[k].scores()[i] <= top.score() + TIE, at);
            if (!got.equals(top.tokens())) {
              narrowMissesOptimum++;
            }
          }
        }
        assertTrue(optimumNotGreedy > 0, setup + ": every optimum is the greedy hypothesis");
        assertTrue(narrowMissesOptimum > 0, setup + ": narrow beams always find the optimum");
      }
    }
    assertTrue(optimumLengths.size() >= 3, "optima of lengths " + optimumLengths);
    assertTrue(greedyDecides > 0, "the greedy candidate never decides");
  }

  /**
   * {@link #referenceBeam} keeping the {@code n} best finished sequences: it stops when the n-th best
   * finished score is at least the best live one; at {@code maxLength} the live ones compete, then the
   * greedy sequence (width > 1), each listed once. Best first.
   */
  private static List<Scored> referenceNBest(Map<List<Integer>, Double> scores, int width, int n, int maxLength) {
    List<List<Integer>> live = List.of(List.of());
    List<Scored> done = new ArrayList<>();
    boolean stopped = false;
    for (int t = 0; t < maxLength && !stopped; t++) {
      List<List<Integer>> ext = new ArrayList<>();
      for (List<Integer> y : live) {
        ext.add(plus(y, Tokens.END));
        for (int a : REGULAR_ACTIONS) {
          ext.add(plus(y, a));
        }
      }
      ext.sort(Comparator.comparingDouble((List<Integer> y) -> scores.get(y)).reversed());
      List<List<Integer>> kept = new ArrayList<>();
      for (List<Integer> y : ext) {
        if (kept.size() == width) {
          break;
        }
        if (y.get(t) == Tokens.END) {
          done.add(new Scored(withoutEnd(y), scores.get(y)));
        } else {
          kept.add(y);
        }
      }
      live = kept;
      done.sort(Comparator.comparingDouble(Scored::score).reversed());
      double bestLive = live.stream().mapToDouble(scores::get).max().orElse(Double.NEGATIVE_INFINITY);
      stopped = done.size() >= n && done.get(n - 1).score() >= bestLive;
    }
    if (!stopped) {
      live.forEach(y -> done.add(new Scored(y, scores.get(y))));
    }
    Scored greedy = referenceGreedy(scores, maxLength);
    if (width > 1 && done.stream().noneMatch(x -> x.tokens().equals(greedy.tokens()))) {
      done.add(greedy);
    }
    done.sort(Comparator.comparingDouble(Scored::score).reversed());
    return done.subList(0, Math.min(n, done.size()));
  }

  /**
   * n-best lists: at widths 2 and 3 they are what the textbook beam keeping n finished sequences
   * returns (tokens and scores, best first); a never-pruning width gives the n most likely of all 341
   * sequences; the first of every list is the hypothesis beam search returns, and a shorter list is the
   * start of a longer one. Checks that it can fail: some lists hold sequences of different lengths, and
   * a search that stops by the 1-best rule (best finished at least the best live) returns other lists
   * (tried by mutation).
   */
  @Test
  void nBestListsMatchTheTextbookBeamAndExhaustiveSearch() {
    int wide = (int) Math.pow(REGULAR_ACTIONS.length, SMALL_MAX);
    int mixedLengths = 0;
    List<SmallSetup> setups = List.of(new SmallSetup(Attention.ADDITIVE, CellType.GRU, 31, 0),
        new SmallSetup(Attention.DOT, CellType.LSTM, 59, -1), new SmallSetup(Attention.LOCATION, CellType.GRU, 31, 0));
    for (SmallSetup setup : setups) {
      try (Seq2SeqPolicy p = smallPolicy(setup.attention(), setup.cell(), setup.seed(), setup.endBias())) {
        int[][] src = new int[10][];
        Random r = new Random(12);
        for (int i = 0; i < src.length; i++) {
          src[i] = new int[1 + r.nextInt(4)];
          for (int t = 0; t < src[i].length; t++) {
            src[i][t] = 4 + r.nextInt(SMALL_V - 4);
          }
        }
        int[][][] exact = p.beamSearchNBest(src, wide, SMALL_MAX, 0, 5);
        for (int width : new int[] {2, 3}) {
          int[][] best = p.beamSearch(src, width, SMALL_MAX);
          int[][][] shorter = p.beamSearchNBest(src, width, SMALL_MAX, 0, width - 1);
          int[][][] lists = p.beamSearchNBest(src, width, SMALL_MAX, 0, width);
          for (int i = 0; i < src.length; i++) {
            String where = setup + " source " + Arrays.toString(src[i]) + ", width " + width;
            Map<List<Integer>, Double> scores = allPrefixScores(p, src[i], SMALL_MAX);
            List<Scored> want = referenceNBest(scores, width, width, SMALL_MAX);
            for (int k = 1; k < want.size(); k++) {
              assertTrue(want.get(k - 1).score() - want.get(k).score() > TIE, where + ": tied entries, choose another seed");
            }
            assertEquals(want.stream().map(Scored::tokens).toList(), Arrays.stream(lists[i]).map(DecodingTest::list).toList(), where);
            assertEquals(list(best[i]), list(lists[i][0]), where + ": the first is beam search's hypothesis");
            for (int k = 0; k < shorter[i].length; k++) {
              assertEquals(list(shorter[i][k]), list(lists[i][k]), where + ": n-1 best are the start of the n best");
            }
            if (Arrays.stream(lists[i]).mapToInt(y -> y.length).distinct().count() > 1) {
              mixedLengths++;
            }
          }
        }
        for (int i = 0; i < src.length; i++) {
          List<Scored> all = exhaustive(allPrefixScores(p, src[i], SMALL_MAX), SMALL_MAX);
          assertEquals(all.subList(0, 5).stream().map(Scored::tokens).toList(),
              Arrays.stream(exact[i]).map(DecodingTest::list).toList(), setup + ": width " + wide + " is exhaustive");
        }
      }
    }
    assertTrue(mixedLengths > 0, "every n-best list holds sequences of one length");
  }

  /**
   * The ensemble's score of every prefix: the sum over its steps of the log of the combined step
   * probability, each member's step probability being the ratio of its teacher-forced prefix
   * probabilities. MEAN: {@code sum_m w_m p_m}; PRODUCT: {@code prod_m p_m^w_m} over its sum across
   * the prefix's children (END and the regular actions), with the weights normalised to sum to 1.
   */
  private static Map<List<Integer>, Double> ensemblePrefixScores(List<Map<List<Integer>, Double>> members, double[] weights,
      EnsemblePolicy.Combination combination) {
    double total = Arrays.stream(weights).sum();
    double[] w = Arrays.stream(weights).map(x -> x / total).toArray();
    Map<List<Integer>, Double> scores = new HashMap<>();
    List<List<Integer>> byLength = new ArrayList<>(members.get(0).keySet());
    byLength.sort(Comparator.comparingInt(List::size));
    for (List<Integer> y : byLength) {
      if (y.isEmpty()) {
        scores.put(y, 0.0);
        continue;
      }
      List<Integer> prefix = y.subList(0, y.size() - 1);
      double step;
      if (combination == EnsemblePolicy.Combination.MEAN) {
        step = 0;
        for (int m = 0; m < members.size(); m++) {
          step += w[m] * Math.exp(members.get(m).get(y) - members.get(m).get(prefix));
        }
      } else {
        double z = 0;
        List<List<Integer>> children = new ArrayList<>(List.of(plus(prefix, Tokens.END)));
        for (int a : REGULAR_ACTIONS) {
          children.add(plus(prefix, a));
        }
        for (List<Integer> c : children) {
          z += weightedGeometric(members, w, c, prefix);
        }
        step = weightedGeometric(members, w, y, prefix) / z;
      }
      scores.put(y, scores.get(prefix) + Math.log(step));
    }
    return scores;
  }

  private static double weightedGeometric(List<Map<List<Integer>, Double>> members, double[] w, List<Integer> y,
      List<Integer> prefix) {
    double log = 0;
    for (int m = 0; m < members.size(); m++) {
      log += w[m] * (members.get(m).get(y) - members.get(m).get(prefix));
    }
    return Math.exp(log);
  }

  /**
   * Ensemble decoding (seqrl eval with several checkpoints): greedy decoding and beam search must be
   * the reference greedy and textbook beams, and a never-pruning beam exhaustive search, on the
   * combined distribution (the mean of the members' probabilities, weighted or not, or their
   * normalised weighted geometric mean), computed here from each member's teacher-forced scores. The
   * test can fail: on some sources the ensemble's choice is neither member's greedy output, and the
   * rules and weights give different scores. An ensemble of one model decodes exactly as the model.
   */
  @ParameterizedTest(name = "{0}, weights {1}")
  @CsvSource({"MEAN, ''", "MEAN, 3;1", "PRODUCT, ''", "PRODUCT, 1;2"})
  void anEnsembleDecodesTheCombinationOfItsMembersProbabilities(EnsemblePolicy.Combination combination, String weightsText) {
    double[] weights = weightsText == null || weightsText.isEmpty() ? null
        : Arrays.stream(weightsText.split(";")).mapToDouble(Double::parseDouble).toArray();
    int wide = (int) Math.pow(REGULAR_ACTIONS.length, SMALL_MAX);
    int[][] src = new int[12][];
    Random r = new Random(7);
    for (int i = 0; i < src.length; i++) {
      src[i] = new int[1 + r.nextInt(4)];
      for (int t = 0; t < src[i].length; t++) {
        src[i][t] = 4 + r.nextInt(SMALL_V - 4);
      }
    }
    try (Seq2SeqPolicy a = smallPolicy(Attention.ADDITIVE, CellType.GRU, 31, 0);
        Seq2SeqPolicy b = smallPolicy(Attention.DOT, CellType.LSTM, 59, -1)) {
      EnsemblePolicy both = new EnsemblePolicy(List.of(a, b), weights, combination, 1);
      double[] w = weights == null ? new double[] {1, 1} : weights;
      Rollout greedy = both.greedy(src, SMALL_MAX);
      Rollout greedyA = a.greedy(src, SMALL_MAX);
      Rollout greedyB = b.greedy(src, SMALL_MAX);
      Seq2SeqPolicy.BeamResult exact = both.beamSearchWithScores(src, wide, SMALL_MAX);
      Seq2SeqPolicy.BeamResult narrow = both.beamSearchWithScores(src, 2, SMALL_MAX);
      int neitherMembersGreedy = 0;
      double otherRuleGap = 0;
      EnsemblePolicy.Combination other = combination == EnsemblePolicy.Combination.MEAN
          ? EnsemblePolicy.Combination.PRODUCT : EnsemblePolicy.Combination.MEAN;
      for (int i = 0; i < src.length; i++) {
        String where = "source " + Arrays.toString(src[i]);
        List<Map<List<Integer>, Double>> memberScores = List.of(allPrefixScores(a, src[i], SMALL_MAX),
            allPrefixScores(b, src[i], SMALL_MAX));
        Map<List<Integer>, Double> scores = ensemblePrefixScores(memberScores, w, combination);
        Scored wantGreedy = referenceGreedy(scores, SMALL_MAX);
        assertEquals(wantGreedy.tokens(), list(greedy.hypothesis(i)), where + ": greedy");
        assertEquals(wantGreedy.score(), sequenceLogProb(greedy, i), TIE, where + ": greedy log-probability");
        List<Scored> all = exhaustive(scores, SMALL_MAX);
        assertEquals(all.get(0).tokens(), list(exact.hypotheses()[i]), where + ": width " + wide + " is exhaustive");
        assertEquals(all.get(0).score(), exact.scores()[i], TIE, where);
        Scored wantNarrow = referenceBeam(scores, 2, SMALL_MAX, true);
        assertEquals(wantNarrow.tokens(), list(narrow.hypotheses()[i]), where + ": width 2");
        assertEquals(wantNarrow.score(), narrow.scores()[i], TIE, where + ": width 2");
        if (!wantGreedy.tokens().equals(list(greedyA.hypothesis(i)))
            && !wantGreedy.tokens().equals(list(greedyB.hypothesis(i)))) {
          neitherMembersGreedy++;
        }
        otherRuleGap = Math.max(otherRuleGap,
            Math.abs(ensemblePrefixScores(memberScores, w, other).get(list(greedy.hypothesis(i))) - wantGreedy.score()));
      }
      assertTrue(neitherMembersGreedy > 0, "the ensemble's greedy output is always one member's");
      assertTrue(otherRuleGap > 100 * TIE, "the other rule scores the greedy outputs the same: the check cannot tell them apart");

      EnsemblePolicy alone = new EnsemblePolicy(List.of(a), weights == null ? null : new double[] {5}, combination, 1);
      Rollout one = alone.greedy(src, SMALL_MAX);
      for (int i = 0; i < src.length; i++) {
        assertArrayEquals(greedyA.hypothesis(i), one.hypothesis(i));
        assertArrayEquals(greedyA.logProbs()[i], one.logProbs()[i], 1e-6);
      }
      int[][] beamA = a.beamSearch(src, 3, SMALL_MAX);
      int[][] beamOne = alone.beamSearch(src, 3, SMALL_MAX);
      for (int i = 0; i < src.length; i++) {
        assertArrayEquals(beamA[i], beamOne[i]);
      }
    }
  }

  /** Ensemble weights: one per member, positive and finite, refused otherwise by what is wrong; used normalised. */
  @Test
  void ensembleWeightsAreCheckedAndNormalised() {
    try (Seq2SeqPolicy a = smallPolicy(Attention.ADDITIVE, CellType.GRU, 31, 0);
        Seq2SeqPolicy b = smallPolicy(Attention.DOT, CellType.LSTM, 59, -1)) {
      EnsemblePolicy e = new EnsemblePolicy(List.of(a, b), new double[] {3, 1}, EnsemblePolicy.Combination.PRODUCT, 1);
      assertArrayEquals(new double[] {0.75, 0.25}, e.weights(), 1e-15);
      assertEquals(", weights 0.7500, 0.2500", e.weightsDescription());
      assertEquals("", new EnsemblePolicy(List.of(a, b), 1).weightsDescription());
      IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
          () -> new EnsemblePolicy(List.of(a, b), new double[] {1}, EnsemblePolicy.Combination.MEAN, 1));
      assertTrue(count.getMessage().contains("1 ensemble weights for 2 members"), count.getMessage());
      for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
            () -> new EnsemblePolicy(List.of(a, b), new double[] {1, bad}, EnsemblePolicy.Combination.MEAN, 1));
        assertTrue(e2.getMessage().contains("ensemble weight 2 is " + bad), e2.getMessage());
      }
    }
  }

  /** GNMT's coverage penalty of {@code tokens} (END included when it ends): the attention of every step, stepped by hand. */
  private static double coveragePenalty(Seq2SeqPolicy p, int[] source, List<Integer> tokens, double beta) {
    Decoder.Pass pass = p.start(new int[][] {source}, 1, SMALL_MAX, false);
    double[] covered = new double[source.length];
    int prev = Tokens.START;
    for (int token : tokens) {
      pass.step(new int[] {prev});
      float[] att = pass.attentionWeights();
      for (int j = 0; j < source.length; j++) {
        covered[j] += att[j];
      }
      prev = token;
    }
    double penalty = 0;
    for (double c : covered) {
      penalty += Math.log(Math.min(c, 1.0));
    }
    return beta * penalty;
  }

  /**
   * Beam search with the coverage penalty: a never-pruning beam must return the sequence with the
   * best log-probability plus penalty among all 341, with that ranking score; on some sources that is
   * not the most likely sequence (so the penalty is applied), and weight 0 is the plain search.
   */
  @Test
  void aCoveragePenaltyRanksFinishedHypothesesByLogProbabilityPlusPenalty() {
    int wide = (int) Math.pow(REGULAR_ACTIONS.length, SMALL_MAX);
    double beta = 1.0;
    int[][] src = new int[12][];
    Random r = new Random(3);
    for (int i = 0; i < src.length; i++) {
      src[i] = new int[2 + r.nextInt(3)];
      for (int t = 0; t < src[i].length; t++) {
        src[i][t] = 4 + r.nextInt(SMALL_V - 4);
      }
    }
    for (Attention att : new Attention[] {Attention.ADDITIVE, Attention.DOT}) {
      try (Seq2SeqPolicy p = smallPolicy(att, CellType.GRU, 31, 0)) {
        Seq2SeqPolicy.BeamResult penalised = p.beamSearchWithScores(src, wide, SMALL_MAX, beta);
        Seq2SeqPolicy.BeamResult plain = p.beamSearchWithScores(src, wide, SMALL_MAX);
        Seq2SeqPolicy.BeamResult zero = p.beamSearchWithScores(src, wide, SMALL_MAX, 0);
        int moved = 0;
        for (int i = 0; i < src.length; i++) {
          String where = att + " source " + Arrays.toString(src[i]);
          Map<List<Integer>, Double> scores = allPrefixScores(p, src[i], SMALL_MAX);
          Scored top = null;
          for (Map.Entry<List<Integer>, Double> e : scores.entrySet()) {
            List<Integer> y = e.getKey();
            boolean finished = !y.isEmpty() && y.get(y.size() - 1) == Tokens.END;
            if (!finished && y.size() < SMALL_MAX) {
              continue;
            }
            double ranked = e.getValue() + coveragePenalty(p, src[i], y, beta);
            if (top == null || ranked > top.score()) {
              top = new Scored(withoutEnd(y), ranked);
            }
          }
          assertEquals(top.tokens(), list(penalised.hypotheses()[i]), where);
          assertEquals(top.score(), penalised.scores()[i], TIE, where);
          assertArrayEquals(plain.hypotheses()[i], zero.hypotheses()[i], where + ": weight 0 is the plain search");
          if (!Arrays.equals(plain.hypotheses()[i], penalised.hypotheses()[i])) {
            moved++;
          }
        }
        assertTrue(moved > 0, att + ": the penalty never changed the result");
      }
    }
  }
}
