package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.seqrl.experiments.train.CliRuns.stopAt;
import static org.seqrl.experiments.train.CliRuns.evalMetrics;
import static org.seqrl.experiments.train.CliRuns.evalOnTest;
import static org.seqrl.experiments.train.CliRuns.mlflow;
import static org.seqrl.experiments.train.CliRuns.onlyRunId;
import static org.seqrl.experiments.train.CliRuns.seqrl;
import static org.seqrl.experiments.train.CliRuns.summary;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.data.Datasets;
import org.seqrl.experiments.data.EncodedSplit;
import org.seqrl.experiments.data.Seeds;
import org.seqrl.experiments.train.CliRuns.Result;
import org.seqrl.metrics.SymbolErrors;
import org.seqrl.rl.EvaluationEvent;
import org.seqrl.rl.RunListener;

/** data.curriculum and data.test_lengths_each in whole runs (issue 17). */
class CurriculumRunTest {
  @TempDir Path tmp;

  /** Reverse of lengths 2-4 starting at 2, one length per passing evaluation (exact match >= 0.3 on the stage). */
  private static final List<String> CURRICULUM = List.of("data.curriculum.start=2", "data.curriculum.step=1",
      "data.curriculum.metric=eval/exact_match", "data.curriculum.threshold=0.3");

  private static RunListener recording(List<Map<String, Double>> devEvaluations) {
    return new RunListener() {
      @Override
      public void onEvaluation(EvaluationEvent event) {
        if (event.split().equals("dev")) {
          devEvaluations.add(event.metrics());
        }
      }
    };
  }

