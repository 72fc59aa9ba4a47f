package org.seqrl.experiments.config;

import java.nio.file.Path;
import java.util.List;

/** Where the classes named by {@code class:} settings are found: jars and class folders. */
public record PluginsConfig(List<Path> path) {
  public PluginsConfig {
    Checks.required("plugins.path", path);
    path = List.copyOf(path);
  }

  public static PluginsConfig defaults() {
    return new PluginsConfig(List.of());
  }
}
