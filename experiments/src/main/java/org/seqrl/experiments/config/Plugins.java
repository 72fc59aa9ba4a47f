package org.seqrl.experiments.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.seqrl.rl.Reward;
import org.seqrl.rl.RewardKind;

/**
 * Loads the classes a config names ({@link Plugin}) from the jars and class folders of
 * {@code plugins.path}, on top of SeqRL's own classes, so that a user's reward or baseline written
 * against rl-core's interfaces needs no change to SeqRL. A class is made with its public
 * {@code (Map<String, Object> args)} constructor, or its public no-argument one when there are no
 * args. Rewards are also found by name through {@link ServiceLoader} ({@link #reward}). Every failure is an
 * {@link InvalidConfigException} naming the key, the class and the fix.
 */
public final class Plugins {
  private Plugins() {}

  /** A class loader over {@code path} (jars and folders), parented by SeqRL's own. */
  public static ClassLoader loader(List<Path> path) {
    if (path.isEmpty()) {
      return Plugins.class.getClassLoader();
    }
    URL[] urls = new URL[path.size()];
    for (int i = 0; i < urls.length; i++) {
      Path p = path.get(i);
      if (!Files.exists(p)) {
        throw new InvalidConfigException("plugins.path", "'" + p + "' does not exist; expected jars or folders of "
            + "compiled classes");
      }
      try {
        urls[i] = p.toUri().toURL();
      } catch (MalformedURLException e) {
        throw new UncheckedIOException(new IOException("cannot use " + p + " as a class path entry", e));
      }
    }
    return new URLClassLoader("seqrl-plugins", urls, Plugins.class.getClassLoader());
  }

  /**
   * The reward of a term of {@code rl.reward} that is not built in: its plug-in class made with its args, or the
   * reward that {@link ServiceLoader} finds under the term's name (in {@code META-INF/services/org.seqrl.rl.Reward}
   * of the jars and folders on {@code plugins.path} or on SeqRL's own class path).
   */
  public static Reward reward(RewardPlugin term, ClassLoader loader, List<Path> path) {
    if (term.plugin() != null) {
      return create(term.plugin(), Reward.class, loader, term.key(), path);
    }
    Map<String, Reward> found = services(loader, term.key());
    Reward reward = found.get(term.label());
    if (reward == null) {
      throw new InvalidConfigException(term.key(), "'" + term.label() + "' is not a reward; expected one of "
          + ConfigChoice.allowed(RewardKind.class) + ", or the name of a reward that ServiceLoader finds on plugins.path "
          + path + " or the class path (" + (found.isEmpty() ? "none found" : "found: " + String.join(", ", found.keySet()))
          + "), or {class: com.example.MyReward, weight: 0.5}");
    }
    return reward;
  }

  /** Every reward that {@link ServiceLoader} finds through {@code loader}, by its name (first one wins). */
  static Map<String, Reward> services(ClassLoader loader, String key) {
    Map<String, Reward> byName = new TreeMap<>();
    try {
      for (Reward r : ServiceLoader.load(Reward.class, loader)) {
        byName.putIfAbsent(r.name(), r);
      }
    } catch (ServiceConfigurationError e) {
      // A listed provider that is missing, not a Reward, or whose constructor throws.
      throw new InvalidConfigException(key, "a ServiceLoader reward on plugins.path or the class path cannot be made ("
          + e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()) + "); expected each class "
          + "named in META-INF/services/org.seqrl.rl.Reward to implement it with a public no-argument constructor");
    }
    return byName;
  }

  /** Makes an instance of {@code plugin}, which must implement {@code role}; {@code key} names it in errors. */
  public static <T> T create(Plugin plugin, Class<T> role, ClassLoader loader, String key, List<Path> path) {
    Class<?> type;
    try {
      type = Class.forName(plugin.className(), true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new InvalidConfigException(key + ".class", "no class '" + plugin.className() + "' on plugins.path "
          + path + (e instanceof LinkageError ? " (" + e + ")" : "") + "; expected a jar or folder that holds it");
    }
    if (!role.isAssignableFrom(type)) {
      throw new InvalidConfigException(key + ".class", "'" + plugin.className() + "' does not implement "
          + role.getName() + "; expected a class that does");
    }
    if (Modifier.isAbstract(type.getModifiers())) {
      throw new InvalidConfigException(key + ".class", "'" + plugin.className() + "' is abstract; expected a class "
          + "that can be instantiated");
    }
    Constructor<?> constructor;
    Object[] arguments;
    try {
      constructor = type.getConstructor(Map.class);
      arguments = new Object[] {plugin.args()};
    } catch (NoSuchMethodException e) {
      try {
        constructor = type.getConstructor();
        arguments = new Object[0];
      } catch (NoSuchMethodException e2) {
        throw new InvalidConfigException(key + ".class", "'" + plugin.className() + "' has no public constructor "
            + "(Map<String, Object> args) or (); expected one of them");
      }
      if (!plugin.args().isEmpty()) {
        throw new InvalidConfigException(key + ".args", plugin.args() + " cannot be passed to '" + plugin.className()
            + "', which has only a no-argument constructor; expected no args, or a (Map<String, Object> args) constructor");
      }
    }
    try {
      return role.cast(constructor.newInstance(arguments));
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw new InvalidConfigException(key + ".args", plugin.args() + " rejected by '" + plugin.className() + "': "
          + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
    } catch (ReflectiveOperationException e) {
      throw new InvalidConfigException(key + ".class", "cannot instantiate '" + plugin.className() + "': " + e);
    }
  }
}
