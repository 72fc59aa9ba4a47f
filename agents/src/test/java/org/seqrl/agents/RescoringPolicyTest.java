package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;

class RescoringPolicyTest {
  private static final OptimizerSettings OPT = new OptimizerSettings(0.01, 5.0);

  private static Seq2SeqPolicy model(long seed) {
    return new Seq2SeqPolicy(LearningTest.small().attention(Attention.ADDITIVE).seed(seed).build());
  }

  private static void train(SequencePolicy p, int steps, long dataSeed) {
    Random data = new Random(dataSeed);
    for (int step = 0; step < steps; step++) {
      int[][][] b = LearningTest.reverseBatch(data, 32);
      p.mleStep(b[0], b[1], OPT);
    }
  }

  private static double exact(int[][] hyps, int[][] refs) {
    int ok = 0;
    for (int i = 0; i < hyps.length; i++) {
      ok += Arrays.equals(hyps[i], refs[i]) ? 1 : 0;
    }
    return (double) ok / hyps.length;
  }

  private static int[][] hypotheses(Rollout r) {
    int[][] out = new int[r.rows()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = r.hypothesis(i);
    }
    return out;
  }

  private static double sum(double[] row, int n) {
    double s = 0;
    for (int t = 0; t < n; t++) {
      s += row[t];
    }
    return s;
  }

  /**
   * A candidate's score is the weighted sum of each model's log-probability of it, end token included:
   * for each model's own greedy output, that model's part is the sum its greedy decoding recorded.
   */
  @Test
  void aScoreIsTheWeightedSumOfTheModelsLogProbabilities() {
    int[][] sources = LearningTest.reverseBatch(new Random(3), 20)[0];
    try (Seq2SeqPolicy l2r = model(11); RightToLeftPolicy r2l = new RightToLeftPolicy(model(12))) {
      train(l2r, 60, 1);
      train(r2l, 60, 2);
      Rollout gl = l2r.greedy(sources, 10);
      Rollout gr = r2l.greedy(sources, 10);
      double[] w = {0.25, 0.75};
      var only = new RescoringPolicy(List.of(l2r, r2l), List.of(l2r), null);
      var both = new RescoringPolicy(List.of(l2r, r2l), List.of(l2r, r2l), w);
      int[][][] candidates = {hypotheses(gl), hypotheses(gr)};
      double[][] byL2r = only.scores(sources, candidates);
      double[][] weighted = both.scores(sources, candidates);
      var rOnly = new RescoringPolicy(List.of(l2r, r2l), List.of(r2l), null);
      double[][] byR2l = rOnly.scores(sources, candidates);
      for (int i = 0; i < sources.length; i++) {
        assertEquals(sum(gl.logProbs()[i], gl.lengths()[i]), byL2r[0][i], 1e-4, "left-to-right greedy row " + i);
        assertEquals(sum(gr.logProbs()[i], gr.lengths()[i]), byR2l[1][i], 1e-4, "right-to-left greedy row " + i);
        for (int c = 0; c < 2; c++) {
          assertEquals(w[0] * byL2r[c][i] + w[1] * byR2l[c][i], weighted[c][i], 1e-4, "candidate " + c + " row " + i);
        }
      }
    }
  }

