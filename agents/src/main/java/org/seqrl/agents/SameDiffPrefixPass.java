package org.seqrl.agents;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A decoder pass that re-runs the whole graph on each row's growing prefix and returns the logits
 * at its last position: what {@link Search} needs from a decoder, without a step graph. Rows keep
 * their prefixes in Java, so reordering beams is a copy.
 */
final class SameDiffPrefixPass extends SameDiffPass {
  private final SameDiffInputs inputs;
  private final String logits;
  private final int[][] rowSources;
  private int[][] prefix;

  SameDiffPrefixPass(SameDiff sd, SameDiffInputs inputs, String logits, int vocab, int[][] sources, int[] srcOf) {
    super(sd, vocab, srcOf);
    this.inputs = inputs;
    this.logits = logits;
    this.rowSources = rowSources(sources, srcOf);
    this.prefix = new int[srcOf.length][0];
  }

  @Override
  public float[] step(int[] previous) {
    int r = rows();
    for (int i = 0; i < r; i++) {
      int[] p = Arrays.copyOf(prefix[i], steps + 1);
      p[steps] = previous[i];
      prefix[i] = p;
    }
    INDArray lg = sd.output(inputs.inputs(rowSources, prefix), logits).get(logits);
    long t = lg.size(1);
    if (lg.rank() != 3 || lg.size(0) != r || lg.size(2) != vocab) {
      throw new IllegalStateException("logits '" + logits + "' have shape " + Arrays.toString(lg.shape())
          + "; expected [" + r + ", T, " + vocab + "]");
    }
    float[] all = SameDiffInputs.floats(lg);
    float[] out = new float[r * vocab];
    for (int i = 0; i < r; i++) {
      System.arraycopy(all, (int) ((i * t + steps) * vocab), out, i * vocab, vocab);
    }
    steps++;
    return out;
  }

  @Override
  public void reorder(int[] parent) {
    int[][] next = new int[parent.length][];
    for (int i = 0; i < parent.length; i++) {
      next[i] = prefix[parent[i]];
    }
    prefix = next;
  }
}
