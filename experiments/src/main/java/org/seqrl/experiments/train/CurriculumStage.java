package org.seqrl.experiments.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.experiments.data.BatchIterator;
import org.seqrl.experiments.data.EncodedSplit;
import org.seqrl.experiments.data.LengthCurriculum;
import org.seqrl.rl.EvaluationEvent;
import org.seqrl.rl.Evaluator;

/**
 * Where a run stands in its {@code data.curriculum}: the stage, the minibatches of the training rows
 * the stage admits, the stage's part of a checkpoint, and the {@code curriculum/*} metrics of a dev
 * evaluation. Without a curriculum there is one stage of all rows, and the batches are the run's usual ones.
 */
final class CurriculumStage {

  static final String METRIC_PREFIX = "curriculum/";

  private final SeqrlConfig config;
  private final RunComponents parts;
  private final LengthCurriculum curriculum;
  private final EncodedSplit train;
  /** Teacher forcing needs one target; with several references the first is the canonical one. */
  private final int[][] trainTargets;
  /** The training rows of the current stage; the batch iterators index into them. */
  private int[] stageRows;
  private BatchIterator pretrainBatches;
  private BatchIterator rlBatches;

  CurriculumStage(SeqrlConfig config, RunComponents parts) {
    this.config = config;
    this.parts = parts;
    this.curriculum = parts.curriculum();
    this.train = parts.train();
    this.trainTargets = firstReferences(train.references());
    useStage();
  }

  /**
   * Minibatches over the training rows of the current stage, in an order of the stage's own (without a
   * curriculum: all rows, as always).
   */
  private void useStage() {
    stageRows = curriculum.trainRows();
    String stage = curriculum.enabled() ? "-stage-" + curriculum.maxLength() : "";
    pretrainBatches = parts.batches("pretrain" + stage, config.pretrain().batchSize(), stageRows);
    rlBatches = parts.batches("rl" + stage, config.rl().batchSize(), stageRows);
  }

  /** Sources and teacher-forcing targets of an MLE minibatch. */
  record MleBatch(int[][] sources, int[][] targets) {}

  /** The next MLE minibatch of the stage's rows. */
  MleBatch nextPretrainBatch() {
    int[] rows = nextRows(pretrainBatches);
    return new MleBatch(pick(train.sources(), rows), pick(trainTargets, rows));
  }

  /** The next RL minibatch of the stage's rows, with all their references. */
  EncodedSplit nextRlBatch() {
    int[] rows = nextRows(rlBatches);
    return new EncodedSplit(pick(train.sources(), rows), pick(train.references(), rows));
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
   * RL from a checkpoint (a sweep's shared pre-training) continues the curriculum where that run's
   * stage was, when this run has a curriculum the stage fits; otherwise it starts at {@code start}.
   */
  void continueFrom(Path checkpoint) {
    // rl.init_checkpoint may name the checkpoint folder or its policy folder.
    Path state = Files.isRegularFile(checkpoint.resolve(TrainingRun.STATE_FILE)) ? checkpoint.resolve(TrainingRun.STATE_FILE)
        : checkpoint.resolveSibling(TrainingRun.STATE_FILE);
    if (!curriculum.enabled() || !Files.isRegularFile(state)) {
      return;
    }
    try {
      JsonNode saved = TrainingRun.JSON.readTree(state.toFile()).path("curriculumMaxLength");
      if (saved.isInt() && saved.asInt() >= curriculum.maxLength()
          && saved.asInt() <= config.data().trainLengths().max()) {
        curriculum.restore(saved.asInt());
        useStage();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + state + ": " + e.getMessage(), e);
    }
  }

  /** Adds the stage and the batch orders to a checkpoint's run state. */
  void writeTo(ObjectNode state) {
    state.put("curriculumMaxLength", curriculum.maxLength());
    state.set("pretrainBatches", TrainingRun.JSON.valueToTree(pretrainBatches.state()));
    state.set("rlBatches", TrainingRun.JSON.valueToTree(rlBatches.state()));
  }

  /** Restores what {@link #writeTo} saved. */
  void restoreFrom(JsonNode state) throws IOException {
    // The stage decides which rows the batches index (absent before curriculums: the full range).
    if (state.has("curriculumMaxLength")) {
      curriculum.restore(state.get("curriculumMaxLength").asInt());
      useStage();
    }
    pretrainBatches.restore(TrainingRun.JSON.treeToValue(state.get("pretrainBatches"), BatchIterator.State.class));
    rlBatches.restore(TrainingRun.JSON.treeToValue(state.get("rlBatches"), BatchIterator.State.class));
  }

  /**
   * A dev evaluation with a curriculum gains {@code curriculum/max_length} (the stage trained on so far),
   * the curriculum metric on that stage's dev examples ({@code curriculum/exact_match}, say; see
   * {@link LengthCurriculum#measuredOn}) and {@code curriculum/dev_examples}; other evaluations pass as they are.
   */
  EvaluationEvent withCurriculumMetrics(EvaluationEvent event, long step) {
    if (!event.split().equals("dev") || !curriculum.enabled()) {
      return event;
    }
    Map<String, Double> metrics = new LinkedHashMap<>(event.metrics());
    String key = config.curriculumMetricKey();
    // Once complete, the stage's dev examples are all of dev: no second decode.
    LengthCurriculum.Measure on = curriculum.complete() ? null : curriculum.measuredOn();
    double value = on == null ? metrics.get(key) : parts.evaluateRows(on, step).get(key);
    metrics.put(METRIC_PREFIX + "max_length", (double) curriculum.maxLength());
    metrics.put(METRIC_PREFIX + metricName(), value);
    // How many dev examples the value is over; 0: measured on the stage's training examples instead.
    metrics.put(METRIC_PREFIX + "dev_examples", (double) (on == null ? parts.dev().sources().length
        : on.split().equals("dev") ? on.rows().length : 0));
    return new EvaluationEvent(event.step(), event.split(), metrics, event.samples());
  }

  /** After a dev evaluation: the next stage, with batches of its own, when the stage's metric passed. */
  void advance(Map<String, Double> devMetrics) {
    if (curriculum.update(devMetrics.getOrDefault(METRIC_PREFIX + metricName(), Double.NaN))) {
      useStage();
    }
  }

  /** The stage's longest training length, or null without a curriculum (the summary then omits it). */
  Integer maxLengthIfEnabled() {
    return curriculum.enabled() ? curriculum.maxLength() : null;
  }

  private static int[][] firstReferences(int[][][] references) {
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

  private String metricName() {
    return config.curriculumMetricKey().substring(Evaluator.PREFIX.length());
  }
}
