package org.seqrl.rl;

import java.util.Set;

/**
 * What a baseline strategy needs from the trainer and the policy.
 *
 * @param needsGreedy whether rewards of a greedy decode of every input must be supplied
 * @param minSamplesPerInput the smallest number of samples per input it can work with
 * @param criticHeads the critic heads the policy must carry
 */
public record BaselineRequirements(boolean needsGreedy, int minSamplesPerInput, Set<CriticHead> criticHeads) {
  public BaselineRequirements {
    criticHeads = Set.copyOf(criticHeads);
  }
}
