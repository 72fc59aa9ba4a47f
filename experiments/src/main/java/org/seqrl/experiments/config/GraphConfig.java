package org.seqrl.experiments.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code model.graph} and {@code model.graph_names}: a user's saved SameDiff graph, trained by the
 * SameDiff engine instead of the shipped model, and the names of its inputs and outputs (the contract
 * of docs/agents.md, "The SameDiff engine"). Null {@code file}: the shipped model.
 */
public record GraphConfig(Path file, String sourceIds, String sourceMask, String decoderInput, String logits,
                          String sequenceValue, String stepValues) {
  public GraphConfig {
    if (file != null && !Files.isRegularFile(file)) {
      throw new InvalidConfigException("model.graph", "'" + file + "' does not exist or is not a file; expected a SameDiff"
          + " graph file (written by SameDiff.save)");
    }
    required("source_ids", sourceIds);
    required("source_mask", sourceMask);
    required("decoder_input", decoderInput);
    required("logits", logits);
    optional("sequence_value", sequenceValue);
    optional("step_values", stepValues);
  }

  public static GraphConfig defaults() {
    return new GraphConfig(null, "source_ids", "source_mask", "decoder_input", "logits", null, null);
  }

  /** The names by their {@code model.graph_names} key, optional ones included as null. */
  public Map<String, String> names() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("source_ids", sourceIds);
    m.put("source_mask", sourceMask);
    m.put("decoder_input", decoderInput);
    m.put("logits", logits);
    m.put("sequence_value", sequenceValue);
    m.put("step_values", stepValues);
    return m;
  }

  private static void required(String key, String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidConfigException("model.graph_names." + key, (name == null ? "null" : "'" + name + "'")
          + " is not a variable name; expected the name of the graph's " + key.replace('_', ' ') + " variable");
    }
  }

  private static void optional(String key, String name) {
    if (name != null && name.isBlank()) {
      throw new InvalidConfigException("model.graph_names." + key, "'" + name + "' is not a variable name; expected the name"
          + " of the graph's " + key.replace('_', ' ') + " output, or null (no such output)");
    }
  }
}
