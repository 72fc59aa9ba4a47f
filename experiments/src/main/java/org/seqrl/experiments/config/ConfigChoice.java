package org.seqrl.experiments.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** An enum whose constants are spelled in YAML by {@link #configName()}, parsed once at the edge. */
public interface ConfigChoice {
  String configName();

  /** Parses {@code value} into a constant of {@code type}; the error names the key and lists every allowed spelling. */
  static <E extends Enum<E> & ConfigChoice> E parse(Class<E> type, String key, String what, String value) {
    for (E e : type.getEnumConstants()) {
      if (e.configName().equals(value)) {
        return e;
      }
    }
    throw new InvalidConfigException(key,
        "'" + value + "' is not " + what + "; expected one of " + allowed(type));
  }

  static <E extends Enum<E> & ConfigChoice> String allowed(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(ConfigChoice::configName).collect(Collectors.joining(", "));
  }
}
