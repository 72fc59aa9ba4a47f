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
    return switch (config.task()) {
      case COPY, REVERSE, SORT, REPEAT_COPY, ASSOCIATIVE_RECALL -> SyntheticTasks.generate(config, dataSeed);
      case TSV -> TsvLoader.load(config, baseDir, dataSeed);
      case PRONUNCIATION -> PronunciationLoader.load(config);
    };
  }
}
