package org.seqrl.experiments.config;

/**
 * What to train on. Synthetic tasks (copy, reverse, sort) draw strings over {@code alphabet} symbols;
 * dev uses the train lengths and test the test lengths, so that length generalisation shows.
 * Examples longer than the max source/target lengths are dropped (and counted) for TSV and
 * pronunciation data.
 */
public record DataConfig(Task task, int alphabet, LengthRange trainLengths, LengthRange testLengths,
                         int trainSize, int devSize, int testSize, int maxSourceLength, int maxTargetLength,
                         TsvConfig tsv, PronunciationConfig pronunciation) {
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
    if (task.isSynthetic()) {
      // Synthetic targets are as long as their sources, so both limits bound the longest string.
      int limit = Math.min(maxSourceLength, maxTargetLength);
      if (trainLengths.max() > limit) {
        throw InvalidConfigException.conflict("data.train_lengths", "max " + trainLengths.max()
            + " exceeds data.max_source_length/max_target_length " + limit + "; expected max <= " + limit);
      }
      if (testLengths.max() > limit) {
        throw InvalidConfigException.conflict("data.test_lengths", "max " + testLengths.max()
            + " exceeds data.max_source_length/max_target_length " + limit + "; expected max <= " + limit);
      }
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
        TsvConfig.defaults(), PronunciationConfig.defaults());
  }
}
