package org.seqrl.experiments.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.nd4j.autodiff.samediff.SameDiff;
import org.seqrl.agents.SameDiffPolicy;
import org.seqrl.agents.SameDiffStepGraph;
import org.seqrl.experiments.config.GraphConfig;
import org.seqrl.experiments.config.InvalidConfigException;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.Tokens;

/**
 * {@code model.graph}: a user's saved SameDiff graph as the run's policy. Everything the config can
 * get wrong about the graph is found here, before training, and named by its key: a file that is not
 * a graph, names that are not in it, critic outputs the baseline needs, lengths the data does not fit,
 * logits that are not as wide as the target vocabulary, and the names of a step graph.
 */
final class UserGraph {
  private UserGraph() {}

  /**
   * @param heads the critic heads the baseline needs
   * @param sourceLength the longest source of the data
   * @param decoderLength the most decoder positions a run feeds (decoding, or a reference and its end)
   */
  static SameDiffPolicy policy(GraphConfig g, String baselineLabel, Set<CriticHead> heads, int targetVocab,
      int sourceLength, int decoderLength, long seed) {
    Path file = g.file();
    SameDiff sd;
    try {
      sd = SameDiff.load(file.toFile(), false);
    } catch (RuntimeException e) {
      throw new InvalidConfigException("model.graph", "'" + file + "' cannot be read as a SameDiff graph (" + e.getMessage()
          + "); expected a file written by SameDiff.save");
    }
    placeholder(sd, file, "source_ids", g.sourceIds(), sourceLength, "the data's longest source");
    placeholder(sd, file, "source_mask", g.sourceMask(), sourceLength, "the data's longest source");
    placeholder(sd, file, "decoder_input", g.decoderInput(), decoderLength, "the decoder inputs a run feeds");
    output(sd, file, "logits", g.logits());
    if (g.sequenceValue() != null) {
      output(sd, file, "sequence_value", g.sequenceValue());
    } else if (heads.contains(CriticHead.SEQUENCE)) {
      throw InvalidConfigException.conflict("model.graph_names.sequence_value", "null, but rl.baseline " + baselineLabel
          + " needs a sequence value V(x); expected the name of the graph's value output [R]");
    }
    if (g.stepValues() != null) {
      output(sd, file, "step_values", g.stepValues());
    } else if (heads.contains(CriticHead.STEP)) {
      throw InvalidConfigException.conflict("model.graph_names.step_values", "null, but rl.baseline " + baselineLabel
          + " needs step values V(s_t); expected the name of the graph's value output [R, T]");
    }
    SameDiffPolicy.Builder b = SameDiffPolicy.builder(sd, targetVocab).sourceIds(g.sourceIds()).sourceMask(g.sourceMask())
        .decoderInput(g.decoderInput()).logits(g.logits()).seed(seed);
    if (g.sequenceValue() != null) {
      b.sequenceValue(g.sequenceValue());
    }
    if (g.stepValues() != null) {
      b.stepValues(g.stepValues());
    }
    if (g.stepPrevious() != null) {
      b.stepGraph(stepGraph(sd, file, g));
    }
    SameDiffPolicy policy;
    try {
      policy = b.build();
      // one decoding step checks that the graph runs on these inputs and that its logits are V wide
      policy.greedy(new int[][] {{Tokens.FIRST_REGULAR}}, 1);
    } catch (RuntimeException e) {
      throw new InvalidConfigException("model.graph", "'" + file + "' does not run as a policy over a target vocabulary of "
          + targetVocab + " ids: " + e.getMessage());
    }
    return policy;
  }

  /** {@code model.graph_names.step_*} as the policy's step graph, every name checked against the file. */
  private static SameDiffStepGraph stepGraph(SameDiff sd, Path file, GraphConfig g) {
    placeholder(sd, file, "step_previous", g.stepPrevious(), 0, "");
    output(sd, file, "step_logits", g.stepLogits());
    List<SameDiffStepGraph.State> states = new ArrayList<>();
    g.stepStates().forEach((input, st) -> {
      placeholder(sd, file, "step_states." + input, input, 0, "");
      output(sd, file, "step_states." + input + ".initial", st.initial());
      if (st.next() != null) {
        output(sd, file, "step_states." + input + ".next", st.next());
      }
      states.add(new SameDiffStepGraph.State(input, st.initial(), st.next()));
    });
    if (states.stream().allMatch(st -> st.next() == null)) {
      throw new InvalidConfigException("model.graph_names.step_states", "no state has a next output, so nothing carries"
          + " the decoded tokens from one step to the next; expected at least one state with next: OUTPUT");
    }
    return new SameDiffStepGraph(g.stepPrevious(), g.stepLogits(), states);
  }

  private static void placeholder(SameDiff sd, Path file, String key, String name, int need, String what) {
    if (!sd.hasVariable(name) || !sd.isPlaceHolder(name)) {
      throw new InvalidConfigException("model.graph_names." + key, "'" + name + "' is not a placeholder of '" + file
          + "'; expected one of its placeholders " + sd.inputs());
    }
    long[] shape = sd.getVariable(name).getShape();
    if (need > 0 && shape != null && shape.length >= 2 && shape[1] > 0 && shape[1] < need) {
      throw new InvalidConfigException("model.graph", "'" + file + "': placeholder '" + name + "' takes " + shape[1]
          + " positions, but " + what + " needs " + need + "; expected a graph built for at least " + need
          + " (or of length -1)");
    }
  }

  private static void output(SameDiff sd, Path file, String key, String name) {
    if (!sd.hasVariable(name)) {
      throw new InvalidConfigException("model.graph_names." + key, "'" + name + "' is not a variable of '" + file
          + "'; expected the name of " + (key.contains(".") ? "an output of the graph" : "the graph's "
          + key.replace('_', ' ') + " output"));
    }
  }
}
