package org.seqrl.agents;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A decoder pass that runs a policy's step graph ({@link SameDiffStepGraph}) once per step: the
 * states' initial values come from one run on the distinct sources (the encoder runs once per
 * decode), are repeated to the decoder rows, and each step feeds them back with the previous
 * tokens. The states live here as ND4J arrays; beams reorder the rows of those a step changes (the
 * others are functions of the row's source, which a beam's parent shares).
 */
final class SameDiffStepPass extends SameDiffPass {
  private final SameDiffStepGraph step;
  private final SameDiffInputs feed;
  /** The source placeholders for the decoder rows, fed at every step. */
  private final Map<String, INDArray> rowSources;
  private final INDArray[] state;
  private final List<String> outputs = new ArrayList<>();

  SameDiffStepPass(SameDiff sd, SameDiffInputs feed, SameDiffStepGraph step, int vocab, int[][] sources, int[] srcOf) {
    super(sd, vocab, srcOf);
    this.step = step;
    this.feed = feed;
    List<SameDiffStepGraph.State> states = step.states();
    List<String> initial = new ArrayList<>();
    for (SameDiffStepGraph.State s : states) {
      initial.add(s.initial());
    }
    Map<String, INDArray> encoded = sd.output(feed.sources(sources), initial);
    this.state = new INDArray[states.size()];
    for (int k = 0; k < state.length; k++) {
      state[k] = gatherRows(encoded.get(states.get(k).initial()), srcOf);
    }
    this.rowSources = feed.sources(rowSources(sources, srcOf));
    outputs.add(step.logits());
    for (SameDiffStepGraph.State s : states) {
      if (s.next() != null) {
        outputs.add(s.next());
      }
    }
  }

  /** Rows {@code idx} of {@code a} (any rank, rows on axis 0), as a new array. */
  private static INDArray gatherRows(INDArray a, int[] idx) {
    long[] shape = a.shape();
    long rest = a.length() / shape[0];
    INDArray flat = a.dup('c').reshape('c', shape[0], rest);
    long[] out = shape.clone();
    out[0] = idx.length;
    return Nd4j.pullRows(flat, 1, idx).dup('c').reshape('c', out);
  }

  @Override
  public float[] step(int[] previous) {
    int r = rows();
    Map<String, INDArray> ph = new LinkedHashMap<>(rowSources);
    ph.put(step.previousTokens(), feed.tokenRow(step.previousTokens(), previous));
    List<SameDiffStepGraph.State> states = step.states();
    for (int k = 0; k < state.length; k++) {
      ph.put(states.get(k).input(), state[k]);
    }
    Map<String, INDArray> out = sd.output(ph, outputs);
    INDArray lg = out.get(step.logits());
    if (lg.rank() != 2 || lg.size(0) != r || lg.size(1) != vocab) {
      throw new IllegalStateException("step logits '" + step.logits() + "' have shape " + Arrays.toString(lg.shape())
          + "; expected [" + r + ", " + vocab + "]");
    }
    for (int k = 0; k < state.length; k++) {
      String next = states.get(k).next();
      if (next != null) {
        INDArray v = out.get(next);
        if (!Arrays.equals(v.shape(), state[k].shape())) {
          throw new IllegalStateException("step state '" + next + "' has shape " + Arrays.toString(v.shape())
              + " but its input '" + states.get(k).input() + "' had " + Arrays.toString(state[k].shape()));
        }
        state[k] = v.dup('c'); // the session may reuse its output buffers in the next run
      }
    }
    steps++;
    return SameDiffInputs.floats(lg);
  }

  @Override
  public void reorder(int[] parent) {
    List<SameDiffStepGraph.State> states = step.states();
    for (int k = 0; k < state.length; k++) {
      if (states.get(k).next() != null) {
        state[k] = gatherRows(state[k], parent);
      }
    }
  }
}
