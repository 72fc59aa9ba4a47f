package org.seqrl.rl;

import java.util.List;
import java.util.Map;

/** The metrics of one evaluation ({@code eval/...}) and a few samples. */
public record EvaluationEvent(long step, String split, Map<String, Double> metrics, List<Sample> samples) {}
