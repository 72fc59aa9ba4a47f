package org.seqrl.rl;

import org.seqrl.rl.testing.TabularPolicy;

/** Fits a policy's critic heads to a strategy's targets while the policy itself stays fixed. */
final class CriticTraining {
  private CriticTraining() {}

  /**
   * Runs {@code steps} updates on fresh samples with the strategy's critic targets but zero
   * advantages and no entropy bonus, so only the critic heads move; the learning rate drops
   * tenfold after the first third and fivefold after the second, so the values settle near their expectation.
   */
  static void train(TabularPolicy p, BaselineStrategy s, int[][] sources, int[][][] refs, Reward reward, int k,
      int maxLength, int steps) {
    for (int i = 0; i < steps; i++) {
      Rollout ro = p.sample(sources, k, 1.0, maxLength);
      double[] rewards = Rewards.scoreRows(reward, ro, refs);
      double[] greedy = s.requirements().needsGreedy() ? Rewards.scoreRows(reward, p.greedy(sources, maxLength), refs) : null;
      Advantages adv = s.advantages(ro, rewards, greedy);
      double lr = i < steps / 3 ? 0.1 : i < 2 * steps / 3 ? 0.01 : 0.002;
      p.update(new PolicyGradientBatch(ro, new double[ro.rows()][ro.maxLength()], adv.sequenceTargets(),
          adv.stepTargets(), 0, 1.0), new OptimizerSettings(lr, 0));
    }
  }
}