  /**
   * Greedy and beam rescoring return, for every source, the proposal that scores highest; where the two
   * orders agree, that output. With a trained model beside an untrained one, rescoring keeps the trained
   * model's accuracy: the untrained proposals score far lower.
   */
  @Test
  void theHighestScoringProposalWins() {
    int[][][] test = LearningTest.reverseBatch(new Random(99), 200);
    try (Seq2SeqPolicy l2r = model(11); RightToLeftPolicy r2l = new RightToLeftPolicy(model(12));
         RightToLeftPolicy untrained = new RightToLeftPolicy(model(13))) {
      train(l2r, 150, 1);
      train(r2l, 150, 2);
      List<Logged> log = new java.util.ArrayList<>();
      var rescoring = new RescoringPolicy(List.of(l2r, r2l), List.of(l2r, r2l), null,
          new RescoringPolicy.Options(1, 0, (search, src, cand, ranks, lp, sc, ch) ->
              log.add(new Logged(search, src, cand, ranks, lp, sc, ch))));
      int[][] left = hypotheses(l2r.greedy(test[0], 10));
      int[][] right = hypotheses(r2l.greedy(test[0], 10));
      double[][] s = rescoring.scores(test[0], new int[][][] {left, right});
      int[][] chosen = hypotheses(rescoring.greedy(test[0], 10));
      int disagree = 0;
      for (int i = 0; i < chosen.length; i++) {
        int[] expected = s[1][i] > s[0][i] ? right[i] : left[i];
        assertArrayEquals(expected, chosen[i], "row " + i);
        disagree += Arrays.equals(left[i], right[i]) ? 0 : 1;
        // the same output from both orders is one proposal, proposed by both
        int[][] logged = log.get(i).candidates();
        assertEquals(Arrays.equals(left[i], right[i]) ? 1 : 2, logged.length, "row " + i + " proposals");
        assertArrayEquals(left[i], logged[0], "row " + i);
      }
      double el = exact(left, test[1]);
      double er = exact(right, test[1]);
      double both = exact(chosen, test[1]);
      System.out.printf("reverse, 150 MLE steps each: exact left-to-right %.3f, right-to-left %.3f, rescored %.3f"
          + " (%d of 200 disagree)%n", el, er, both, disagree);
      assertTrue(disagree > 0, "the two orders never disagree: nothing was rescored");

      int[][] beamLeft = l2r.beamSearch(test[0], 3, 10);
      int[][] beamRight = r2l.beamSearch(test[0], 3, 10);
      double[][] bs = rescoring.scores(test[0], new int[][][] {beamLeft, beamRight});
      int[][] beam = rescoring.beamSearch(test[0], 3, 10);
      for (int i = 0; i < beam.length; i++) {
        assertArrayEquals(bs[1][i] > bs[0][i] ? beamRight[i] : beamLeft[i], beam[i], "beam row " + i);
      }

      var withUntrained = new RescoringPolicy(List.of(l2r, untrained), List.of(l2r, untrained), null);
      double kept = exact(hypotheses(withUntrained.greedy(test[0], 10)), test[1]);
      double alone = exact(hypotheses(untrained.greedy(test[0], 10)), test[1]);
      assertTrue(kept >= el - 0.02 && kept > alone + 0.3, "trained " + el + ", untrained " + alone + ", rescored " + kept);
    }
  }

  /** One source's record of what rescoring saw. */
  private record Logged(String search, int[] source, int[][] candidates, int[][] ranks, double[][] logProbs,
      double[] scores, int chosen) {}

  private static int longest(int[][] rows) {
    return Arrays.stream(rows).mapToInt(r -> r.length).max().orElseThrow();
  }

  private static int shortest(int[][] rows) {
    return Arrays.stream(rows).mapToInt(r -> r.length).min().orElseThrow();
  }

