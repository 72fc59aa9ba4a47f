package org.seqrl.rl;

import java.util.Map;

/** What a trainer step did: the update's statistics and every metric it reported. */
public record StepResult(long step, UpdateStats update, Map<String, Double> metrics) {}
