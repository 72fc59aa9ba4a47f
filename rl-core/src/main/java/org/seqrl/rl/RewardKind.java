package org.seqrl.rl;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The built-in rewards, by the names configs use. */
public enum RewardKind {
  BLEU("bleu"),
  LEVENSHTEIN("levenshtein"),
  LEVENSHTEIN_NORMALIZED("levenshtein-normalized"),
  CHRF("chrf"),
  EXACT_MATCH("exact-match"),
  SACREBLEU("sacrebleu"),
  LENGTH_PENALTY("length-penalty"),
  REPETITION_PENALTY("repetition-penalty"),
  SYMBOL_ERROR("symbol-error");

  private final String configName;

  RewardKind(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static RewardKind parse(String name) {
    for (RewardKind k : values()) {
      if (k.configName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not a reward; expected one of "
        + Arrays.stream(values()).map(RewardKind::configName).collect(Collectors.joining(", ")));
  }
}
