package org.seqrl.experiments.data;

import java.nio.file.Path;
import org.seqrl.experiments.config.DataConfig;

/** Builds the dataset a config asks for; nothing is downloaded at run time. */
public final class Datasets {
  private Datasets() {}

  /**
   * @param baseDir resolves relative TSV paths (configs from {@code ConfigLoader} already hold absolute ones)
   * @param dataSeed e.g. {@code Seeds.derive(config.seed(), Seeds.DATA)}; the pronunciation split ignores it
   */
  public static Dataset load(DataConfig config, Path baseDir, long dataSeed) {
    return load(config, baseDir, dataSeed, null);
  }

  /**
   * The fixed-length test sets of {@code data.test_lengths_each}, in the order listed (empty when none
   * are configured); {@code dataset} is the run's, whose train sources they avoid.
   */
  public static java.util.LinkedHashMap<Integer, java.util.List<Example>> testsAtLengths(DataConfig config,
      long dataSeed, Dataset dataset) {
    var sets = new java.util.LinkedHashMap<Integer, java.util.List<Example>>();
    for (int length : config.testLengthsEach()) {
      sets.put(length, SyntheticTasks.atLength(config, dataSeed, length, dataset.train()));
    }
    return sets;
  }

  /**
   * @param tokenizerDir for {@code data.tsv.level: bpe}: the folder that holds the run's tokenizers, which are
   *     loaded from it when there and trained into it otherwise (null: trained into a temporary folder)
   */
  public static Dataset load(DataConfig config, Path baseDir, long dataSeed, Path tokenizerDir) {
    return switch (config.task()) {
      case COPY, REVERSE, SORT, REPEAT_COPY, ASSOCIATIVE_RECALL -> SyntheticTasks.generate(config, dataSeed);
      case TSV -> TsvLoader.load(config, baseDir, dataSeed, tokenizerDir);
      case PRONUNCIATION -> PronunciationLoader.load(config);
    };
  }
}
