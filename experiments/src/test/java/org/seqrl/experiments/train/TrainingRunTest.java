package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.seqrl.experiments.train.CliRuns.stopAt;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.rl.RunListener;

class TrainingRunTest {
  @TempDir Path tmp;

  @Test
  void mleThenRlImprovesTheDevMetric() throws IOException {
    // A deliberately short pre-training leaves room for RL to help.
    Path cfg = TinyRuns.config(tmp, "learn", 40, 200, "");
    Path dir = tmp.resolve("learn-run");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, dir)) {
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
    JsonNode s = TrainingRun.JSON.readTree(dir.resolve("summary.json").toFile());
    double before = s.get("before_rl").get("levenshtein").asDouble();
    double after = s.get("final").get("levenshtein").asDouble();
    System.out.printf("dev levenshtein before RL %.3f, after %.3f%n", before, after);
    assertTrue(after < before, "RL should lower the dev edit distance: before " + before + ", after " + after);
    for (String key : new String[] {"bleu", "levenshtein", "exact_match", "chrf", "levenshtein_rate"}) {
      assertTrue(s.get("final").has(key), "summary.final lacks " + key);
      assertTrue(s.get("before_rl").has(key), "summary.before_rl lacks " + key);
    }
    assertEquals(240, s.get("steps").get("total").asLong());
    assertTrue(s.get("versions").has("java"));
    assertTrue(Files.isRegularFile(dir.resolve("checkpoints/best/COMPLETE")));
    assertTrue(Files.isRegularFile(dir.resolve("checkpoints/latest/COMPLETE")));
  }

  /**
   * Also with batches from length pools (data.length_pool), whose order a resumed run must rebuild, and
   * with a weight average (pretrain.ema_decay), which the stop in pre-training must keep.
   */
  @ParameterizedTest
  @CsvSource({"0, 0", "4, 0", "0, 0.9"})
  void stoppingAndResumingGivesTheSameNumbersAsAnUninterruptedRun(int lengthPool, double emaDecay) throws IOException {
    Path cfg = TinyRuns.config(tmp, "resume", 50, 40, "");
    List<String> pool = List.of("data.length_pool=" + lengthPool, "pretrain.ema_decay=" + emaDecay);
    Path straight = tmp.resolve("straight");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, pool), tmp, straight)) {
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }

    Path stopped = tmp.resolve("stopped");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, pool), tmp, stopped)) {
      run.addListener(stopAt(run, 13)); // during pre-training, between evaluations
      assertEquals(TrainingRun.Outcome.INTERRUPTED, run.run());
      assertEquals(13, run.globalStep());
    }
    try (TrainingRun run = TrainingRun.resume(stopped)) {
      assertEquals(13, run.globalStep());
      run.addListener(stopAt(run, 71)); // during RL
      assertEquals(TrainingRun.Outcome.INTERRUPTED, run.run());
    }
    try (TrainingRun run = TrainingRun.resume(stopped)) {
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }

    JsonNode a = TrainingRun.JSON.readTree(straight.resolve("summary.json").toFile());
    JsonNode b = TrainingRun.JSON.readTree(stopped.resolve("summary.json").toFile());
    assertEquals(a.get("before_rl"), b.get("before_rl"));
    assertEquals(a.get("final"), b.get("final"));
    assertEquals(a.get("best_step"), b.get("best_step"));
    assertSameFiles(straight.resolve("checkpoints/latest/policy"), stopped.resolve("checkpoints/latest/policy"));
  }

  @Test
  void resumingRlFromACheckpointBeforeItsFirstCheckpointStartsFromThatCheckpoint() throws IOException {
    Path pretrained = tmp.resolve("pretrained");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(TinyRuns.config(tmp, "pre", 60, 0, ""), List.of()), tmp,
        pretrained)) {
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
    Path init = pretrained.resolve("checkpoints/latest");
    double expected = reevaluate(pretrained, init, "eval/levenshtein");
    Path cfg = TinyRuns.config(tmp, "rl-only", 0, 20, "");
    var config = ConfigLoader.load(cfg, List.of("rl.init_checkpoint=" + init));
    Path dir = tmp.resolve("rl-only-run");
    // A run that dies before its first checkpoint leaves only what start() wrote.
    TrainingRun.start(config, tmp, dir).close();
    try (TrainingRun run = TrainingRun.resume(dir)) {
      double resumed = run.components().evaluate("dev", 0).metrics().get("eval/levenshtein");
      assertEquals(expected, resumed, 0.0, "the resumed run's policy is the init checkpoint's");
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
  }

  @Test
  void resumingAFinishedRunDoesNothingMore() throws IOException {
    Path cfg = TinyRuns.config(tmp, "done", 10, 5, "");
    Path dir = tmp.resolve("done-run");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, dir)) {
      run.run();
    }
    try (TrainingRun run = TrainingRun.resume(dir)) {
      assertTrue(run.finished());
      assertEquals(15, run.globalStep());
    }
  }

  @Test
  void startRefusesADirectoryThatHoldsARun() throws IOException {
    Path cfg = TinyRuns.config(tmp, "twice", 5, 0, "");
    Path dir = tmp.resolve("twice-run");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, dir)) {
      run.run();
    }
    UserInputException e = assertThrows(UserInputException.class,
        () -> TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, dir));
    assertTrue(e.getMessage().contains("--resume"), e.getMessage());
  }

  @Test
  void resumeWithoutARunSaysHowToStartOne() {
    UserInputException e = assertThrows(UserInputException.class, () -> TrainingRun.resume(tmp.resolve("nothing")));
    assertTrue(e.getMessage().contains("seqrl train CONFIG"), e.getMessage());
  }

  private static List<String> withoutComments(Path p) throws IOException {
    return Files.readAllLines(p).stream().filter(l -> !l.startsWith("#")).sorted().toList();
  }

  static void assertSameFiles(Path a, Path b) throws IOException {
    List<Path> fa;
    try (Stream<Path> s = Files.walk(a)) {
      fa = s.filter(Files::isRegularFile).map(a::relativize).sorted().toList();
    }
    List<Path> fb;
    try (Stream<Path> s = Files.walk(b)) {
      fb = s.filter(Files::isRegularFile).map(b::relativize).sorted().toList();
    }
    assertEquals(fa, fb);
    assertFalse(fa.isEmpty());
    for (Path rel : fa) {
      if (rel.toString().endsWith(".properties")) {
        // java.util.Properties writes the save time as a comment; compare the entries.
        assertEquals(withoutComments(a.resolve(rel)), withoutComments(b.resolve(rel)), "differs: " + rel);
      } else {
        assertArrayEquals(Files.readAllBytes(a.resolve(rel)), Files.readAllBytes(b.resolve(rel)), "differs: " + rel);
      }
    }
  }

  /** Runs a tiny config with frequent evaluations and returns every dev value of {@code metric}, by step. */
  private java.util.LinkedHashMap<Long, Double> runRecording(Path dir, String metric, List<String> overrides)
      throws IOException {
    Path cfg = TinyRuns.config(tmp, dir.getFileName().toString(), 60, 60, "");
    java.util.LinkedHashMap<Long, Double> seen = new java.util.LinkedHashMap<>();
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, overrides), tmp, dir)) {
      run.addListener(new RunListener() {
        @Override
        public void onEvaluation(org.seqrl.rl.EvaluationEvent event) {
          seen.put(event.step(), event.metrics().get(metric));
        }
      });
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
    return seen;
  }

  /** The metric as the checkpoint in {@code checkpoint} scores it on dev, evaluated afresh. */
  private static double reevaluate(Path runDir, Path checkpoint, String metric) {
    var config = ConfigLoader.load(runDir.resolve(TrainingRun.CONFIG_FILE), List.of());
    try (RunComponents parts = RunComponents.build(config, runDir, new RunListener() {})) {
      parts.restorePolicyFrom(checkpoint);
      return parts.evaluate("dev", 0).metrics().get(metric);
    }
  }

  private static boolean risesAndFalls(List<Double> values) {
    boolean rise = false;
    boolean fall = false;
    for (int i = 1; i < values.size(); i++) {
      rise |= values.get(i) > values.get(i - 1);
      fall |= values.get(i) < values.get(i - 1);
    }
    return rise && fall;
  }

  @Test
  void bestCheckpointFollowsTheDirectionOfItsMetric() throws IOException {
    // No best_mode anywhere: exact match must keep its highest evaluation, Levenshtein its lowest.
    for (String metric : List.of("eval/exact_match", "eval/levenshtein")) {
      Path dir = tmp.resolve(metric.substring(5));
      // A high RL learning rate makes the dev metric rise and fall, so that first, last and best differ.
      var seen = runRecording(dir, metric, List.of("eval.best_metric=" + metric, "eval.every=10",
          "rl.learning_rate=0.03"));
      List<Double> values = List.copyOf(seen.values());
      assertTrue(risesAndFalls(values), metric + " must rise and fall for this test to mean anything: " + seen);
      boolean higher = metric.equals("eval/exact_match");
      double expected = higher ? values.stream().mapToDouble(d -> d).max().orElseThrow()
          : values.stream().mapToDouble(d -> d).min().orElseThrow();
      long expectedStep = seen.entrySet().stream().filter(e -> e.getValue() == expected).findFirst().orElseThrow().getKey();

      JsonNode s = TrainingRun.JSON.readTree(dir.resolve("summary.json").toFile());
      assertEquals(expected, s.get("best_value").asDouble(), metric + " " + seen);
      assertEquals(expectedStep, s.get("best_step").asLong(), metric + " " + seen);
      assertEquals(higher ? "max" : "min", s.get("best_direction").asText());
      assertEquals(expected, s.get("best").get(metric.substring(5)).asDouble());
      // The best checkpoint is the model that scored it, not a label on another one.
      assertEquals(expected, reevaluate(dir, dir.resolve("checkpoints/best"), metric), 0.0, metric);
    }
  }

  /**
   * pretrain.ema_decay: pre-training's evaluations score the weight average (not the weights Adam moves),
   * the best checkpoint is that averaged model, and the run ends with the average as its model.
   */
  @Test
  void aWeightAverageIsWhatPretrainingEvaluatesAndEndsWith() throws IOException {
    String metric = "eval/levenshtein_rate";
    List<String> common = List.of("eval.every=10", "rl.steps=0", "eval.best_metric=" + metric);
    Path plainDir = tmp.resolve("no-average");
    var plain = runRecording(plainDir, metric, common);
    Path averagedDir = tmp.resolve("average");
    List<String> withAverage = new java.util.ArrayList<>(common);
    withAverage.add("pretrain.ema_decay=0.8");
    var averaged = runRecording(averagedDir, metric, withAverage);
    assertEquals(plain.keySet(), averaged.keySet());
    assertFalse(plain.equals(averaged), "the evaluations must score another model: " + plain + " and " + averaged);

    JsonNode s = TrainingRun.JSON.readTree(averagedDir.resolve("summary.json").toFile());
    assertEquals(s.get("best_value").asDouble(), reevaluate(averagedDir, averagedDir.resolve("checkpoints/best"), metric),
        0.0, "the best checkpoint is the averaged model that scored best: " + averaged);
    assertEquals(averaged.get(60L), reevaluate(averagedDir, averagedDir.resolve("checkpoints/latest"), metric), 0.0,
        "the final model is the average: " + averaged);
    assertEquals(averaged.get(60L), s.get("final").get("levenshtein_rate").asDouble());
    for (String ckpt : List.of("best", "latest")) {
      assertFalse(Files.exists(averagedDir.resolve("checkpoints/" + ckpt + "/policy/average.bin")),
          ckpt + " holds the averaged model alone");
    }
  }

  /** rl.init_checkpoint at a pre-training checkpoint that holds a weight average: RL starts from the average. */
  @Test
  void rlFromACheckpointWithAWeightAverageStartsFromTheAverage() throws IOException {
    Path pretrained = tmp.resolve("averaging");
    Path cfg = TinyRuns.config(tmp, "averaging", 60, 0, "");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of("pretrain.ema_decay=0.8")), tmp, pretrained)) {
      run.addListener(stopAt(run, 30)); // mid pre-training: latest holds the weights and their average
      assertEquals(TrainingRun.Outcome.INTERRUPTED, run.run());
    }
    Path init = pretrained.resolve("checkpoints/latest");
    assertTrue(Files.exists(init.resolve("policy/average.bin")));
    double weights = reevaluate(pretrained, init, "eval/levenshtein_rate");
    double average;
    try (RunComponents parts = EvalCommand.open(init, List.of())) {
      average = parts.evaluate("dev", 0).metrics().get("eval/levenshtein_rate");
    }
    assertTrue(weights != average, "the average must score differently for this test to mean anything");
    var config = ConfigLoader.load(TinyRuns.config(tmp, "rl-from-average", 0, 20, ""), List.of("rl.init_checkpoint=" + init));
    try (TrainingRun run = TrainingRun.start(config, tmp, tmp.resolve("rl-from-average-run"))) {
      assertFalse(run.components().policy().hasAverage());
      assertEquals(average, run.components().evaluate("dev", 0).metrics().get("eval/levenshtein_rate"), 0.0);
    }
  }

  @Test
  void rlCanStartFromTheBestPretrainingEvaluation() throws IOException {
    String metric = "eval/levenshtein_rate";
    Path dir = tmp.resolve("start-best");
    // A pre-training learning rate high enough that its last evaluation is not its best.
    var seen = runRecording(dir, metric, List.of("rl.start_from=best", "eval.every=5", "pretrain.learning_rate=1.0",
        "rl.steps=0"));
    JsonNode s = TrainingRun.JSON.readTree(dir.resolve("summary.json").toFile());
    double bestPretrain = seen.values().stream().mapToDouble(d -> d).min().orElseThrow();
    assertTrue(seen.get(60L) > bestPretrain, "the end of pre-training must not be its best here: " + seen);
    assertEquals(bestPretrain, s.get("before_rl").get("levenshtein_rate").asDouble(), "RL starts from the best: " + seen);
    assertEquals("best", s.get("rl_start").asText());
    // With no RL steps the final model is the one RL started from: the best pre-training one.
    assertEquals(bestPretrain, reevaluate(dir, dir.resolve("checkpoints/latest"), metric), 0.0);
    assertEquals(bestPretrain, s.get("final").get("levenshtein_rate").asDouble());
  }

  @Test
  void theEndOfPretrainingIsACandidateForBest() throws IOException {
    // Evaluations at 50 (pre-training), 60 (its end), 100 and 120 (RL). A harmful RL learning rate
    // makes the end of pre-training the best point, which only a run that weighs it can keep.
    Path dir = tmp.resolve("end-best");
    var seen = runRecording(dir, "eval/levenshtein_rate", List.of("eval.every=50", "rl.learning_rate=0.05"));
    assertEquals(List.of(50L, 60L, 100L, 120L), List.copyOf(seen.keySet()), seen.toString());
    double end = seen.get(60L);
    assertTrue(seen.entrySet().stream().allMatch(e -> e.getKey() == 60L || e.getValue() > end),
        "the end of pre-training must be the strict best here: " + seen);
    JsonNode s = TrainingRun.JSON.readTree(dir.resolve("summary.json").toFile());
    assertEquals(60, s.get("best_step").asLong(), seen.toString());
    assertEquals(end, s.get("best_value").asDouble());
  }

  @Test
  void patienceEndsAPhaseThatStopsImproving() throws IOException {
    // A harmful RL learning rate: RL's evaluations (every 10 steps) get no better than its start.
    Path dir = tmp.resolve("patience");
    var seen = runRecording(dir, "eval/levenshtein_rate", List.of("eval.every=10", "rl.learning_rate=0.05",
        "rl.patience=2", "rl.steps=200"));
    JsonNode s = TrainingRun.JSON.readTree(dir.resolve("summary.json").toFile());
    assertEquals("completed", s.get("phase_ends").get("pretrain").asText());
    assertEquals("patience", s.get("phase_ends").get("rl").asText(), seen.toString());
    // RL started at 60 and stopped on its second evaluation in a row without improvement.
    double start = seen.get(60L);
    List<Long> rlSteps = seen.keySet().stream().filter(k -> k > 60).toList();
    long stoppedAt = 60 + s.get("steps").get("rl").asLong();
    assertTrue(stoppedAt < 260, "stopped before its 200 planned steps: " + seen);
    assertTrue(seen.get(stoppedAt) >= start && seen.get(stoppedAt - 10) >= start,
        "the last two evaluations did not beat the start: " + seen);
    assertEquals(rlSteps.get(rlSteps.size() - 1), stoppedAt, "no second evaluation of the same model: " + seen);
    assertEquals(200, s.get("steps").get("rl_planned").asLong());
  }

  @Test
  void aTimeBudgetEndsTheRunCleanly() throws IOException {
    Path cfg = TinyRuns.config(tmp, "budget", 100000, 100000, "");
    Path dir = tmp.resolve("budget-run");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, dir)) {
      run.setMaxTime(java.time.Duration.ofSeconds(2));
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
      assertTrue(run.finished());
    }
    JsonNode s = TrainingRun.JSON.readTree(dir.resolve("summary.json").toFile());
    assertEquals("max_time", s.get("phase_ends").get("pretrain").asText());
    assertEquals("skipped", s.get("phase_ends").get("rl").asText());
    assertEquals(0, s.get("steps").get("rl").asLong());
    assertTrue(s.get("steps").get("pretrain").asLong() > 0 && s.get("steps").get("pretrain").asLong() < 100000);
    assertTrue(s.get("final").has("levenshtein_rate"));
    assertTrue(Files.isRegularFile(dir.resolve("checkpoints/best/COMPLETE")));
    // A finished run stays finished.
    try (TrainingRun run = TrainingRun.resume(dir)) {
      assertTrue(run.finished());
    }
  }
}
