package org.seqrl.agents;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The names of a one-step decoder inside a {@link SameDiffPolicy}'s graph, which decoding runs
 * instead of re-running the whole graph on the growing prefix. One step maps the previous token of
 * each row ({@code previousTokens}, int {@code [R]}), the graph's source placeholders (ids and mask,
 * fed every step) and the decoder's states to the next-token logits {@code [R, V]} and the next
 * states. Each {@link State} names its placeholder in the step, the output that gives its value
 * before the first step (computed once per decode from the source placeholders alone: the encoder
 * runs once), and the output that gives its value after a step, or null for a state that stays as
 * the encoder left it (encoder outputs, attention keys). The step must use the same variables as the
 * graph's teacher-forced {@code logits}, so that training moves both; its log-probabilities must
 * equal the teacher-forced ones.
 *
 * @param previousTokens placeholder of the previous token ids, int {@code [R]} (START at the first step)
 * @param logits output of the step's logits {@code [R, V]}
 * @param states the step's state placeholders, in any order; rows are decoder rows (beams reorder them)
 */
public record SameDiffStepGraph(String previousTokens, String logits, List<State> states) {
  /**
   * One state of the step.
   *
   * @param input placeholder of the state's value before the step ({@code [R, ...]})
   * @param initial output giving its value before the first step, from the source placeholders only
   * @param next output giving its value after the step, or null when the state never changes
   */
  public record State(String input, String initial, String next) {}

  public SameDiffStepGraph {
    states = List.copyOf(states);
  }

  /** The problems of these names in {@code sd}, one line each (empty when none). */
  List<String> problems(SameDiff sd) {
    List<String> no = new ArrayList<>();
    placeholder(sd, "previousTokens", previousTokens, no);
    output(sd, "logits", logits, no);
    if (states.isEmpty()) {
      no.add("states: none; a step graph carries at least one state (a decoder without state needs the whole prefix)");
    }
    for (State s : states) {
      placeholder(sd, "state input", s.input(), no);
      output(sd, "state initial", s.initial(), no);
      if (s.next() != null) {
        output(sd, "state next", s.next(), no);
      }
    }
    if (states.stream().allMatch(s -> s.next() == null) && !states.isEmpty()) {
      no.add("states: no state has a next output, so nothing carries the decoded prefix from one step to the next");
    }
    return no;
  }

  private static void placeholder(SameDiff sd, String role, String name, List<String> no) {
    if (name == null || !sd.hasVariable(name) || !sd.isPlaceHolder(name)) {
      no.add(role + ": '" + name + "' is not a placeholder of the graph; placeholders: " + sd.inputs());
    }
  }

  private static void output(SameDiff sd, String role, String name, List<String> no) {
    if (name == null || !sd.hasVariable(name)) {
      no.add(role + ": '" + name + "' is not a variable of the graph");
    }
  }
}
