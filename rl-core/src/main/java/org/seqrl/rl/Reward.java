package org.seqrl.rl;

import java.util.Map;

/**
 * Scores a hypothesis against its references; higher is better. A pure function, deterministic
 * and defined (finite) on empty hypotheses and references.
 *
 * <p>Hypotheses hold the tokens before the end token ({@link Rollout#hypothesis}).
 */
public interface Reward {

  double score(int[] hypothesis, int[][] references);

  /** A stable name used in metric keys, e.g. {@code bleu} or {@code levenshtein}. */
  String name();

  /** The named parts a composite reward is made of (each reported as its own metric); empty for a plain reward. */
  default Map<String, Double> components(int[] hypothesis, int[][] references) {
    return Map.of();
  }
}
