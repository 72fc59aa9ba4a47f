package org.seqrl.experiments.config;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders plain Java values (from YAML) back into YAML flow syntax, for override strings and flat params. */
final class YamlValues {
  private YamlValues() {}

  static String flow(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof List<?> list) {
      return list.stream().map(YamlValues::flow).collect(Collectors.joining(", ", "[", "]"));
    }
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream().map(e -> flow(e.getKey()) + ": " + flow(e.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    String text = value.toString();
    if (value instanceof String && !text.matches("[A-Za-z0-9_./+-]+")) {
      // Quote anything that YAML could read as structure (commas, colons, brackets, spaces).
      return "'" + text.replace("'", "''") + "'";
    }
    return text;
  }
}
