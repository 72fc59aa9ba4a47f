package org.seqrl.experiments.config;

import static org.seqrl.experiments.config.ConfigLoader.parentOf;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where values came from, to prefix errors with FILE:LINE or the --set option. */
final class ConfigOrigin {
  final String name;
  final Path baseDir;
  final Map<String, Integer> lines = new LinkedHashMap<>();
  final Map<String, String> overrides = new LinkedHashMap<>();

  ConfigOrigin(String name, Path baseDir) {
    this.name = name;
    this.baseDir = baseDir;
  }

  String overrideFor(String key) {
    String found = null;
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String o = e.getKey();
      if (key.equals(o) || key.startsWith(o + ".") || o.startsWith(key + ".")) {
        found = e.getValue();
      }
    }
    return found;
  }

  String where(String key) {
    String override = overrideFor(key);
    if (override != null) {
      return override;
    }
    for (String k = key; !k.isEmpty(); k = parentOf(k)) {
      Integer line = lines.get(k);
      if (line != null) {
        return name + ":" + line;
      }
    }
    return name;
  }

  Path resolve(String key, String text) {
    Path path = Path.of(text);
    if (overrideFor(key) != null) {
      return path.toAbsolutePath().normalize();
    }
    return baseDir == null ? path : baseDir.resolve(path).normalize();
  }
}
