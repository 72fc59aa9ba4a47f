import java.util.Arrays;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.rnn.DuplicateToTimeSeriesVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Probe (not a SeqRL test; docs/agents.md, "DL4J's own networks"): what M2.1's ComputationGraph does
 * with an encoder-decoder (LSTM encoder, LastTimeStepVertex, DuplicateToTimeSeriesVertex, LSTM decoder,
 * time-distributed dense logits, no output layer), step by step with rnnTimeStep and with external
 * errors through backpropGradient. Prints PROBE lines.
 * Usage: java -cp "experiments/target/lib/*" benchmarks/ComputationGraphProbe.java
 */
public class ComputationGraphProbe {
  public static void main(String[] args) {
    probe();
  }

  static final int V = 7, E = 4, H = 5, R = 2, S = 3, T = 4;

  static ComputationGraph graph() {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE)
        .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE).graphBuilder()
        .addInputs("src", "tgt")
        .addLayer("srcEmb", new EmbeddingSequenceLayer.Builder().nIn(V).nOut(E).build(), "src")
        .addLayer("enc", new LSTM.Builder().nIn(E).nOut(H).activation(Activation.TANH).build(), "srcEmb")
        .addVertex("last", new LastTimeStepVertex("src"), "enc")
        .addLayer("tgtEmb", new EmbeddingSequenceLayer.Builder().nIn(V).nOut(E).build(), "tgt")
        .addVertex("dup", new DuplicateToTimeSeriesVertex("tgt"), "last")
        .addVertex("merge", new MergeVertex(), "tgtEmb", "dup")
        .addLayer("dec", new LSTM.Builder().nIn(E + H).nOut(H).activation(Activation.TANH).build(), "merge")
        .addLayer("logits", new TimeDistributed(new DenseLayer.Builder().nIn(H).nOut(V).activation(Activation.IDENTITY).build(),
            RNNFormat.NCW), "dec")
        .setOutputs("logits").build();
    ComputationGraph cg = new ComputationGraph(conf);
    cg.init();
    return cg;
  }

  static INDArray ids(double[][] x) {
    return Nd4j.create(x).reshape(x.length, 1, x[0].length);
  }

  static void probe() {
    ComputationGraph cg = graph();
    INDArray src = ids(new double[][] {{4, 5, 6}, {6, 5, 4}});
    INDArray tgt = ids(new double[][] {{1, 6, 5, 4}, {1, 4, 5, 6}});
    INDArray full = cg.outputSingle(src, tgt); // [R, V, T]
    System.out.println("PROBE teacher-forced output shape " + Arrays.toString(full.shape()));
    // step by step: the whole graph runs at every call, so the encoder is fed again
    try {
      cg.rnnClearPreviousState();
      double maxDiff = 0;
      for (int t = 0; t < T; t++) {
        INDArray step = tgt.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(t, t + 1)).dup();
        INDArray out = cg.rnnTimeStep(src, step)[0];
        INDArray want = full.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.point(t));
        maxDiff = Math.max(maxDiff, out.reshape(R, V).sub(want).amaxNumber().doubleValue());
        System.out.println("PROBE rnnTimeStep t=" + t + " out shape " + Arrays.toString(out.shape()) + " max |diff| so far " + maxDiff);
      }
    } catch (Throwable e) {
      System.out.println("PROBE rnnTimeStep threw " + e);
    }
    // the same with the encoder's stored state emptied before each call (the encoder re-runs on the whole source each step)
    try {
      cg.rnnClearPreviousState();
      double maxDiff = 0;
      for (int t = 0; t < T; t++) {
        INDArray step = tgt.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(t, t + 1)).dup();
        cg.rnnSetPreviousState("enc", new java.util.HashMap<>());
        INDArray out = cg.rnnTimeStep(src, step)[0];
        INDArray want = full.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.point(t));
        maxDiff = Math.max(maxDiff, out.reshape(R, V).sub(want).amaxNumber().doubleValue());
      }
      System.out.println("PROBE rnnTimeStep with the encoder state reset each step: max |diff| " + maxDiff);
    } catch (Throwable e) {
      System.out.println("PROBE rnnTimeStep with reset threw " + e);
    }
    // with a source mask (variable-length sources): rnnTimeStep takes no masks
    try {
      INDArray srcMask = Nd4j.create(new double[][] {{1, 1, 1}, {1, 1, 0}});
      cg.setLayerMaskArrays(new INDArray[] {srcMask, null}, null);
      INDArray masked = cg.outputSingle(src, tgt);
      System.out.println("PROBE masked teacher-forced output ok, shape " + Arrays.toString(masked.shape()));
      cg.clearLayerMaskArrays();
    } catch (Throwable e) {
      System.out.println("PROBE masked output threw " + e);
    }
    // external errors: L = sum(eps * logits), so dL/dtheta is what backpropGradient(eps) should give
    try {
      INDArray eps = Nd4j.rand(DataType.DOUBLE, R, V, T).subi(0.5);
      cg.rnnClearPreviousState();
      cg.feedForward(new INDArray[] {src, tgt}, true, false);
      cg.backpropGradient(eps);
      INDArray g = cg.getFlattenedGradients().dup();
      INDArray p = cg.params();
      double worst = 0;
      for (int i = 0; i < p.length(); i += 7) {
        double v = p.getDouble(i);
        p.putScalar(i, v + 1e-6);
        double up = cg.outputSingle(src, tgt).mul(eps).sumNumber().doubleValue();
        p.putScalar(i, v - 1e-6);
        double down = cg.outputSingle(src, tgt).mul(eps).sumNumber().doubleValue();
        p.putScalar(i, v);
        worst = Math.max(worst, Math.abs((up - down) / 2e-6 - g.getDouble(i)));
      }
      System.out.println("PROBE backpropGradient: params " + p.length() + ", max |grad| " + g.amaxNumber() + ", worst |fd - grad| " + worst
);
    } catch (Throwable e) {
      System.out.println("PROBE backpropGradient threw " + e);
    }
  }
}
