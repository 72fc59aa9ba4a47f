package org.seqrl.rl;

/** A metric reported under {@code eval/<name>}; any {@link Reward} serves as the scoring function. */
public record NamedMetric(String name, Reward metric) {}
