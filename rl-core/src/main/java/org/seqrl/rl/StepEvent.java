package org.seqrl.rl;

import java.util.Map;

/** One optimizer step's metrics, namespaced (e.g. {@code rl/reward_bleu}, {@code perf/steps_per_s}). */
public record StepEvent(Phase phase, long step, Map<String, Double> metrics) {}
