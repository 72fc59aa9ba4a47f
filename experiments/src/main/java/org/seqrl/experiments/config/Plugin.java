package org.seqrl.experiments.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A user's own class named in the config, e.g. {@code rl.reward: {class: com.example.MyReward,
 * args: {n: 2}}}, found on {@code plugins.path}. {@link Plugins} loads and checks it.
 *
 * @param className the class's binary name
 * @param args what its {@code (Map<String, Object>)} constructor receives; empty for a no-argument one
 */
public record Plugin(String className, Map<String, Object> args) {
  public Plugin {
    if (className == null || !className.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
      throw new IllegalArgumentException("'" + className + "' is not a Java class name");
    }
    args = Collections.unmodifiableMap(new LinkedHashMap<>(args == null ? Map.of() : args));
  }

  /** The class's simple name, for labels such as run names. */
  public String label() {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
