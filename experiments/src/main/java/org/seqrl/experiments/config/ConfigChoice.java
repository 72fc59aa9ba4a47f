package org.seqrl.experiments.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a choice is spelled in YAML. Every choice is an enum of the module that acts on it
 * (a baseline is rl-core's {@code BaselineKind}, a cell is agents' {@code Seq2SeqConfig.CellType},
 * ...), parsed once here; its spelling is the constant's name in lower case with '-' for '_'
 * ({@code MOVING_AVERAGE} is {@code moving-average}), so that no module keeps a copy of another's list.
 */
public final class ConfigChoice {
  private ConfigChoice() {}

  /** The YAML spelling of a constant. */
  public static String spelling(Enum<?> choice) {
    return choice.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses {@code value} into a constant of {@code type}; the error names the key and lists every allowed spelling. */
  public static <E extends Enum<E>> E parse(Class<E> type, String key, String what, String value) {
    for (E e : type.getEnumConstants()) {
      if (spelling(e).equals(value)) {
        return e;
      }
    }
    throw new InvalidConfigException(key, "'" + value + "' is not " + what + "; expected one of " + allowed(type));
  }

  /** Every spelling of {@code type}, comma-separated, in declaration order. */
  public static <E extends Enum<E>> String allowed(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(ConfigChoice::spelling).collect(Collectors.joining(", "));
  }
}
