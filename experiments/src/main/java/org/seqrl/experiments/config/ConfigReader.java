package org.seqrl.experiments.config;

import static org.seqrl.experiments.config.ConfigLoader.MAPPER;
import static org.seqrl.experiments.config.ConfigLoader.NODES;
import static org.seqrl.experiments.config.ConfigLoader.describe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrl.rl.RewardKind;

/** Reads typed values from one section of the tree; a missing key gives the default. */
final class ConfigReader {
  private final ObjectNode node;
  private final String prefix;
  private final ConfigOrigin origin;

  ConfigReader(ObjectNode node, String prefix, ConfigOrigin origin) {
    this.node = node;
    this.prefix = prefix;
    this.origin = origin;
  }

  ConfigReader section(String name) {
    JsonNode child = node.get(name);
    return new ConfigReader(child instanceof ObjectNode o ? o : NODES.objectNode(), prefix + name + ".", origin);
  }

  private JsonNode get(String name) {
    return node.get(name);
  }

  private InvalidConfigException wrong(String name, JsonNode value, String expected) {
    return new InvalidConfigException(prefix + name, describe(value) + " is not " + expected + "; expected "
        + expected);
  }

  int integer(String name, int def) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (v.isIntegralNumber() && v.canConvertToInt()) {
      return v.intValue();
    }
    throw wrong(name, v, "an integer");
  }

  long longValue(String name, long def) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    throw wrong(name, v, "an integer");
  }

  double number(String name, double def) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isTextual()) {
      // YAML 1.1 reads 1e-5 (no dot) as text; accept what Java reads as a number.
      try {
        return Double.parseDouble(v.asText().trim());
      } catch (NumberFormatException e) {
        // fall through to the error
      }
    }
    throw wrong(name, v, "a number");
  }

  boolean bool(String name, boolean def) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    throw new InvalidConfigException(prefix + name, describe(v) + " is not a boolean; expected true or false");
  }

  String string(String name, String def) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (v.isNull()) {
      return null;
    }
    if (v.isValueNode()) {
      return v.asText();
    }
    throw wrong(name, v, "a string");
  }

  /** {@code model.graph_names.step_states}: a mapping {@code {PLACEHOLDER: {initial: NAME, next: NAME or null}}}, or null. */
  Map<String, GraphConfig.StepState> stepStates(String name, Map<String, GraphConfig.StepState> def) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (v.isNull()) {
      return null;
    }
    String shape = "a mapping {STATE_PLACEHOLDER: {initial: OUTPUT, next: OUTPUT or null}, ...}";
    if (!v.isObject()) {
      throw wrong(name, v, shape);
    }
    Map<String, GraphConfig.StepState> states = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix + name + "." + e.getKey();
      JsonNode st = e.getValue();
      if (!st.isObject()) {
        throw new InvalidConfigException(key, describe(st) + " is not a state; expected {initial: OUTPUT, next: OUTPUT or null}");
      }
      for (Iterator<String> f = st.fieldNames(); f.hasNext(); ) {
        String field = f.next();
        if (!field.equals("initial") && !field.equals("next")) {
          throw new InvalidConfigException(key + "." + field, "unknown key; expected initial or next");
        }
      }
      ConfigReader one = new ConfigReader((ObjectNode) st, key + ".", origin);
      states.put(e.getKey(), new GraphConfig.StepState(one.string("initial", null), one.string("next", null)));
    }
    return states;
  }

  /** A {@code {class: NAME, args: {...}}} value as a plug-in, or null for any other value. */
  Plugin plugin(String name) {
    JsonNode v = get(name);
    if (v == null || !v.isObject() || !v.has("class")) {
      return null;
    }
    for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!field.equals("class") && !field.equals("args")) {
        throw new InvalidConfigException(prefix + name + "." + field, "unknown key of a plug-in; expected class "
            + "and args");
      }
    }
    JsonNode args = v.get("args");
    if (args != null && !args.isNull() && !args.isObject()) {
      throw new InvalidConfigException(prefix + name + ".args", describe(args) + " is not a mapping of arguments; "
          + "expected e.g. args: {n: 2}");
    }
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> argMap = args == null || args.isNull() ? Map.of() : MAPPER.convertValue(args, Map.class);
      return new Plugin(v.get("class").asText(), argMap);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(prefix + name + ".class", e.getMessage() + "; expected a class name such as "
          + "com.example.MyReward");
    }
  }

  List<Path> paths(String name, List<Path> def) {
    JsonNode v = get(name);
    if (v == null || v.isNull()) {
      return def;
    }
    List<JsonNode> items = new ArrayList<>();
    if (v.isArray()) {
      v.forEach(items::add);
    } else {
      items.add(v);
    }
    List<Path> out = new ArrayList<>();
    for (JsonNode item : items) {
      if (!item.isTextual() || item.asText().isBlank()) {
        throw new InvalidConfigException(prefix + name, describe(item) + " is not a path; expected a list of jars "
            + "or class folders");
      }
      out.add(origin.resolve(prefix + name, item.asText()));
    }
    return out;
  }

  Path path(String name, Path def) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (v.isNull()) {
      return null;
    }
    if (v.isTextual() && !v.asText().isBlank()) {
      return origin.resolve(prefix + name, v.asText());
    }
    throw wrong(name, v, "a path");
  }

  <E extends Enum<E>> E choice(String name, E def, Class<E> type, String what) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (v.isValueNode() && !v.isNull()) {
      return ConfigChoice.parse(type, prefix + name, what, v.asText());
    }
    // Let the enum list what is allowed, with the offending value shown as YAML.
    return ConfigChoice.parse(type, prefix + name, what, describe(v));
  }

  /** A choice that may be left empty (null) to mean "decided elsewhere". */
  <E extends Enum<E>> E optionalChoice(String name, E def, Class<E> type, String what) {
    JsonNode v = get(name);
    return v != null && v.isNull() ? null : choice(name, def, type, what);
  }

  /** A list of integers, e.g. {@code [30, 50, 80, 120]}; {@code []} or null is the empty list. */
  List<Integer> integers(String name, List<Integer> def) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (v.isNull()) {
      return List.of();
    }
    if (v.isArray()) {
      List<Integer> out = new ArrayList<>();
      for (JsonNode item : v) {
        if (!item.isIntegralNumber() || !item.canConvertToInt()) {
          throw new InvalidConfigException(prefix + name, describe(item) + " in " + v + " is not an integer; expected "
              + "a list of integers, e.g. [30, 50, 80, 120]");
        }
        out.add(item.intValue());
      }
      return out;
    }
    throw new InvalidConfigException(prefix + name, describe(v) + " is not a list of integers; expected e.g. "
        + "[30, 50, 80, 120]");
  }

  LengthRange range(String name, LengthRange def) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (v.isArray() && v.size() == 2 && v.get(0).isIntegralNumber() && v.get(1).isIntegralNumber()) {
      try {
        return new LengthRange(v.get(0).intValue(), v.get(1).intValue());
      } catch (InvalidConfigException e) {
        throw new InvalidConfigException(prefix + name, e.problem());
      }
    }
    throw new InvalidConfigException(prefix + name, describe(v) + " is not a length range; expected [min, max] "
        + "with integers 1 <= min <= max");
  }

  Map<RewardKind, Double> reward(String name, Map<RewardKind, Double> def) {
    JsonNode v = get(name);
    if (v == null) {
      return def;
    }
    if (plugin(name) != null) {
      return Map.of();
    }
    if (v.isTextual()) {
      // A name that is not built in is a ServiceLoader reward (rewardPlugins), looked up when the config is built.
      return isBuiltIn(v.asText()) ? Map.of(ConfigChoice.parse(RewardKind.class, prefix + name, "a reward", v.asText()),
          1.0) : Map.of();
    }
    if (v.isObject() && v.size() > 0) {
      Map<RewardKind, Double> weights = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!isBuiltIn(e.getKey())) {
          continue;
        }
        RewardKind kind = ConfigChoice.parse(RewardKind.class, prefix + name, "a reward", e.getKey());
        if (!e.getValue().isNumber()) {
          throw new InvalidConfigException(prefix + name + "." + e.getKey(), describe(e.getValue())
              + " is not a weight; expected a number");
        }
        weights.put(kind, e.getValue().doubleValue());
      }
      return weights;
    }
    throw new InvalidConfigException(prefix + name, describe(v) + " is not a reward; expected a name ("
        + ConfigChoice.allowed(RewardKind.class) + ") or a map of name: weight");
  }

  private static boolean isBuiltIn(String rewardName) {
    for (RewardKind kind : RewardKind.values()) {
      if (ConfigChoice.spelling(kind).equals(rewardName)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The terms of a reward that are not built in: a name that is no built-in reward (alone, or as a key with a
   * weight), or {@code label: {class: C, args: {...}, weight: w}} inside a weighted sum.
   */
  List<RewardPlugin> rewardPlugins(String name) {
    JsonNode v = get(name);
    List<RewardPlugin> terms = new ArrayList<>();
    if (v == null || plugin(name) != null) {
      return terms;
    }
    if (v.isTextual() && !isBuiltIn(v.asText())) {
      terms.add(new RewardPlugin(v.asText(), null, 1.0));
    }
    if (v.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String label = e.getKey();
        JsonNode value = e.getValue();
        if (isBuiltIn(label)) {
          continue;
        }
        if (value.isNumber()) {
          terms.add(new RewardPlugin(label, null, value.doubleValue()));
        } else if (value.isObject() && value.has("class")) {
          JsonNode weight = value.get("weight");
          if (weight == null || !weight.isNumber()) {
            throw new InvalidConfigException(prefix + name + "." + label + ".weight", (weight == null ? "missing"
                : describe(weight) + " is not a number") + "; expected the term's weight, e.g. {class: "
                + value.get("class").asText() + ", weight: 0.5}");
          }
          ObjectNode withoutWeight = ((ObjectNode) value).deepCopy();
          withoutWeight.remove("weight");
          ObjectNode holder = MAPPER.createObjectNode();
          holder.set(label, withoutWeight);
          Plugin plugin = new ConfigReader(holder, prefix + name + ".", origin).plugin(label);
          terms.add(new RewardPlugin(label, plugin, weight.doubleValue()));
        } else {
          throw new InvalidConfigException(prefix + name + "." + label, describe(value) + " is not a weight; expected "
              + "a number (for a built-in reward, or a reward found by ServiceLoader under that name) or "
              + "{class: com.example.MyReward, args: {...}, weight: 0.5}");
        }
      }
    }
    return terms;
  }

  LinkedHashMap<String, List<Object>> grid(String name) {
    JsonNode v = get(name);
    LinkedHashMap<String, List<Object>> grid = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return grid;
    }
    if (!v.isObject()) {
      throw new InvalidConfigException(prefix + name, describe(v) + " is not a grid; expected a mapping of "
          + "dotted config keys to lists of values");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Object value = MAPPER.convertValue(e.getValue(), Object.class);
      List<Object> values = new ArrayList<>();
      if (e.getValue().isArray()) {
        values.addAll((List<?>) value);
      } else {
        values.add(value);
      }
      grid.put(e.getKey(), values);
    }
    return grid;
  }
}
