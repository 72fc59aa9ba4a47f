package org.seqrl.experiments.config;

/**
 * Spelling-to-phonemes from the CMU pronouncing dictionary, or the other way round: a phonemes-to-spelling
 * model is the channel model p(spelling | phonemes) that noisy-channel rescoring of a spelling-to-phonemes
 * model's proposals asks for ({@code seqrl eval --channel}).
 */
public record PronunciationConfig(boolean stripStress, int maxWords, Direction direction) {
  /** Which side of the dictionary is the source. */
  public enum Direction { SPELLING_TO_PHONEMES, PHONEMES_TO_SPELLING }

  public PronunciationConfig {
    Checks.atLeast("data.pronunciation.max_words", maxWords, 10);
    Checks.required("data.pronunciation.direction", direction);
  }

  public static PronunciationConfig defaults() {
    return new PronunciationConfig(true, 20000, Direction.SPELLING_TO_PHONEMES);
  }
}
