package org.seqrl.experiments.config;

/** Spelling-to-phonemes from the CMU pronouncing dictionary. */
public record PronunciationConfig(boolean stripStress, int maxWords) {
  public PronunciationConfig {
    Checks.atLeast("data.pronunciation.max_words", maxWords, 10);
  }

  public static PronunciationConfig defaults() {
    return new PronunciationConfig(true, 20000);
  }
}
