package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.Tokens;

/**
 * Noisy-channel rescoring on reversal, whose channel model (output to input) is reversal again. The
 * channel model is trained in ids of its own (a permutation of the regular tokens), as a model of the
 * other direction is in practice, so the scorer's mapping is exercised.
 */
class ChannelScorerTest {
  private static final OptimizerSettings OPT = new OptimizerSettings(0.01, 5.0);

  private static Seq2SeqPolicy model(long seed) {
    return new Seq2SeqPolicy(LearningTest.small().attention(Attention.ADDITIVE).seed(seed).build());
  }

  /** Reserved ids stay; the regular ones are shuffled. */
  private static int[] permutation(long seed) {
    int[] p = new int[LearningTest.VOCAB];
    for (int i = 0; i < p.length; i++) {
      p[i] = i;
    }
    Random r = new Random(seed);
    for (int i = p.length - 1; i > Tokens.FIRST_REGULAR; i--) {
      int j = Tokens.FIRST_REGULAR + r.nextInt(i - Tokens.FIRST_REGULAR + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static int[][] mapped(int[][] rows, int[] map) {
    return Arrays.stream(rows).map(row -> Arrays.stream(row).map(id -> map[id]).toArray()).toArray(int[][]::new);
  }

  /** Trains {@code p} on reversal; with {@code channelIds}, on its reverse direction in those ids. */
  private static void train(Seq2SeqPolicy p, int steps, long dataSeed, int[] channelIds) {
    Random data = new Random(dataSeed);
    for (int step = 0; step < steps; step++) {
      int[][][] b = LearningTest.reverseBatch(data, 32);
      if (channelIds == null) {
        p.mleStep(b[0], b[1], OPT);
      } else {
        p.mleStep(mapped(b[1], channelIds), mapped(b[0], channelIds), OPT);
      }
    }
  }

  /** One row's log-probability by the model alone: {@code output} then the end token, given {@code source}. */
  private static double alone(Seq2SeqPolicy model, int[] source, int[] output) {
    int[][] tokens = {Arrays.copyOf(output, output.length + 1)};
    tokens[0][output.length] = Tokens.END;
    Rollout r = new Rollout(new int[][] {source}, 1, tokens, new int[] {output.length + 1},
        new double[1][output.length + 1], new double[1][output.length + 1], null, null, null);
    double[][] out = new double[1][output.length + 1];
    model.logProbs(r, PolicyParameters.CURRENT, out);
    return Arrays.stream(out[0]).sum();
  }

  private static double exact(int[][] hyps, int[][] refs) {
    int ok = 0;
    for (int i = 0; i < hyps.length; i++) {
      ok += Arrays.equals(hyps[i], refs[i]) ? 1 : 0;
    }
    return (double) ok / hyps.length;
  }

  /**
   * The score of a proposal is the channel model's log-probability of the source given the proposal, each
   * in the channel's ids, end token included; an empty proposal scores negative infinity.
   */
  @Test
  void itScoresTheSourceGivenTheProposalInTheChannelsIds() {
    int[] ids = permutation(7);
    try (Seq2SeqPolicy channel = model(21)) {
      train(channel, 40, 1, ids);
      int[][][] batch = LearningTest.reverseBatch(new Random(3), 12);
      int[][] sources = batch[0];
      int[][] proposals = batch[1].clone();
      proposals[4] = new int[0];
      proposals[5] = Arrays.copyOf(proposals[5], 2); // a proposal of another length than its source
      double[] got = new ChannelScorer(channel, ids, ids).logProbs(sources, proposals);
      double[] unmapped = new ChannelScorer(channel, permutation(0), permutation(0)).logProbs(sources, proposals);
      int differ = 0;
      for (int r = 0; r < sources.length; r++) {
        if (r == 4) {
          assertEquals(Double.NEGATIVE_INFINITY, got[r], "the empty proposal");
          continue;
        }
        int[] channelSource = Arrays.stream(proposals[r]).map(id -> ids[id]).toArray();
        int[] channelOutput = Arrays.stream(sources[r]).map(id -> ids[id]).toArray();
        assertEquals(alone(channel, channelSource, channelOutput), got[r], 1e-4, "row " + r);
        assertTrue(got[r] < 0, "row " + r + ": " + got[r]);
        differ += Math.abs(unmapped[r] - got[r]) > 1e-3 ? 1 : 0;
      }
      assertTrue(differ >= 9, "the mapping changed " + differ + " of 11 scores");
    }
  }

  /**
   * A weak direct model's three best beam hypotheses, rescored with a trained channel model beside it,
   * are right more often than its best alone, and never more often than one of the three is right.
   */
  @Test
  void aTrainedChannelPicksTheRightProposalOfAWeakModel() {
    int[] ids = permutation(7);
    int[][][] test = LearningTest.reverseBatch(new Random(99), 200);
    try (Seq2SeqPolicy direct = model(11); Seq2SeqPolicy channel = model(12)) {
      train(direct, 40, 1, null);
      train(channel, 200, 2, ids);
      int[][] best = direct.beamSearch(test[0], 3, 10);
      int[][][] lists = direct.beamSearchNBest(test[0], 3, 10, 0, 3);
      int inList = 0;
      for (int i = 0; i < lists.length; i++) {
        for (int[] y : lists[i]) {
          inList += Arrays.equals(y, test[1][i]) ? 1 : 0;
        }
      }
      var rescoring = RescoringPolicy.scoredBy(List.of(direct),
          List.of(RescoringPolicy.direct(direct), new ChannelScorer(channel, ids, ids)), new double[] {1, 1},
          new RescoringPolicy.Options(3, 0, null));
      double alone = exact(best, test[1]);
      double rescored = exact(rescoring.beamSearch(test[0], 3, 10), test[1]);
      double oracle = inList / 200.0;
      System.out.printf("reverse: a 40-step model's beam 3 exact %.3f; its 3 best rescored with a 200-step channel"
          + " model %.3f; one of the 3 right %.3f%n", alone, rescored, oracle);
      assertTrue(rescored >= alone + 0.05, "alone " + alone + ", rescored " + rescored);
      assertTrue(rescored <= oracle, "rescored " + rescored + " above the 3-best oracle " + oracle);
    }
  }
}
