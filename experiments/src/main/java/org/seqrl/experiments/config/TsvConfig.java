package org.seqrl.experiments.config;

import java.nio.file.Path;
import org.seqrl.experiments.data.TokenLevel;

/**
 * A TSV data set: {@code source<TAB>reference[<TAB>reference...]}. Relative paths are resolved
 * against the config file's folder. Dev and test come from their own files when given, otherwise
 * they are split off train by seed with the given fractions.
 */
public record TsvConfig(Path train, Path dev, Path test, double devFraction, double testFraction,
                        TokenLevel level, BadLines badLines, int vocabSize) {
  /** data.tsv.vocab_size: the most tokens a bpe tokenizer may have (per side), unused by char and word. */
  public static final int DEFAULT_VOCAB_SIZE = 8000;

  public TsvConfig {
    Checks.fraction("data.tsv.dev_fraction", devFraction, false);
    Checks.fraction("data.tsv.test_fraction", testFraction, false);
    if (devFraction + testFraction >= 1) {
      throw InvalidConfigException.conflict("data.tsv.test_fraction", "dev_fraction + test_fraction = "
          + (devFraction + testFraction) + "; expected a sum < 1 so that something is left to train on");
    }
    Checks.required("data.tsv.level", level);
    Checks.required("data.tsv.bad_lines", badLines);
    // The byte-level alphabet alone has 256 tokens; the model adds its 4 reserved ids on top.
    Checks.atLeast("data.tsv.vocab_size", vocabSize, org.seqrl.experiments.data.SubwordTokenizer.MIN_VOCAB_SIZE);
  }

  public static TsvConfig defaults() {
    return new TsvConfig(null, null, null, 0.05, 0.05, TokenLevel.CHAR, BadLines.ERROR, DEFAULT_VOCAB_SIZE);
  }
}
