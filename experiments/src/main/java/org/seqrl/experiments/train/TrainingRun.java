package org.seqrl.experiments.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.RlStart;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.experiments.data.EncodedSplit;
import org.seqrl.rl.EvaluationEvent;
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
  /** data.curriculum: which training rows the stage admits, and the minibatches over them. */
  private final CurriculumStage stage;
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
    this.bestKey = config.bestMetricKey();
    this.stage = new CurriculumStage(config, parts);
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
      CheckpointStore.copyTokenizers(checkpoint, runDir.resolve(TOKENIZER_DIR));
    }
    ListenerHub hub = new ListenerHub();
    RunComponents parts = RunComponents.build(config, configBaseDir, hub, runDir.resolve(TOKENIZER_DIR));
    TrainingRun run = new TrainingRun(config, runDir, parts, hub);
    init.ifPresent(run::startRlFrom);
    return run;
  }

  /**
   * RL from {@code rl.init_checkpoint}: its policy and its curriculum stage, no pre-training. A checkpoint from
   * the middle of pre-training with a weight average stands for that average (as {@code seqrl eval} scores it).
   */
  private void startRlFrom(Path init) {
    parts.restorePolicyFrom(init);
    if (parts.policy().hasAverage()) {
      parts.policy().adoptAverage();
    }
    stage.continueFrom(init);
    phase = Phase.RL;
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
    } else {
      // Stopped before its first checkpoint: begin again as start() did, or RL would start from an
      // untrained policy (seen in a sweep cell that crashed after its step-0 evaluation).
      Optional.ofNullable(config.rl().initCheckpoint()).map(baseDir::resolve).ifPresent(run::startRlFrom);
    }
    return run;
  }

  public SeqrlConfig config() {
    return config;
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
      if (parts.policy().hasAverage()) {
        // pretrain.ema_decay: what was evaluated, and what RL and the final model go on from, is the average
        parts.policy().adoptAverage();
      }
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
        CurriculumStage.MleBatch batch = stage.nextPretrainBatch();
        parts.trainer().mleStep(batch.sources(), batch.targets());
        if (config.pretrain().emaDecay() > 0) {
          parts.policy().updateAverage(config.pretrain().emaDecayAt(phaseStep));
        }
      } else {
        EncodedSplit batch = stage.nextRlBatch();
        parts.trainer().rlStep(batch.sources(), batch.references());
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
    // pre-training with pretrain.ema_decay evaluates the weight average, and a best checkpoint is that model
    boolean averaged = phase == Phase.PRETRAIN && parts.policy().hasAverage();
    Map<String, Double> metrics;
    if (averaged) {
      parts.policy().swapAverage();
    }
    try {
      metrics = evaluate("dev");
      updateBest(metrics, startNanos);
    } finally {
      if (averaged) {
        parts.policy().swapAverage();
      }
    }
    stage.advance(metrics);
    lastEvaluation = metrics;
    lastEvaluationStep = globalStep;
    return metrics;
  }

  /** Evaluates on a split (dev with a curriculum: the curriculum/* metrics too), tells the listeners, returns the metrics. */
  private Map<String, Double> evaluate(String split) {
    EvaluationEvent event = stage.withCurriculumMetrics(parts.evaluate(split, globalStep), globalStep);
    listeners.onEvaluation(event);
    return event.metrics();
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
    stage.writeTo(s);
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
      beforeRl = doubles(s.get("beforeRl"));
      // Absent in checkpoints written before the best evaluation's metrics were kept.
      bestMetrics = doubles(s.path("bestMetrics"));
      // Absent in checkpoints written before early stopping existed.
      phaseBest = s.path("phaseBest").asDouble(Double.NaN);
      evaluationsWithoutImprovement = s.path("evaluationsWithoutImprovement").asInt(0);
      phaseEnds.clear();
      s.path("phaseEnds").fields().forEachRemaining(e -> phaseEnds.put(e.getKey(), e.getValue().asText()));
      parts.trainer().restore(doubles(s.get("trainer")));
      stage.restoreFrom(s);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore the checkpoint in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A JSON object of numbers as a map in the saved order; empty for a missing node. */
  private static Map<String, Double> doubles(JsonNode object) {
    Map<String, Double> out = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
    return out;
  }

  private void writeSummary(Map<String, Double> finalMetrics, Map<String, Double> atLengths, long startNanos) {
    double wallTimeSeconds = (elapsedMillisBefore + (System.nanoTime() - startNanos) / 1_000_000) / 1000.0;
    new RunSummary(config, beforeRl, finalMetrics, atLengths, stage.maxLengthIfEnabled(), bestKey, bestValue, bestStep,
        bestMetrics, phaseEnds, parts.trainer().state(), globalStep, wallTimeSeconds).write(runDir.resolve(SUMMARY_FILE));
  }

  @Override
  public void close() {
    parts.close();
  }
}
