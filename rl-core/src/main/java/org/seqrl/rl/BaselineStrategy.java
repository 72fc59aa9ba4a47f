package org.seqrl.rl;

import java.util.Map;

/**
 * Turns the rewards of a rollout into advantages (and critic targets). Critic outputs in the
 * rollout enter as constants: the policy update never differentiates through them.
 */
public interface BaselineStrategy {

  BaselineRequirements requirements();

  /**
   * @param rollout the sampled rows (with critic outputs when the strategy uses heads)
   * @param rewards the reward of every row
   * @param greedyRewards the reward of the greedy decode of every INPUT, or null when not needed
   */
  Advantages advantages(Rollout rollout, double[] rewards, double[] greedyRewards);

  /** State that must survive a resume (e.g. a running average); empty when stateless. */
  default Map<String, Double> state() {
    return Map.of();
  }

  default void restore(Map<String, Double> state) {}
}
