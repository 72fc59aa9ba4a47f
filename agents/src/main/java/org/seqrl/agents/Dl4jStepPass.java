package org.seqrl.agents;

import java.util.Map;
import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A decoder pass over a {@link Dl4jNetworkPolicy}'s network, step by step with DL4J's
 * {@code rnnTimeStep}: the left-padded sources run once, then each step feeds one token per row and
 * reads that position's logits. The recurrent state lives in the network's layers, so beams reorder
 * it there ({@code rnnGetPreviousState} / {@code rnnSetPreviousState}, rows gathered by parent).
 * One pass at a time per network: starting a pass clears the state of the one before.
 */
final class Dl4jStepPass extends DecoderPass {
  private final MultiLayerNetwork net;
  private final Dl4jLayout layout;
  private final int vocab;

  Dl4jStepPass(MultiLayerNetwork net, Dl4jLayout layout, int vocab, int[][] sources, int[] srcOf) {
    super(null, srcOf); // the network encodes the sources itself
    this.net = net;
    this.layout = layout;
    this.vocab = vocab;
    net.rnnClearPreviousState();
    net.rnnTimeStep(layout.sourceBlock(rowSources(sources, srcOf), net.params().dataType()));
  }

  @Override
  public float[] step(int[] previous) {
    int r = rows();
    INDArray in = layout.targetStep(previous, net.params().dataType());
    INDArray out = net.rnnTimeStep(in); // [R, V, 1]
    if (out.rank() != 3 || out.size(0) != r || out.size(1) != vocab) {
      throw new IllegalStateException("the network's step output has shape " + java.util.Arrays.toString(out.shape())
          + "; expected [" + r + ", " + vocab + ", 1] (NCW)");
    }
    steps++;
    return SameDiffInputs.floats(out.reshape(r, vocab));
  }

  @Override
  public void reorder(int[] parent) {
    for (int l = 0; l < net.getnLayers(); l++) {
      if (!(net.getLayer(l) instanceof RecurrentLayer)) {
        continue;
      }
      Map<String, INDArray> st = net.rnnGetPreviousState(l);
      if (st == null || st.isEmpty()) {
        continue;
      }
      Map<String, INDArray> next = new java.util.HashMap<>();
      for (Map.Entry<String, INDArray> e : st.entrySet()) {
        next.put(e.getKey(), Nd4j.pullRows(e.getValue(), 1, parent).dup('c'));
      }
      net.rnnSetPreviousState(l, next);
    }
  }

  @Override
  public float[] attentionWeights() {
    return null;
  }

  @Override
  public float[] features() {
    throw new UnsupportedOperationException("a DL4J network pass has no critic features");
  }

  @Override
  public int featuresOffset() {
    throw new UnsupportedOperationException("a DL4J network pass has no critic features");
  }

  @Override
  public double stabilizeHidden(double beta, double rowsNorm, int[] lengths) {
    throw new UnsupportedOperationException("the norm-stabilizer needs the fast engine's recurrent decoder");
  }

  @Override
  public float[] keptLogits() {
    throw new UnsupportedOperationException("a DL4J network pass keeps nothing: updates run the network teacher-forced");
  }

  @Override
  public float[] keptFeatures() {
    throw new UnsupportedOperationException("a DL4J network pass keeps nothing");
  }

  @Override
  public Decoder.EncodingGradient backward(float[] dLogits, float[] dFeatures) {
    throw new UnsupportedOperationException("gradients of a DL4J network come from its own backpropGradient");
  }
}
