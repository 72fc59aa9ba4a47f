package org.seqrl.agents;

import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What the two SameDiff passes ({@link SameDiffStepPass}, {@link SameDiffPrefixPass}) share: the
 * graph they run and the width of its logits, and what a graph's pass does not do. The graph
 * encodes the sources itself (no {@link Encoding}), has no attention weights or features to hand
 * out, and keeps nothing for a backward: an update runs the graph teacher-forced and SameDiff's
 * autodiff gives its gradients.
 */
abstract class SameDiffPass extends DecoderPass {
  final SameDiff sd;
  final int vocab;

  SameDiffPass(SameDiff sd, int vocab, int[] srcOf) {
    super(null, srcOf); // the graph encodes the sources itself
    this.sd = sd;
    this.vocab = vocab;
  }

  @Override
  public final float[] attentionWeights() {
    return null;
  }

  @Override
  public final float[] features() {
    throw new UnsupportedOperationException("a SameDiff pass has no features: step values come from the graph");
  }

  @Override
  public final int featuresOffset() {
    throw new UnsupportedOperationException("a SameDiff pass has no features");
  }

  @Override
  public final double stabilizeHidden(double beta, double rowsNorm, int[] lengths) {
    throw new UnsupportedOperationException("the norm-stabilizer on hidden states needs the fast engine's recurrent decoder");
  }

  @Override
  public final float[] keptLogits() {
    throw new UnsupportedOperationException("a SameDiff pass keeps nothing: updates run the graph teacher-forced");
  }

  @Override
  public final float[] keptFeatures() {
    throw new UnsupportedOperationException("a SameDiff pass keeps nothing");
  }

  @Override
  public final Decoder.EncodingGradient backward(float[] dLogits, float[] dFeatures) {
    throw new UnsupportedOperationException("gradients of a SameDiff policy come from its autodiff");
  }
}
