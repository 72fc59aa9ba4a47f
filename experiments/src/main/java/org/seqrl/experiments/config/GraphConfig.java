package org.seqrl.experiments.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code model.graph} and {@code model.graph_names}: a user's saved SameDiff graph, trained by the
 * SameDiff engine instead of the shipped model, and the names of its inputs and outputs (the contract
 * of docs/agents.md, "The SameDiff engine"). Null {@code file}: the shipped model. The {@code step_*}
 * names, all or none, name a one-step decoder in the graph that decoding runs instead of re-running
 * the graph on the growing prefix ({@code org.seqrl.agents.SameDiffStepGraph}); null: none.
 *
 * @param stepStates the step's state placeholders, each with the output giving its value before the
 *     first step and the output giving its next value (null: it never changes); null when no step graph
 */
public record GraphConfig(Path file, String sourceIds, String sourceMask, String decoderInput, String logits,
                          String sequenceValue, String stepValues, String stepPrevious, String stepLogits,
                          Map<String, StepState> stepStates) {
  /** One state of the step graph: the outputs giving its first value and its next one (null: never changes). */
  public record StepState(String initial, String next) {}

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
    optional("step_previous", stepPrevious);
    optional("step_logits", stepLogits);
    List<String> given = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    (stepPrevious != null ? given : missing).add("model.graph_names.step_previous");
    (stepLogits != null ? given : missing).add("model.graph_names.step_logits");
    (stepStates != null ? given : missing).add("model.graph_names.step_states");
    if (!given.isEmpty() && !missing.isEmpty()) {
      throw InvalidConfigException.conflict(missing.get(0), "null, but " + String.join(" and ", given)
          + (given.size() == 1 ? " names" : " name") + " a step graph; expected all three of step_previous, step_logits and step_states, or none");
    }
    if (stepStates != null) {
      if (stepStates.isEmpty()) {
        throw new InvalidConfigException("model.graph_names.step_states", "{} holds no state; expected a mapping"
            + " {STATE_PLACEHOLDER: {initial: OUTPUT, next: OUTPUT or null}, ...}");
      }
      stepStates.forEach((input, st) -> {
        String key = "model.graph_names.step_states." + input;
        if (st.initial() == null || st.initial().isBlank()) {
          throw new InvalidConfigException(key + ".initial", (st.initial() == null ? "null" : "'" + st.initial() + "'")
              + " is not a variable name; expected the output giving the state's value before the first step");
        }
        if (st.next() != null && st.next().isBlank()) {
          throw new InvalidConfigException(key + ".next", "'" + st.next() + "' is not a variable name; expected the"
              + " output giving the state's value after a step, or null (it never changes)");
        }
      });
      stepStates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stepStates));
    }
  }

  public static GraphConfig defaults() {
    return new GraphConfig(null, "source_ids", "source_mask", "decoder_input", "logits", null, null, null, null, null);
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
    m.put("step_previous", stepPrevious);
    m.put("step_logits", stepLogits);
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