  /**
   * With n-best proposals, a source's candidates are both decoders' n best beam hypotheses merged (the
   * first decoder's first, the same output once, each with its place in each list); every model's
   * log-probability of each is what that model alone scores; the score is their weighted sum; the
   * highest score is returned. A large length bonus returns a longest candidate, a large negative one a
   * shortest. On some sources 3-best rescoring returns what 1-best rescoring does not (else nothing
   * here could tell the two apart).
   */
  @Test
  void nBestProposalsAreMergedScoredAndLogged() {
    int[][] sources = LearningTest.reverseBatch(new Random(5), 200)[0];
    try (Seq2SeqPolicy l2r = model(11); RightToLeftPolicy r2l = new RightToLeftPolicy(model(12))) {
      train(l2r, 30, 1);
      train(r2l, 30, 2);
      List<SequencePolicy> both = List.of(l2r, r2l);
      double[] w = {0.4, 0.6};
      List<Logged> log = new java.util.ArrayList<>();
      var rescoring = new RescoringPolicy(both, both, w, new RescoringPolicy.Options(3, 0, (search, src, cand, ranks, lp, sc, ch) ->
          log.add(new Logged(search, src, cand, ranks, lp, sc, ch))));
      int[][] chosen = rescoring.beamSearch(sources, 3, 10);
      int[][][] left = l2r.beamSearchNBest(sources, 3, 10, 0, 3);
      int[][][] right = r2l.beamSearchNBest(sources, 3, 10, 0, 3);
      var byLeft = new RescoringPolicy(both, List.of(l2r), null);
      var byRight = new RescoringPolicy(both, List.of(r2l), null);
      assertEquals(sources.length, log.size());
      int multi = 0;
      for (int i = 0; i < sources.length; i++) {
        Logged g = log.get(i);
        assertEquals("beam", g.search());
        assertArrayEquals(sources[i], g.source());
        List<List<Integer>> want = new java.util.ArrayList<>();
        for (int[][] list : new int[][][] {left[i], right[i]}) {
          for (int[] y : list) {
            if (!want.contains(asList(y))) {
              want.add(asList(y));
            }
          }
        }
        assertEquals(want, Arrays.stream(g.candidates()).map(RescoringPolicyTest::asList).toList(), "source " + i);
        multi += g.candidates().length > 2 ? 1 : 0;
        int best = 0;
        for (int c = 0; c < g.candidates().length; c++) {
          int[] y = g.candidates()[c];
          assertEquals(rank(left[i], y), g.ranks()[c][0], "source " + i + " candidate " + c);
          assertEquals(rank(right[i], y), g.ranks()[c][1], "source " + i + " candidate " + c);
          int[][] one = {sources[i]};
          int[][][] cand = {{y}, {y}};
          assertEquals(byLeft.scores(one, cand)[0][0], g.logProbs()[0][c], 1e-4);
          assertEquals(byRight.scores(one, cand)[0][0], g.logProbs()[1][c], 1e-4);
          assertEquals(w[0] * g.logProbs()[0][c] + w[1] * g.logProbs()[1][c], g.scores()[c], 1e-12);
          best = g.scores()[c] > g.scores()[best] ? c : best;
        }
        assertEquals(best, g.chosen(), "source " + i);
        assertArrayEquals(g.candidates()[best], chosen[i], "source " + i);
      }
      assertTrue(multi > 0, "no source had more than two candidates");

      int[][] oneBest = new RescoringPolicy(both, both, w).beamSearch(sources, 3, 10);
      int changed = 0;
      for (int i = 0; i < sources.length; i++) {
        changed += Arrays.equals(oneBest[i], chosen[i]) ? 0 : 1;
      }
      assertTrue(changed > 0, "3-best rescoring returned what 1-best rescoring returns on every source");

      int[][] longer = new RescoringPolicy(both, both, w, new RescoringPolicy.Options(3, 100, null)).beamSearch(sources, 3, 10);
      int[][] shorter = new RescoringPolicy(both, both, w, new RescoringPolicy.Options(3, -100, null)).beamSearch(sources, 3, 10);
      int lengthsDiffer = 0;
      for (int i = 0; i < sources.length; i++) {
        assertEquals(longest(log.get(i).candidates()), longer[i].length, "source " + i);
        assertEquals(shortest(log.get(i).candidates()), shorter[i].length, "source " + i);
        lengthsDiffer += longer[i].length != shorter[i].length ? 1 : 0;
      }
      assertTrue(lengthsDiffer > 0, "every source's candidates have one length");
      System.out.printf("reverse, 30 MLE steps each: %d of %d sources with more than two candidates, %d changed by 3-best,"
          + " %d with candidates of several lengths%n", multi, sources.length, changed, lengthsDiffer);
    }
  }

  private static List<Integer> asList(int[] y) {
    return Arrays.stream(y).boxed().toList();
  }

  /** y's place in {@code list}, from 1; 0 if absent. */
  private static int rank(int[][] list, int[] y) {
    for (int k = 0; k < list.length; k++) {
      if (Arrays.equals(list[k], y)) {
        return k + 1;
      }
    }
    return 0;
  }

  @Test
  void itOnlyDecodes() {
    try (Seq2SeqPolicy a = model(1); RightToLeftPolicy b = new RightToLeftPolicy(model(2))) {
      var r = new RescoringPolicy(List.of(a, b), List.of(a, b), null);
      var e = assertThrows(UnsupportedOperationException.class, () -> r.mleStep(new int[1][1], new int[1][1], OPT));
      assertTrue(e.getMessage().contains("rescoring only decodes"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> new RescoringPolicy(List.of(a), List.of(a), null));
      assertThrows(IllegalArgumentException.class, () -> new RescoringPolicy(List.of(a, b), List.of(a, b), new double[] {1}));
      assertThrows(IllegalArgumentException.class, () -> new RescoringPolicy.Options(0, 0, null));
      assertThrows(IllegalArgumentException.class, () -> new RescoringPolicy.Options(2, Double.NaN, null));
    }
  }
}
