package org.seqrl.experiments.config;

import java.util.List;

/**
 * What to train on. Synthetic tasks (copy, reverse, sort) draw strings over {@code alphabet} symbols;
 * dev uses the train lengths and test the test lengths, so that length generalisation shows.
 * Examples longer than the max source/target lengths are dropped (and counted) for TSV and
 * pronunciation data. {@code testLengthsEach} are extra test sets of one length each (evaluated
 * apart, {@code test/len<L>/...}); {@code curriculum} grows the training lengths as dev results allow.
 */
public record DataConfig(Task task, int alphabet, LengthRange trainLengths, LengthRange testLengths,
                         int trainSize, int devSize, int testSize, int maxSourceLength, int maxTargetLength,
                         TsvConfig tsv, PronunciationConfig pronunciation, AlgorithmicConfig algorithmic,
                         List<Integer> testLengthsEach, CurriculumConfig curriculum, int lengthPool) {
  /** Beyond this the synthetic tokens stop being short readable names. */
  public static final int MAX_ALPHABET = 1000;

  public DataConfig {
    Checks.required("data.task", task);
    Checks.between("data.alphabet", alphabet, 2, MAX_ALPHABET);
    Checks.required("data.train_lengths", trainLengths);
    Checks.required("data.test_lengths", testLengths);
    Checks.atLeast("data.train_size", trainSize, 1);
    Checks.atLeast("data.dev_size", devSize, 1);
    Checks.atLeast("data.test_size", testSize, 1);
    Checks.atLeast("data.max_source_length", maxSourceLength, 1);
    Checks.atLeast("data.max_target_length", maxTargetLength, 1);
    Checks.required("data.tsv", tsv);
    Checks.required("data.pronunciation", pronunciation);
    Checks.required("data.algorithmic", algorithmic);
    Checks.required("data.curriculum", curriculum);
    if (lengthPool == 1 || lengthPool < 0) {
      throw new InvalidConfigException("data.length_pool", lengthPool + " is not a pool size; expected 0 (random batches)"
          + " or a number of batches >= 2, whose examples are sorted by length into batches (e.g. 50)");
    }
    testLengthsEach = List.copyOf(Checks.required("data.test_lengths_each", testLengthsEach));
    checkTestLengthsEach(testLengthsEach, task, maxSourceLength, maxTargetLength, algorithmic);
    checkCurriculum(curriculum, task, trainLengths);
    if (task.isSynthetic()) {
      checkLongest("data.train_lengths", trainLengths, maxSourceLength, maxTargetLength, task, algorithmic);
      checkLongest("data.test_lengths", testLengths, maxSourceLength, maxTargetLength, task, algorithmic);
    }
    if (task == Task.ASSOCIATIVE_RECALL && trainLengths.min() < 2) {
      throw InvalidConfigException.conflict("data.train_lengths", "min " + trainLengths.min()
          + " items leaves nothing to recall for associative-recall; expected min >= 2");
    }
    if (task == Task.ASSOCIATIVE_RECALL && testLengths.min() < 2) {
      throw InvalidConfigException.conflict("data.test_lengths", "min " + testLengths.min()
          + " items leaves nothing to recall for associative-recall; expected min >= 2");
    }
    if (task != Task.TSV && (tsv.train() != null || tsv.dev() != null || tsv.test() != null)) {
      // Without task: tsv the files are never read and the run trains on the task named instead.
      String key = tsv.train() != null ? "train" : tsv.dev() != null ? "dev" : "test";
      throw InvalidConfigException.conflict("data.tsv." + key, "is set but data.task is "
          + ConfigChoice.spelling(task) + ", which does not read TSV files; expected data.task: tsv, or no data.tsv paths");
    }
    if (task == Task.TSV && tsv.train() == null) {
      throw InvalidConfigException.conflict("data.task", "'tsv' needs data.tsv.train, which is missing; expected "
          + "the path of a file of source<TAB>reference lines");
    }
  }

  public static DataConfig defaults() {
    LengthRange lengths = new LengthRange(3, 8);
    return new DataConfig(Task.REVERSE, 10, lengths, lengths, 5000, 200, 200, 40, 40,
        TsvConfig.defaults(), PronunciationConfig.defaults(), AlgorithmicConfig.defaults(), List.of(),
        CurriculumConfig.defaults(), 0);
  }

  /** At most this many fixed test lengths: each is a test set of its own, decoded at the end of a run. */
  public static final int MAX_TEST_LENGTHS = 20;

  /** {@code data.test_lengths_each}: distinct lengths a synthetic task can make within the max lengths. */
  private static void checkTestLengthsEach(List<Integer> lengths, Task task, int maxSource, int maxTarget,
                                           AlgorithmicConfig algorithmic) {
    String key = "data.test_lengths_each";
    if (lengths.isEmpty()) {
      return;
    }
    if (!task.isSynthetic()) {
      throw InvalidConfigException.conflict(key, lengths + " needs a synthetic task, but data.task is "
          + ConfigChoice.spelling(task) + "; expected data.task copy, reverse, sort, repeat-copy or associative-recall, "
          + "or no data.test_lengths_each");
    }
    if (lengths.size() > MAX_TEST_LENGTHS) {
      throw new InvalidConfigException(key, lengths.size() + " lengths are too many; expected at most " + MAX_TEST_LENGTHS);
    }
    int least = task == Task.ASSOCIATIVE_RECALL ? 2 : 1;
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int length : lengths) {
      if (length < least) {
        throw new InvalidConfigException(key, "length " + length + " is out of range; expected integers >= " + least
            + (least == 2 ? " (associative-recall needs two items)" : ""));
      }
      if (!seen.add(length)) {
        throw new InvalidConfigException(key, "length " + length + " is listed twice; expected distinct lengths, "
            + "e.g. [30, 50, 80, 120]");
      }
      checkLongest(key, new LengthRange(length, length), maxSource, maxTarget, task, algorithmic);
    }
  }

  /** {@code data.curriculum.start} must lie inside the train lengths, below their max, on a synthetic task. */
  private static void checkCurriculum(CurriculumConfig curriculum, Task task, LengthRange train) {
    if (!curriculum.enabled()) {
      return;
    }
    if (!task.isSynthetic()) {
      throw InvalidConfigException.conflict("data.curriculum.start", curriculum.start() + " needs a synthetic task, but "
          + "data.task is " + ConfigChoice.spelling(task) + "; expected data.curriculum.start 0 (off) for it");
    }
    if (curriculum.start() < train.min() || curriculum.start() >= train.max()) {
      throw InvalidConfigException.conflict("data.curriculum.start", curriculum.start() + " is outside data.train_lengths "
          + train + "; expected a first max length from " + train.min() + " to " + (train.max() - 1)
          + ", or 0 to turn the curriculum off");
    }
  }

  /** The longest source and target a synthetic task makes from {@code lengths} must fit the max lengths. */
  private static void checkLongest(String key, LengthRange lengths, int maxSource, int maxTarget, Task task,
                                   AlgorithmicConfig algorithmic) {
    int[] longest = task.longest(lengths.max(), algorithmic);
    if (longest[0] > maxSource || longest[1] > maxTarget) {
      throw InvalidConfigException.conflict(key, "max " + lengths.max() + " makes sources of up to " + longest[0]
          + " and targets of up to " + longest[1] + " tokens for " + ConfigChoice.spelling(task)
          + ", beyond data.max_source_length " + maxSource + " / data.max_target_length " + maxTarget
          + "; expected a smaller max or larger limits");
    }
  }
}
