package org.seqrl.experiments.data;

import java.util.List;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.CurriculumConfig;
import org.seqrl.experiments.config.DataConfig;

/**
 * The state of {@code data.curriculum} (issue 17): the longest training length allowed now, which
 * training and dev examples it admits, and the rule that grows it. Off, it admits everything and
 * never changes. The stage is part of the training state: checkpoints save {@link #maxLength} and
 * resume {@link #restore}s it.
 */
public final class LengthCurriculum {
  private final CurriculumConfig config;
  private final int longest;
  private final int[] trainLengths;
  private final int[] devLengths;
  private int maxLength;

  /** @param train the run's training examples; @param dev the dev examples it evaluates, in order */
  public LengthCurriculum(DataConfig data, List<Example> train, List<Example> dev) {
    this.config = data.curriculum();
    this.longest = data.trainLengths().max();
    this.trainLengths = lengths(data, train);
    this.devLengths = lengths(data, dev);
    this.maxLength = config.enabled() ? config.start() : longest;
    if (config.enabled() && rows(trainLengths, maxLength).length == 0) {
      throw new UserInputException("data.curriculum.start: " + maxLength + " admits none of the " + train.size()
          + " training examples (no length <= " + maxLength + "); expected a larger start or data.train_size");
    }
  }

  private static int[] lengths(DataConfig data, List<Example> examples) {
    int[] out = new int[examples.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.task().lengthOf(examples.get(i).source(), data.algorithmic());
    }
    return out;
  }

  public boolean enabled() {
    return config.enabled();
  }

  /** The longest training length of the current stage. */
  public int maxLength() {
    return maxLength;
  }

  /** Whether the stage has reached {@code data.train_lengths}' max (or the curriculum is off). */
  public boolean complete() {
    return maxLength >= longest;
  }

  /** Indices of the training examples the stage admits (all of them once complete). */
  public int[] trainRows() {
    return rows(trainLengths, maxLength);
  }

  /** Where the stage's metric is measured: rows of the dev split, or of the train split. */
  public record Measure(String split, int[] rows) {}

  /** At most this many training examples stand in for a stage without dev examples. */
  static final int TRAIN_STAND_IN = 200;

  /**
   * The dev examples of admitted lengths; when dev has none (dev avoids train strings, so with a small
   * alphabet every short string is in train), the first {@value #TRAIN_STAND_IN} training examples of the
   * stage, so that the curriculum measures what it trains on rather than waiting on nothing.
   */
  public Measure measuredOn() {
    int[] dev = rows(devLengths, maxLength);
    if (dev.length > 0) {
      return new Measure("dev", dev);
    }
    int[] train = trainRows();
    return new Measure("train", java.util.Arrays.copyOf(train, Math.min(train.length, TRAIN_STAND_IN)));
  }

  /**
   * After an evaluation: grows the stage by {@code step} (up to the max) when {@code value} of the
   * curriculum metric passes the threshold. Returns whether it grew.
   */
  public boolean update(double value) {
    if (!config.enabled() || complete() || !config.passes(value)) {
      return false;
    }
    maxLength = Math.min(longest, maxLength + config.step());
    return true;
  }

  /** Sets the stage saved in a checkpoint. */
  public void restore(int savedMaxLength) {
    int least = config.enabled() ? config.start() : longest;
    if (savedMaxLength < least || savedMaxLength > longest) {
      throw new IllegalArgumentException("curriculum stage " + savedMaxLength + " does not fit this run's lengths "
          + least + ".." + longest);
    }
    maxLength = savedMaxLength;
  }

  private static int[] rows(int[] lengths, int max) {
    return java.util.stream.IntStream.range(0, lengths.length).filter(i -> lengths[i] <= max).toArray();
  }
}
