package org.seqrl.experiments.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.seqrl.experiments.config.ConfigChoice;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.RlStart;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.experiments.data.BatchIterator;
import org.seqrl.experiments.data.EncodedSplit;
import org.seqrl.experiments.data.LengthCurriculum;
import org.seqrl.rl.EvaluationEvent;
import org.seqrl.rl.Evaluator;
import org.seqrl.rl.NonFiniteLossException;
import org.seqrl.rl.RunListener;

/**
 * One training run: MLE pre-training, then RL, with periodic dev evaluation, checkpoints
 * (latest and best), a summary, and resume from the latest checkpoint.
 *
 * <p>The loop reads like the algorithm: for each step, draw a batch, take an MLE or an RL
 * step, report; every {@code eval.every} steps evaluate on dev, keep the best, checkpoint.
 * A stop request ({@link #requestStop}, which {@code seqrl train} calls on SIGINT/SIGTERM)
 * ends the current step, writes the latest checkpoint and returns {@link Outcome#INTERRUPTED};
 * {@code seqrl train --resume} continues from there with the same data order, random state
 * and baseline state, so the numbers equal those of an uninterrupted run.
 */
public final class TrainingRun implements AutoCloseable {

  /** How a call to {@link #run()} ended. */
  public enum Outcome { FINISHED, INTERRUPTED }

  /** Which part of the schedule the run is in. */
  enum Phase { PRETRAIN, RL, DONE }

  static final String CONFIG_FILE = "config.yaml";
  static final String SUMMARY_FILE = "summary.json";
  static final String STATE_FILE = "run-state.json";
  static final String BASE_DIR_FILE = "config-base-dir.txt";
  /** Where a data.tsv.level: bpe run keeps the tokenizers it trained (each checkpoint holds a copy too). */
  static final String TOKENIZER_DIR = "tokenizer";
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final SeqrlConfig config;
  private final Path runDir;
  private final RunComponents parts;
  private final CheckpointStore checkpoints;
  private final ListenerHub listeners;
  private BatchIterator pretrainBatches;
  private BatchIterator rlBatches;
  /** data.curriculum: which training rows the stage admits; the batch iterators index into its rows. */
  private final LengthCurriculum curriculum;
  private int[] stageRows;
  private final EncodedSplit train;
  private final int[][] trainTargets;
  /** The metric key that picks the best checkpoint ({@code eval/reward} resolved to the run's reward). */
  private final String bestKey;
  private volatile boolean stopRequested;

  private Phase phase = Phase.PRETRAIN;
  private long phaseStep;
  private long globalStep;
  private double bestValue = Double.NaN;
  private long bestStep = -1;
  private Map<String, Double> bestMetrics = Map.of();
  /** The best-metric value within the current phase and how many evaluations have not beaten it. */
  private double phaseBest = Double.NaN;
  private int evaluationsWithoutImprovement;
  /** How each finished phase ended (completed, patience, max_time, skipped), for the summary. */
  private final Map<String, String> phaseEnds = new LinkedHashMap<>();
  private long maxTimeNanos;
  private Map<String, Double> lastEvaluation = Map.of();
  private long lastEvaluationStep = -1;
  private Map<String, Double> beforeRl = Map.of();
  private long elapsedMillisBefore;

  private TrainingRun(SeqrlConfig config, Path runDir, RunComponents parts, ListenerHub listeners) {
    this.config = config;
    this.runDir = runDir;
    this.parts = parts;
    this.listeners = listeners;
    this.checkpoints = new CheckpointStore(runDir);
    this.train = parts.train();
    this.trainTargets = firstReferences(train.references());
    this.bestKey = config.bestMetricKey();
    this.curriculum = parts.curriculum();
    useStage();
  }

  /**
   * Minibatches over the training rows of the current curriculum stage, in an order of the stage's
   * own (without a curriculum: all rows, as always).
   */
  private void useStage() {
    stageRows = curriculum.trainRows();
    String stage = curriculum.enabled() ? "-stage-" + curriculum.maxLength() : "";
    pretrainBatches = parts.batches("pretrain" + stage, config.pretrain().batchSize(), stageRows.length);
    rlBatches = parts.batches("rl" + stage, config.rl().batchSize(), stageRows.length);
  }