  @Test
  void theStageGrowsExactlyWhenTheStagesDevMetricPasses() throws IOException {
    Path cfg = TinyRuns.config(tmp, "grow", 100, 0, "");
    List<Map<String, Double>> evals = new ArrayList<>();
    Path dir = tmp.resolve("grow-run");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, CURRICULUM), tmp, dir)) {
      run.addListener(recording(evals));
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
    assertEquals(5, evals.size(), "evaluations at 20, 40, 60, 80 and the end (100)");
    assertEquals(2.0, evals.get(0).get("curriculum/max_length"));
    for (int i = 1; i < evals.size(); i++) {
      double before = evals.get(i - 1).get("curriculum/max_length");
      double passed = evals.get(i - 1).get("curriculum/exact_match");
      double expected = passed >= 0.3 ? Math.min(4, before + 1) : before;
      assertEquals(expected, evals.get(i).get("curriculum/max_length"), "evaluation " + i + ": " + evals);
    }
    double last = evals.get(evals.size() - 1).get("curriculum/max_length");
    System.out.println("curriculum stages: " + evals.stream().map(m -> m.get("curriculum/max_length") + " ("
        + m.get("curriculum/exact_match") + ")").toList());
    assertTrue(last > 2, "the stage never grew: " + evals);
    // The summary holds the stage after the final evaluation, which may have grown once more.
    int finalStage = summary(dir).get("curriculum_max_length").asInt();
    assertTrue(finalStage >= (int) last);

    // RL from that checkpoint (as a sweep's shared pre-training hands it on) continues at its stage.
    List<String> rlOnly = new ArrayList<>(CURRICULUM);
    rlOnly.addAll(List.of("pretrain.steps=0", "rl.steps=5", "rl.init_checkpoint=" + dir.resolve("checkpoints/latest")));
    try (TrainingRun rl = TrainingRun.start(ConfigLoader.load(cfg, rlOnly), tmp, tmp.resolve("rl-run"))) {
      assertEquals(finalStage, rl.components().curriculum().maxLength());
    }
  }

  @Test
  void resumeRestoresTheStageAndGivesTheUninterruptedNumbers() throws IOException {
    Path cfg = TinyRuns.config(tmp, "resume", 80, 30, "");
    Path straight = tmp.resolve("straight");
    List<Map<String, Double>> straightEvals = new ArrayList<>();
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, CURRICULUM), tmp, straight)) {
      run.addListener(recording(straightEvals));
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
    Path stopped = tmp.resolve("stopped");
    int stageAtStop;
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, CURRICULUM), tmp, stopped)) {
      run.addListener(stopAt(run, 67));
      assertEquals(TrainingRun.Outcome.INTERRUPTED, run.run());
      stageAtStop = run.components().curriculum().maxLength();
    }
    JsonNode state = TrainingRun.JSON.readTree(stopped.resolve("checkpoints/latest/run-state.json").toFile());
    assertEquals(stageAtStop, state.get("curriculumMaxLength").asInt());
    assertTrue(stageAtStop > 2, "no growth by step 67, so resume would prove nothing: " + straightEvals);
    List<Map<String, Double>> resumedEvals = new ArrayList<>();
    try (TrainingRun run = TrainingRun.resume(stopped)) {
      assertEquals(stageAtStop, run.components().curriculum().maxLength(), "resume restores the stage");
      run.addListener(recording(resumedEvals));
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
    JsonNode a = summary(straight);
    JsonNode b = summary(stopped);
    assertEquals(a.get("final"), b.get("final"));
    assertEquals(a.get("curriculum_max_length"), b.get("curriculum_max_length"));
    // The evaluations after the stop (steps 80, 100, 110) equal the uninterrupted run's, stage included.
    assertEquals(straightEvals.subList(straightEvals.size() - resumedEvals.size(), straightEvals.size()), resumedEvals);
    TrainingRunTest.assertSameFiles(straight.resolve("checkpoints/latest/policy"), stopped.resolve("checkpoints/latest/policy"));
  }

  /**
   * A tracked CLI run with test lengths 3 and 6 and a curriculum: MLflow holds test/len3/... and
   * curriculum/max_length; the summary's per-length numbers equal a decode and count done here by hand
   * (greedy outputs, SymbolErrors, exact equality); {@code seqrl eval} reports the same numbers.
   */
  @Test
  void eachTestLengthIsScoredAtTheEndInMlflowAndInEval() throws IOException {
    String uri = org.seqrl.experiments.tracking.TestServers.shared().uri();
    String experiment = "test-lengths-" + System.nanoTime();
    Path cfg = TinyRuns.config(tmp, "lengths", 60, 10, "");
    Path run = tmp.resolve("lengths-run");
    List<String> args = new ArrayList<>(List.of("train", cfg.toString(), "--output", run.toString(), "--progress",
        "lines", "--tracking-uri", uri, "--set", "experiment=" + experiment, "--set", "data.test_lengths_each=[3, 6]"));
    CURRICULUM.forEach(s -> args.addAll(List.of("--set", s)));
    Result r = seqrl(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("test/len6/symbol_error"), r.out());

    var config = ConfigLoader.load(run.resolve(TrainingRun.CONFIG_FILE), List.of());
    Map<String, Double> byHand = new LinkedHashMap<>();
    try (RunComponents parts = RunComponents.build(config, tmp, new RunListener() {})) {
      parts.restorePolicyFrom(run.resolve("checkpoints/latest"));
      var sets = Datasets.testsAtLengths(config.data(), Seeds.derive(config.seed(), "data"), parts.dataset());
      for (var e : sets.entrySet()) {
        EncodedSplit split = parts.dataset().encode(e.getValue());
        int[][] refs = Arrays.stream(split.references()).map(rs -> rs[0]).toArray(int[][]::new);
        var rollout = parts.policy().greedy(split.sources(), e.getKey() + 2);
        long errors = 0;
        int exact = 0;
        for (int i = 0; i < refs.length; i++) {
          assertEquals(e.getKey(), refs[i].length);
          errors += SymbolErrors.count(rollout.hypothesis(i), refs[i]);
          exact += Arrays.equals(rollout.hypothesis(i), refs[i]) ? 1 : 0;
        }
        byHand.put("test/len" + e.getKey() + "/symbol_error", (double) errors / (refs.length * e.getKey()));
        byHand.put("test/len" + e.getKey() + "/exact_match", (double) exact / refs.length);
      }
    }
    JsonNode lengths = summary(run).get("test_lengths");
    System.out.println("test lengths: " + lengths + ", by hand: " + byHand);
    for (int length : new int[] {3, 6}) {
      for (String metric : new String[] {"exact_match", "symbol_error"}) {
        assertEquals(byHand.get("test/len" + length + "/" + metric), lengths.get(String.valueOf(length)).get(metric)
            .asDouble(), 1e-12, length + " " + metric);
      }
    }
    // Length 6 is beyond the training lengths 2-4; the model cannot have learned it better than 3.
    assertTrue(lengths.get("6").get("symbol_error").asDouble() >= lengths.get("3").get("symbol_error").asDouble());

    var conn = mlflow(uri);
    String runId = onlyRunId(conn, experiment);
    for (var e : byHand.entrySet()) {
      var history = conn.client().getMetricHistory(runId, e.getKey());
      assertEquals(1, history.size(), e.getKey());
      assertEquals(e.getValue(), history.get(0).getValue(), 1e-6, e.getKey());
    }
    assertTrue(conn.client().getMetricHistory(runId, "curriculum/max_length").size() >= 3);
    assertTrue(conn.client().getMetricHistory(runId, "eval/symbol_error").size() >= 3);

    Path json = tmp.resolve("eval.json");
    Result e = evalOnTest(run.resolve("checkpoints/latest"), "--output", json.toString());
    assertTrue(e.out().contains("test/len3/exact_match"), e.out());
    JsonNode m = evalMetrics(json);
    byHand.forEach((k, v) -> assertEquals(v, m.get(k).asDouble(), 1e-12, k));
  }
}
