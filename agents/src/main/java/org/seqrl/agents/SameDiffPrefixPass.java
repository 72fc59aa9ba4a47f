package org.seqrl.agents;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A decoder pass that re-runs the whole graph on each row's growing prefix and returns the logits
 * at its last position: what {@link Search} needs from a decoder, without a step graph. Rows keep
 * their prefixes in Java, so reordering beams is a copy.
 */
final class SameDiffPrefixPass implements Decoder.Pass {
  private final SameDiff sd;
  private final SameDiffInputs inputs;
  private final String logits;
  private final int vocab;
  private final int[][] rowSources;
  private final int[] srcOf;
  private int[][] prefix;
  private int steps;

  SameDiffPrefixPass(SameDiff sd, SameDiffInputs inputs, String logits, int vocab, int[][] sources, int[] srcOf) {
    this.sd = sd;
    this.inputs = inputs;
    this.logits = logits;
    this.vocab = vocab;
    this.srcOf = srcOf;
    this.rowSources = new int[srcOf.length][];
    for (int i = 0; i < srcOf.length; i++) {
      rowSources[i] = sources[srcOf[i]];
    }
    this.prefix = new int[srcOf.length][0];
  }

  @Override
  public int rows() {
    return srcOf.length;
  }

  @Override
  public double stabilizeHidden(double beta, double rowsNorm, int[] lengths) {
    throw new UnsupportedOperationException("the norm-stabilizer on hidden states needs the fast engine's recurrent decoder");
  }

  @Override
  public Encoding encoding() {
    return null;
  }

  @Override
  public int[] sourceOfRow() {
    return srcOf;
  }

  @Override
  public int steps() {
    return steps;
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

  @Override
  public float[] attentionWeights() {
    return null;
  }

  @Override
  public float[] features() {
    throw new UnsupportedOperationException("a SameDiff pass has no features: step values come from the graph");
  }

  @Override
  public int featuresOffset() {
    throw new UnsupportedOperationException("a SameDiff pass has no features");
  }

  @Override
  public float[] keptLogits() {
    throw new UnsupportedOperationException("a SameDiff pass keeps nothing: updates run the graph teacher-forced");
  }

  @Override
  public float[] keptFeatures() {
    throw new UnsupportedOperationException("a SameDiff pass keeps nothing");
  }

  @Override
  public Decoder.EncodingGradient backward(float[] dLogits, float[] dFeatures) {
    throw new UnsupportedOperationException("gradients of a SameDiff policy come from its autodiff");
  }
}
