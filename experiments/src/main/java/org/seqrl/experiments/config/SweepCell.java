package org.seqrl.experiments.config;

import java.util.List;

/** One cell of a sweep grid: its readable name (e.g. {@code rl.reward=bleu,seed=1}) and its overrides. */
public record SweepCell(String name, List<String> overrides) {
  public SweepCell {
    overrides = List.copyOf(overrides);
  }
}