  private int[] nextRows(BatchIterator batches) {
    int[] positions = batches.next();
    int[] rows = new int[positions.length];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = stageRows[positions[i]];
    }
    return rows;
  }

  /**
   * Starts a new run in {@code runDir} (which must not hold a run yet), or, when the config names
   * {@code rl.init_checkpoint}, starts RL from that checkpoint's policy.
   */
  public static TrainingRun start(SeqrlConfig config, Path configBaseDir, Path runDir) {
    if (Files.exists(runDir.resolve(STATE_FILE)) || new CheckpointStore(runDir).find("latest").isPresent()) {
      throw new org.seqrl.experiments.cli.UserInputException(runDir + ": already holds a run; resume it with "
          + "`seqrl train --resume " + runDir + "` or choose another --output");
    }
    try {
      Files.createDirectories(runDir);
      Files.writeString(runDir.resolve(CONFIG_FILE), ConfigLoader.toYaml(config));
      // Relative data paths in the config are relative to the original config file's folder.
      Files.writeString(runDir.resolve(BASE_DIR_FILE), configBaseDir.toAbsolutePath().normalize().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + runDir.resolve(CONFIG_FILE) + ": " + e.getMessage(), e);
    }
    Optional<Path> init = Optional.ofNullable(config.rl().initCheckpoint()).map(configBaseDir::resolve);
    if (init.isPresent()) {
      // RL from a checkpoint encodes its data with that checkpoint's tokenizers (bpe), not with new ones.
      Path checkpoint = Files.isDirectory(init.get().resolve("policy")) ? init.get() : init.get().getParent();
      copyTokenizers(checkpoint, runDir.resolve(TOKENIZER_DIR));
    }
    ListenerHub hub = new ListenerHub();
    RunComponents parts = RunComponents.build(config, configBaseDir, hub, runDir.resolve(TOKENIZER_DIR));
    TrainingRun run = new TrainingRun(config, runDir, parts, hub);
    if (init.isPresent()) {
      parts.restorePolicyFrom(init.get());
      run.continueStageOf(init.get());
      run.phase = Phase.RL;
    }
    return run;
  }

  /**
   * RL from a checkpoint (a sweep's shared pre-training) continues the curriculum where that run's
   * stage was, when this run has a curriculum the stage fits; otherwise it starts at {@code start}.
   */
  private void continueStageOf(Path checkpoint) {
    // rl.init_checkpoint may name the checkpoint folder or its policy folder.
    Path state = Files.isRegularFile(checkpoint.resolve(STATE_FILE)) ? checkpoint.resolve(STATE_FILE)
        : checkpoint.resolveSibling(STATE_FILE);
    if (!curriculum.enabled() || !Files.isRegularFile(state)) {
      return;
    }
    try {
      JsonNode saved = JSON.readTree(state.toFile()).path("curriculumMaxLength");
      if (saved.isInt() && saved.asInt() >= curriculum.maxLength()
          && saved.asInt() <= config.data().trainLengths().max()) {
        curriculum.restore(saved.asInt());
        useStage();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + state + ": " + e.getMessage(), e);
    }
  }

  /** Reopens the run in {@code runDir} at its latest checkpoint. */
  public static TrainingRun resume(Path runDir) {
    Path cfgFile = runDir.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(cfgFile)) {
      throw new org.seqrl.experiments.cli.UserInputException(runDir + ": no run to resume (missing " + CONFIG_FILE
          + "); start one with `seqrl train CONFIG --output " + runDir + "`");
    }
    SeqrlConfig config = ConfigLoader.load(cfgFile, List.of());
    Path baseDir = runDir;
    try {
      if (Files.isRegularFile(runDir.resolve(BASE_DIR_FILE))) {
        baseDir = Path.of(Files.readString(runDir.resolve(BASE_DIR_FILE)).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + runDir.resolve(BASE_DIR_FILE) + ": " + e.getMessage(), e);
    }
    ListenerHub hub = new ListenerHub();
    RunComponents parts = RunComponents.build(config, baseDir, hub, runDir.resolve(TOKENIZER_DIR));
    TrainingRun run = new TrainingRun(config, runDir, parts, hub);
    Optional<Path> latest = run.checkpoints.find("latest");
    if (latest.isPresent()) {
      run.restoreFrom(latest.get());
    }
    return run;
  }

  public SeqrlConfig config() {
    return config;
  }

  /** Copies the tokenizer files of a checkpoint (none unless its run was bpe) into {@code dir}. */
  static void copyTokenizers(Path checkpoint, Path dir) {
    if (checkpoint == null || !Files.isDirectory(checkpoint)) {
      return; // restoring the policy reports a missing checkpoint
    }
    try (var files = Files.list(checkpoint)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith("-tokenizer.json")).toList()) {
        Files.createDirectories(dir);
        Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the tokenizers of " + checkpoint + ": " + e.getMessage(), e);
    }
  }

  /** Adds a listener for steps, evaluations and the end of the run. */
  public void addListener(RunListener listener) {
    listeners.add(listener);
  }

  public Path runDir() {
    return runDir;
  }

  public RunComponents components() {
    return parts;
  }

  public long globalStep() {
    return globalStep;
  }

  /** How each finished phase ended: completed, patience, max_time or skipped. */
  public Map<String, String> phaseEnds() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(phaseEnds));
  }

  public boolean finished() {
    return phase == Phase.DONE;
  }

  /** Asks the loop to stop after the current step, checkpoint and return. Thread-safe. */
  public void requestStop() {
    stopRequested = true;
  }

  /**
   * Sets a wall-clock budget for this call of {@link #run()}: when it is spent, the run ends as if
   * its steps were done (final evaluation, best checkpoint, summary), and says so in the summary.
   */
  public void setMaxTime(java.time.Duration budget) {
    this.maxTimeNanos = budget == null ? 0 : budget.toNanos();
  }

  /** Runs (or continues) the schedule. */
  public Outcome run() {
    long startNanos = System.nanoTime();
    if (phase == Phase.PRETRAIN) {
      PhaseEnd end = runPhase(config.pretrain().steps(), config.pretrain().patience(), true, startNanos);
      if (end == PhaseEnd.INTERRUPTED) {
        return Outcome.INTERRUPTED;
      }
      phaseEnds.put("pretrain", end.label);
      beforeRl = evaluateOnce(startNanos);
      if (config.rl().startFrom() == RlStart.BEST && bestStep >= 0 && bestStep != globalStep) {
        parts.restorePolicyFrom(checkpoints.find("best").orElseThrow());
        beforeRl = bestMetrics;
      }
      phase = Phase.RL;
      phaseStep = 0;
      startPatience(beforeRl);
      saveLatest(startNanos);
    }
    if (phase == Phase.RL) {
      if (beforeRl.isEmpty()) {
        beforeRl = evaluateOnce(startNanos);
        startPatience(beforeRl);
      }
      // A spent time budget ends the whole run: RL is skipped, not started.
      PhaseEnd end = PhaseEnd.OUT_OF_TIME.label.equals(phaseEnds.get("pretrain")) ? PhaseEnd.SKIPPED
          : runPhase(config.rl().steps(), config.rl().patience(), false, startNanos);
      if (end == PhaseEnd.INTERRUPTED) {
        return Outcome.INTERRUPTED;
      }
      phaseEnds.put("rl", end.label);
      // Without RL steps the model is the one RL started from, already evaluated.
      Map<String, Double> finalMetrics = phaseStep == 0 ? beforeRl : evaluateOnce(startNanos);
      Map<String, Double> atLengths = evaluateTestLengths();
      phase = Phase.DONE;
      saveLatest(startNanos);
      writeSummary(finalMetrics, atLengths, startNanos);
    }
    listeners.onEnd();
    return Outcome.FINISHED;
  }

  /** Why a phase's loop ended. */
  private enum PhaseEnd {
    COMPLETED("completed"), NO_IMPROVEMENT("patience"), OUT_OF_TIME("max_time"), SKIPPED("skipped"),
    INTERRUPTED("interrupted");

    final String label;

    PhaseEnd(String label) {
      this.label = label;
    }
  }

  /**
   * Steps through one phase until its steps are done, a stop request (after a checkpoint), the
   * time budget, or {@code patience} evaluations in a row without a better best metric.
   */
  private PhaseEnd runPhase(long steps, int patience, boolean pretraining, long startNanos) {
    int every = config.eval().every();
    while (phaseStep < steps) {
      if (stopRequested) {
        saveLatest(startNanos);
        return PhaseEnd.INTERRUPTED;
      }
      if (maxTimeNanos > 0 && System.nanoTime() - startNanos >= maxTimeNanos) {
        return PhaseEnd.OUT_OF_TIME;
      }
      if (pretraining) {
        int[] rows = nextRows(pretrainBatches);
        parts.trainer().mleStep(pick(train.sources(), rows), pick(trainTargets, rows));
      } else {
        int[] rows = nextRows(rlBatches);
        parts.trainer().rlStep(pick(train.sources(), rows), pick(train.references(), rows));
      }
      phaseStep++;
      globalStep++;
      if (every > 0 && globalStep % every == 0 && phaseStep < steps) {
        Map<String, Double> metrics = evaluateOnce(startNanos);
        boolean improved = config.eval().bestDirection().isBetter(metrics.get(bestKey), phaseBest);
        if (improved) {
          phaseBest = metrics.get(bestKey);
          evaluationsWithoutImprovement = 0;
        } else {
          evaluationsWithoutImprovement++;
        }
        saveLatest(startNanos);
        if (patience > 0 && evaluationsWithoutImprovement >= patience) {
          return PhaseEnd.NO_IMPROVEMENT;
        }
      }
    }
    return PhaseEnd.COMPLETED;
  }

  /** A phase's patience counts from its first evaluation (RL: the model it starts from). */
  private void startPatience(Map<String, Double> first) {
    phaseBest = first.getOrDefault(bestKey, Double.NaN);
    evaluationsWithoutImprovement = 0;
  }

  /**
   * Evaluates on dev unless the model was already evaluated at this step (a phase that ended on an
   * evaluation), keeps the best checkpoint, and returns the eval/* metrics.
   */
  private Map<String, Double> evaluateOnce(long startNanos) {
    if (lastEvaluationStep == globalStep && !lastEvaluation.isEmpty()) {
      return lastEvaluation;
    }
    Map<String, Double> metrics = evaluate("dev");
    updateBest(metrics, startNanos);
    if (curriculum.update(metrics.getOrDefault(CURRICULUM_PREFIX + curriculumMetricName(), Double.NaN))) {
      useStage();
    }
    lastEvaluation = metrics;
    lastEvaluationStep = globalStep;
    return metrics;
  }

  /**
   * Evaluates on a split, tells the listeners, and returns the eval/* metrics; on dev with a curriculum,
   * also {@code curriculum/max_length} (the stage trained on so far), the curriculum metric on that
   * stage's dev examples ({@code curriculum/exact_match}, say; see {@link LengthCurriculum#measuredOn})
   * and {@code curriculum/dev_examples}.
   */
  Map<String, Double> evaluate(String split) {
    EvaluationEvent event = parts.evaluate(split, globalStep);
    if (split.equals("dev") && curriculum.enabled()) {
      Map<String, Double> metrics = new LinkedHashMap<>(event.metrics());
      String key = config.curriculumMetricKey();
      // Once complete, the stage's dev examples are all of dev: no second decode.
      LengthCurriculum.Measure on = curriculum.complete() ? null : curriculum.measuredOn();
      double value = on == null ? metrics.get(key) : parts.evaluateRows(on, globalStep).get(key);
      metrics.put(CURRICULUM_PREFIX + "max_length", (double) curriculum.maxLength());
      metrics.put(CURRICULUM_PREFIX + curriculumMetricName(), value);
      // How many dev examples the value is over; 0: measured on the stage's training examples instead.
      metrics.put(CURRICULUM_PREFIX + "dev_examples", (double) (on == null ? parts.dev().sources().length
          : on.split().equals("dev") ? on.rows().length : 0));
      event = new EvaluationEvent(event.step(), event.split(), metrics, event.samples());
    }
    listeners.onEvaluation(event);
    return event.metrics();
  }

  static final String CURRICULUM_PREFIX = "curriculum/";

  private String curriculumMetricName() {
    return config.curriculumMetricKey().substring(Evaluator.PREFIX.length());
  }

  /**
   * {@code data.test_lengths_each}: the final model on each fixed test length, told to the listeners as a
   * {@code test-lengths} evaluation ({@code test/len<L>/...}); empty without test lengths.
   */
  private Map<String, Double> evaluateTestLengths() {
    Map<String, Double> metrics = parts.evaluateTestLengths(globalStep);
    if (!metrics.isEmpty()) {
      listeners.onEvaluation(new EvaluationEvent(globalStep, TEST_LENGTHS_SPLIT, metrics, List.of()));
    }
    return metrics;
  }

  static final String TEST_LENGTHS_SPLIT = "test-lengths";

  private void updateBest(Map<String, Double> metrics, long startNanos) {
    String key = bestKey;
    Double value = metrics.get(key);
    if (value == null) {
      // EvalConfig admits only metrics an evaluation reports, so this is a bug, not a config error.
      throw new IllegalStateException("evaluation did not report " + key + "; it reported " + metrics.keySet());
    }
    if (config.eval().bestDirection().isBetter(value, bestValue)) {
      bestValue = value;
      bestStep = globalStep;
      bestMetrics = Map.copyOf(metrics);
      checkpoints.save("best", dir -> writeCheckpoint(dir, startNanos));
    }
  }

  private void saveLatest(long startNanos) {
    checkpoints.save("latest", dir -> writeCheckpoint(dir, startNanos));
  }

  private void writeCheckpoint(Path dir, long startNanos) throws IOException {
    parts.policy().save(dir.resolve("policy"));
    parts.saveVocabularies(dir);
    ObjectNode s = JSON.createObjectNode();
    s.put("phase", phase.name());
    s.put("phaseStep", phaseStep);
    s.put("globalStep", globalStep);
    s.put("bestValue", bestValue);
    s.put("bestStep", bestStep);
    s.put("elapsedMillis", elapsedMillisBefore + (System.nanoTime() - startNanos) / 1_000_000);
    ObjectNode before = s.putObject("beforeRl");
    beforeRl.forEach(before::put);
    ObjectNode best = s.putObject("bestMetrics");
    bestMetrics.forEach(best::put);
    s.put("phaseBest", phaseBest);
    s.put("evaluationsWithoutImprovement", evaluationsWithoutImprovement);
    ObjectNode ends = s.putObject("phaseEnds");
    phaseEnds.forEach(ends::put);
    ObjectNode trainerState = s.putObject("trainer");
    parts.trainer().state().forEach(trainerState::put);
    s.put("curriculumMaxLength", curriculum.maxLength());
    s.set("pretrainBatches", JSON.valueToTree(pretrainBatches.state()));
    s.set("rlBatches", JSON.valueToTree(rlBatches.state()));
    JSON.writeValue(dir.resolve(STATE_FILE).toFile(), s);
  }

  private void restoreFrom(Path dir) {
    try {
      JsonNode s = JSON.readTree(dir.resolve(STATE_FILE).toFile());
      parts.policy().restore(dir.resolve("policy"));
      phase = Phase.valueOf(s.get("phase").asText());
      phaseStep = s.get("phaseStep").asLong();
      globalStep = s.get("globalStep").asLong();
      bestValue = s.get("bestValue").asDouble(Double.NaN);
      bestStep = s.get("bestStep").asLong();
      elapsedMillisBefore = s.get("elapsedMillis").asLong();
      Map<String, Double> before = new LinkedHashMap<>();
      s.get("beforeRl").fields().forEachRemaining(e -> before.put(e.getKey(), e.getValue().asDouble()));
      beforeRl = before;
      Map<String, Double> best = new LinkedHashMap<>();
      // Absent in checkpoints written before the best evaluation's metrics were kept.
      if (s.has("bestMetrics")) {
        s.get("bestMetrics").fields().forEachRemaining(e -> best.put(e.getKey(), e.getValue().asDouble()));
      }
      bestMetrics = best;
      // Absent in checkpoints written before early stopping existed.
      phaseBest = s.path("phaseBest").asDouble(Double.NaN);
      evaluationsWithoutImprovement = s.path("evaluationsWithoutImprovement").asInt(0);
      phaseEnds.clear();
      s.path("phaseEnds").fields().forEachRemaining(e -> phaseEnds.put(e.getKey(), e.getValue().asText()));
      Map<String, Double> trainerState = new LinkedHashMap<>();
      s.get("trainer").fields().forEachRemaining(e -> trainerState.put(e.getKey(), e.getValue().asDouble()));
      parts.trainer().restore(trainerState);
      // The stage decides which rows the batches index (absent before curriculums: the full range).
      if (s.has("curriculumMaxLength")) {
        curriculum.restore(s.get("curriculumMaxLength").asInt());
        useStage();
      }
      pretrainBatches.restore(JSON.treeToValue(s.get("pretrainBatches"), BatchIterator.State.class));
      rlBatches.restore(JSON.treeToValue(s.get("rlBatches"), BatchIterator.State.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore the checkpoint in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void writeSummary(Map<String, Double> finalMetrics, Map<String, Double> atLengths, long startNanos) {
    ObjectNode s = JSON.createObjectNode();
    s.put("experiment", config.experiment());
    s.put("seed", config.seed());
    s.put("task", ConfigChoice.spelling(config.data().task()));
    s.put("reward", RunComponents.rewardLabel(config));
    s.put("baseline", config.rl().baselineLabel());
    s.put("rl_start", ConfigChoice.spelling(config.rl().startFrom()));
    s.set("before_rl", summaryMetrics(beforeRl));
    s.set("final", summaryMetrics(finalMetrics));
    if (!atLengths.isEmpty()) {
      // {"30": {"exact_match": ..., "symbol_error": ...}, ...}: the final model at each fixed test length.
      ObjectNode lengths = s.putObject("test_lengths");
      atLengths.forEach((k, v) -> {
        String[] segments = k.split("/");
        String length = segments[1].substring("len".length());
        ObjectNode one = lengths.has(length) ? (ObjectNode) lengths.get(length) : lengths.putObject(length);
        one.put(segments[2], v);
      });
    }
    if (curriculum.enabled()) {
      s.put("curriculum_max_length", curriculum.maxLength());
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
    Map<String, Double> trainerState = parts.trainer().state();
    steps.put("pretrain", trainerState.get("mle_steps").longValue());
    steps.put("rl", trainerState.get("rl_steps").longValue());
    steps.put("total", globalStep);
    steps.put("pretrain_planned", config.pretrain().steps());
    steps.put("rl_planned", config.rl().steps());
    s.put("wall_time_s", (elapsedMillisBefore + (System.nanoTime() - startNanos) / 1_000_000) / 1000.0);
    s.set("versions", JSON.valueToTree(Provenance.versions()));
    try {
      JSON.writeValue(runDir.resolve(SUMMARY_FILE).toFile(), s);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + runDir.resolve(SUMMARY_FILE) + ": " + e.getMessage(), e);
    }
  }

  /** Maps eval/* metric names to the summary's short names (bleu, levenshtein, exact_match, chrf, ...). */
  static ObjectNode summaryMetrics(Map<String, Double> metrics) {
    ObjectNode o = JSON.createObjectNode();
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

  private static int[][] firstReferences(int[][][] references) {
    // Teacher forcing needs one target; with several references the first is the canonical one.
    int[][] t = new int[references.length][];
    for (int i = 0; i < references.length; i++) {
      t[i] = references[i][0];
    }
    return t;
  }

  private static <T> T[] pick(T[] all, int[] rows) {
    T[] out = java.util.Arrays.copyOf(all, rows.length);
    for (int i = 0; i < rows.length; i++) {
      out[i] = all[rows[i]];
    }
    return out;
  }

  @Override
  public void close() {
    parts.close();
  }
}
