package org.seqrl.experiments.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.seqrl.experiments.config.ConfigChoice;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.rl.Evaluator;

/**
 * The {@code summary.json} of a finished run: what sweeps, reports and scripts read of it (the metrics
 * before RL, at the end and at the best checkpoint, how each phase ended, the steps taken), with the
 * metrics under their short names.
 *
 * @param atTestLengths the final model's {@code test/len<L>/<metric>} results; empty without test lengths
 * @param curriculumMaxLength the final curriculum stage, or null without a curriculum
 * @param trainerState the trainer's counters ({@code mle_steps}, {@code rl_steps}, ...)
 */
record RunSummary(SeqrlConfig config, Map<String, Double> beforeRl, Map<String, Double> finalMetrics,
    Map<String, Double> atTestLengths, Integer curriculumMaxLength, String bestKey, double bestValue, long bestStep,
    Map<String, Double> bestMetrics, Map<String, String> phaseEnds, Map<String, Double> trainerState, long totalSteps,
    double wallTimeSeconds) {

  void write(Path file) {
    try {
      TrainingRun.JSON.writeValue(file.toFile(), toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  ObjectNode toJson() {
    ObjectNode s = TrainingRun.JSON.createObjectNode();
    s.put("experiment", config.experiment());
    s.put("seed", config.seed());
    s.put("task", ConfigChoice.spelling(config.data().task()));
    s.put("reward", RunComponents.rewardLabel(config));
    s.put("baseline", config.rl().baselineLabel());
    s.put("rl_start", ConfigChoice.spelling(config.rl().startFrom()));
    s.set("before_rl", summaryMetrics(beforeRl));
    s.set("final", summaryMetrics(finalMetrics));
    if (!atTestLengths.isEmpty()) {
      s.set("test_lengths", byLength(atTestLengths));
    }
    if (curriculumMaxLength != null) {
      s.put("curriculum_max_length", curriculumMaxLength);
    }
    s.put("best_metric", bestKey);
    s.put("best_direction", ConfigChoice.spelling(config.eval().bestDirection()));
    s.put("best_value", bestValue);
    s.put("best_step", bestStep);
    s.set("best", summaryMetrics(bestMetrics));
    // Which way each metric improves, from the one definition, for scripts that read summaries.
    ObjectNode directions = s.putObject("directions");
    finalMetrics.keySet().forEach(k -> Evaluator.direction(k).ifPresent(d -> {
      if (isSummaryMetric(k)) {
        directions.put(k.substring(Evaluator.PREFIX.length()), ConfigChoice.spelling(d));
      }
    }));
    ObjectNode ends = s.putObject("phase_ends");
    phaseEnds.forEach(ends::put);
    ObjectNode steps = s.putObject("steps");
    // Steps taken (early stopping and a time budget can end a phase before its planned steps).
    steps.put("pretrain", trainerState.get("mle_steps").longValue());
    steps.put("rl", trainerState.get("rl_steps").longValue());
    steps.put("total", totalSteps);
    steps.put("pretrain_planned", config.pretrain().steps());
    steps.put("rl_planned", config.rl().steps());
    s.put("wall_time_s", wallTimeSeconds);
    s.set("versions", TrainingRun.JSON.valueToTree(Provenance.versions()));
    return s;
  }

  /**
   * {@code test/len30/exact_match, test/len30/symbol_error, ...} nested as
   * {@code {"30": {"exact_match": ..., "symbol_error": ...}, ...}}: a script looks a length up, not a key pattern.
   */
  private static ObjectNode byLength(Map<String, Double> atTestLengths) {
    ObjectNode lengths = TrainingRun.JSON.createObjectNode();
    atTestLengths.forEach((k, v) -> {
      String[] segments = k.split("/");
      String length = segments[1].substring("len".length());
      ObjectNode one = lengths.has(length) ? (ObjectNode) lengths.get(length) : lengths.putObject(length);
      one.put(segments[2], v);
    });
    return lengths;
  }

  /** Maps eval/* metric names to the summary's short names (bleu, levenshtein, exact_match, chrf, ...). */
  private static ObjectNode summaryMetrics(Map<String, Double> metrics) {
    ObjectNode o = TrainingRun.JSON.createObjectNode();
    metrics.forEach((k, v) -> {
      if (isSummaryMetric(k)) {
        o.put(k.substring(Evaluator.PREFIX.length()), v);
      }
    });
    return o;
  }

  /** Greedy evaluation metrics ({@code eval/<name>}, not {@code eval/beam/...}). */
  private static boolean isSummaryMetric(String key) {
    return key.startsWith(Evaluator.PREFIX) && !key.substring(Evaluator.PREFIX.length()).contains("/");
  }
}
