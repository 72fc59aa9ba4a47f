package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.seqrl.agents.Seq2SeqConfig.Norm;
import org.seqrl.agents.Seq2SeqConfig.PositionKind;
import org.seqrl.agents.Seq2SeqConfig.Transformer;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;

/** The transformer learns tiny tasks from a fixed seed (generous margins), as {@link LearningTest} asks of the recurrent model. */
class TransformerLearningTest {
  static Seq2SeqConfig.Builder small(Norm norm) {
    return Seq2SeqConfig.builder(LearningTest.VOCAB, LearningTest.VOCAB).seed(11)
        .transformer(new Transformer(1, 1, 4, 32, 64, 0.0, norm, PositionKind.SINUSOIDAL, true));
  }

  /** Sort task: the target is the source in ascending order. */
  static int[][][] sortBatch(Random r, int n) {
    int[][][] b = LearningTest.reverseBatch(r, n);
    for (int i = 0; i < n; i++) {
      b[1][i] = b[0][i].clone();
      Arrays.sort(b[1][i]);
    }
    return b;
  }

  private static double train(Seq2SeqPolicy p, java.util.function.Function<Random, int[][][]> task, int steps, double lr) {
    Random data = new Random(1);
    int[][][] test = task.apply(new Random(99));
    OptimizerSettings opt = new OptimizerSettings(lr, 5.0);
    for (int step = 0; step < steps; step++) {
      int[][][] b = task.apply(data);
      p.mleStep(b[0], b[1], opt);
    }
    return LearningTest.exactAccuracy(p, test);
  }

  @Test
  void mleLearnsToReversePreNorm() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(small(Norm.PRE).build())) {
      double after = train(p, r -> LearningTest.reverseBatch(r, 32), 400, 0.003);
      System.out.printf("transformer (pre-norm), reverse, 400 MLE steps: exact-match accuracy %.3f%n", after);
      assertTrue(after > 0.9, "greedy exact-match accuracy after MLE: " + after);
    }
  }

  @Test
  void mleLearnsToSortPostNorm() {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(small(Norm.POST).build())) {
      double after = train(p, r -> sortBatch(r, 32), 400, 0.003);
      System.out.printf("transformer (post-norm), sort, 400 MLE steps: exact-match accuracy %.3f%n", after);
      assertTrue(after > 0.9, "greedy exact-match accuracy after MLE: " + after);
    }
  }

  /**
   * From a weak start (60 MLE steps, greedy match reward about 0.43), 500 SCST steps at a learning
   * rate of 1e-3 raise the reward by 0.11-0.20 over data seeds 3-7 (0.18 on seed 3, the one used);
   * after 300 steps the gain was 0.08-0.17, too close to the margin asked (0.1): a change of float
   * summation order alone moved seed 3 from 0.17 to 0.09. Rates of 3e-3 and 5e-4 gave 0.02-0.09 when tried.
   */
  @Test
  void selfCriticalUpdatesRaiseTheReward() {
    Random data = new Random(3);
    int[][][] test = LearningTest.reverseBatch(new Random(97), 200);
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(small(Norm.PRE).build())) {
      for (int step = 0; step < 60; step++) { // a weak start
        int[][][] b = LearningTest.reverseBatch(data, 32);
        p.mleStep(b[0], b[1], new OptimizerSettings(0.003, 5.0));
      }
      double before = LearningTest.greedyReward(p, test);
      OptimizerSettings rl = new OptimizerSettings(0.001, 5.0);
      for (int step = 0; step < 500; step++) {
        int[][][] b = LearningTest.reverseBatch(data, 32);
        Rollout s = p.sample(b[0], 1, 1.0, 10);
        Rollout g = p.greedy(b[0], 10);
        double[][] adv = new double[s.rows()][s.maxLength()];
        for (int i = 0; i < s.rows(); i++) {
          double a = LearningTest.matchReward(s.hypothesis(i), b[1][i]) - LearningTest.matchReward(g.hypothesis(i), b[1][i]);
          for (int t = 0; t < s.lengths()[i]; t++) {
            adv[i][t] = a;
          }
        }
        p.update(new PolicyGradientBatch(s, adv, null, null, 0.01, 0.0), rl);
      }
      double after = LearningTest.greedyReward(p, test);
      System.out.printf("transformer, reverse, SCST 500 steps: greedy match reward %.3f -> %.3f (%d updates from the kept sample)%n",
          before, after, p.tracedUpdates());
      assertTrue(after > before + 0.1, "greedy match reward before " + before + ", after SCST " + after);
      assertTrue(p.tracedUpdates() > 0, "updates start from the sample's kept pass");
    }
  }
}
