package org.seqrl.agents;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.UpdateStats;

/**
 * A DL4J {@link MultiLayerNetwork} with recurrent layers as a policy. The network is a language
 * model over one token row per example: the source left-padded with PAD to {@code maxSource}
 * positions, then START and the target tokens (target id y is input id {@code sourceVocab + y}, so
 * the input vocabulary is {@code sourceVocab + targetVocab}); its output at the position of START
 * and of each target token is the next target token's logits. The decoder is thus conditioned on
 * the source through the recurrent state, with no attention (DL4J's layers have none that feeds a
 * context back into the cell). Left padding keeps every source's last token next to START, and
 * training and decoding see the same padded rows, so no mask is needed.
 *
 * <p>The contract: input {@code [R, L]} token ids (the float type of the network), output
 * {@code [R, targetVocab, L]} logits (NCW), causal in L (recurrent layers), and no output layer (the
 * last layer e.g. a {@link TimeDistributed} dense layer with identity activation): DL4J's output
 * layers compute their loss from labels, and {@code backpropGradient(epsilon)} throws "Cannot
 * calculate gradients based on epsilon with OutputLayer" for them. Training and inference
 * workspaces {@code NONE} (the only mode tested): the backward reads the layer inputs a forward left in place.
 *
 * <p>SeqRL does the rest: the token loss of an objective ({@link SequenceLoss}, the fast engine's
 * own: MLE, policy gradient with advantages and entropy) on the teacher-forced logits, its gradient
 * handed to DL4J as the external error ({@code backpropGradient}), global-norm clipping and Adam as
 * the other engines do them on the flat parameter vector, decoding step by step with
 * {@code rnnTimeStep} through {@link Search} (sampling, greedy, beam), and checkpoints.
 */
public final class Dl4jNetworkPolicy implements SequencePolicy {
  private static final int MAGIC = 0x53514c34; // "SQL4"
  private final MultiLayerNetwork net;
  private final Dl4jLayout layout;
  private final int vocab;
  private final float[] adamM;
  private final float[] adamV;
  private final Rng rng;
  private long step;
  private final SequenceLoss tokenLoss = new SequenceLoss(); // keeps its gradient buffer from step to step

  /**
   * A policy on {@code net} (initialised) for sources of at most {@code maxSource} tokens from a
   * vocabulary of {@code sourceVocab} ids and targets from {@code targetVocab} ids; {@code seed}
   * seeds sampling (the weights are the network's).
   */
  public Dl4jNetworkPolicy(MultiLayerNetwork net, int sourceVocab, int targetVocab, int maxSource, long seed) {
    if (net.params() == null) {
      throw new IllegalArgumentException("the network is not initialised; call init() first");
    }
    MultiLayerConfiguration c = net.getLayerWiseConfigurations();
    if (c.getTrainingWorkspaceMode() != WorkspaceMode.NONE || c.getInferenceWorkspaceMode() != WorkspaceMode.NONE) {
      throw new IllegalArgumentException("workspace modes are training " + c.getTrainingWorkspaceMode() + ", inference "
          + c.getInferenceWorkspaceMode() + "; expected NONE for both (the external-error backward reads the layer inputs"
          + " the forward left)");
    }
    if (net.getOutputLayer() instanceof IOutputLayer) {
      throw new IllegalArgumentException("the last layer is an output layer (" + net.getOutputLayer().getClass().getSimpleName()
          + "): DL4J computes its loss from labels and backpropGradient refuses an external error for it; expected a layer"
          + " giving logits, e.g. TimeDistributed(DenseLayer, identity)");
    }
    if (maxSource < 1 || sourceVocab < 1 || targetVocab <= org.seqrl.rl.Tokens.FIRST_REGULAR) {
      throw new IllegalArgumentException("maxSource " + maxSource + ", sourceVocab " + sourceVocab + ", targetVocab "
          + targetVocab + "; expected >= 1, >= 1, > 4");
    }
    this.net = net;
    this.layout = new Dl4jLayout(sourceVocab, maxSource);
    this.vocab = targetVocab;
    int n = (int) net.numParams();
    this.adamM = new float[n];
    this.adamV = new float[n];
    this.rng = new Rng(seed * 0x9E3779B97F4A7C15L + 12345L);
  }

  /**
   * The network this adapter was written for: an embedding of the joint vocabulary, {@code layers}
   * LSTM layers of {@code hidden} units, and a time-distributed dense layer with identity activation
   * giving the logits; float32, no workspaces.
   */
  public static MultiLayerNetwork lstmNetwork(int sourceVocab, int targetVocab, int embedding, int hidden, int layers,
      long seed) {
    return lstmNetwork(sourceVocab, targetVocab, embedding, hidden, layers, seed, DataType.FLOAT);
  }

  /** {@link #lstmNetwork} in another float type (double for gradient checks). */
  static MultiLayerNetwork lstmNetwork(int sourceVocab, int targetVocab, int embedding, int hidden, int layers, long seed,
      DataType type) {
    NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
        .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE).list()
        .layer(new EmbeddingSequenceLayer.Builder().nIn(sourceVocab + targetVocab).nOut(embedding).build());
    for (int l = 0; l < layers; l++) {
      b.layer(new LSTM.Builder().nIn(l == 0 ? embedding : hidden).nOut(hidden).activation(Activation.TANH).build());
    }
    b.layer(new TimeDistributed(new DenseLayer.Builder().nIn(hidden).nOut(targetVocab).activation(Activation.IDENTITY)
        .build(), RNNFormat.NCW));
    MultiLayerNetwork net = new MultiLayerNetwork(b.build());
    net.init();
    return net;
  }

  /** The network (its parameters are the policy's). */
  public MultiLayerNetwork network() {
    return net;
  }

  /** Optimizer steps taken so far. */
  public long steps() {
    return step;
  }

  @Override
  public Set<CriticHead> criticHeads() {
    return Set.of();
  }

  // ---------------------------------------------------------------- training

  /** Loss parts and the flat gradient (the network's parameter order) of an objective; parameters unchanged. */
  record Evaluated(Seq2SeqPolicy.LossParts parts, float[] gradient, float[] logits) {}

  Evaluated evaluate(Objective o) {
    INDArray tm = targetLogits(o);
    int t = (int) tm.size(0);
    int r = (int) tm.size(1);
    int s = layout.maxSource();
    DataType type = net.params().dataType();
    float[] logits = SameDiffInputs.floats(tm);
    SequenceLoss.Result loss = tokenLoss.compute(logits, vocab, r, t, o);
    INDArray eps = Nd4j.zeros(type, r, vocab, s + t);
    // the loss's buffer may be longer than this pass: its first t*r*vocab entries
    float[] dLogits = Arrays.copyOf(loss.dLogits(), t * r * vocab);
    INDArray d = Nd4j.create(dLogits, new long[] {t, r, vocab}, 'c').castTo(type).permute(1, 2, 0);
    eps.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(s, s + t)).assign(d);
    net.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces());
    float[] grad = SameDiffInputs.floats(net.getFlattenedGradients());
    net.clearLayersStates();
    int tokens = loss.tokens();
    double total = loss.crossEntropy() - loss.entropyTerm();
    return new Evaluated(new Seq2SeqPolicy.LossParts(total, loss.nll(), loss.entropyTerm(), 0, tokens == 0 ? 0
        : loss.entropySum() / tokens, tokens), grad, logits);
  }

  /**
   * The teacher-forced forward of an objective's rows: the logits at the target positions, time-major
   * {@code [T, R, V]} in the network's float type; the layer inputs stay in place for a backward.
   */
  INDArray targetLogits(Objective o) {
    int r = o.tokens().length;
    int t = 1;
    for (int len : o.lengths()) {
      t = Math.max(t, len);
    }
    int[][] rowSources = new int[r][];
    for (int i = 0; i < r; i++) {
      rowSources[i] = o.sources()[o.sourceOfRow()[i]];
    }
    int s = layout.maxSource();
    net.rnnClearPreviousState();
    net.setInput(layout.rows(rowSources, SameDiffInputs.shifted(o.tokens(), o.lengths()), t, net.params().dataType()));
    List<INDArray> acts = net.feedForward(true, false); // keep the layer inputs for the backward
    INDArray out = acts.get(acts.size() - 1);
    if (out.rank() != 3 || out.size(0) != r || out.size(1) != vocab || out.size(2) != s + t) {
      throw new IllegalStateException("the network's output has shape " + java.util.Arrays.toString(out.shape())
          + "; expected [" + r + ", " + vocab + ", " + (s + t) + "] (NCW logits)");
    }
    return out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(s, s + t)).permute(2, 0, 1);
  }

  @Override
  public UpdateStats mleStep(int[][] sources, int[][] targets, OptimizerSettings optimizer) {
    if (sources.length != targets.length) {
      throw new IllegalArgumentException("mleStep: " + sources.length + " sources but " + targets.length + " targets");
    }
    return optimize(Objective.mle(sources, targets), optimizer);
  }

  @Override
  public UpdateStats update(PolicyGradientBatch batch, OptimizerSettings optimizer) {
    if (batch.sequenceTargets() != null || batch.stepTargets() != null) {
      throw new IllegalArgumentException("the batch has critic targets; a DL4J network policy carries no critic head");
    }
    if (batch.ppo() != null) {
      throw new UnsupportedOperationException(NOT_YET + "PPO-clip updates");
    }
    return optimize(Objective.policyGradient(batch), optimizer);
  }

  private static final String NOT_YET = "the DL4J network policy does not do ";

  @Override
  public UpdateStats mixedUpdate(PolicyGradientBatch batch, int[][] targets, double mleWeight, OptimizerSettings optimizer) {
    throw new UnsupportedOperationException(NOT_YET + "MLE-mixed updates");
  }

  @Override
  public void logProbs(Rollout rollout, PolicyParameters parameters, double[][] out) {
    throw new UnsupportedOperationException(NOT_YET + "log-probabilities of a given rollout (KL penalty, PPO)");
  }

  @Override
  public void freezeReference() {
    throw new UnsupportedOperationException(NOT_YET + "a frozen reference policy");
  }

  @Override
  public boolean hasReference() {
    return false;
  }

  private UpdateStats optimize(Objective o, OptimizerSettings opt) {
    Evaluated e = evaluate(o);
    float[] g = e.gradient();
    double sumSq = 0;
    for (float x : g) {
      sumSq += (double) x * x;
    }
    double norm = Math.sqrt(sumSq);
    float s = (float) (opt.clips() && norm > opt.maxGradNorm() ? opt.maxGradNorm() / (norm + 1e-12) : 1.0);
    step++;
    // Adam as SameDiffVariables.adam and the fast engine write it
    float stepSize = (float) (opt.learningRate() * Math.sqrt(1 - Math.pow(0.999, step)) / (1 - Math.pow(0.9, step)));
    INDArray p = net.params();
    float[] w = SameDiffInputs.floats(p);
    for (int i = 0; i < w.length; i++) {
      float gi = g[i] * s;
      adamM[i] = 0.9f * adamM[i] + (1 - 0.9f) * gi;
      adamV[i] = 0.999f * adamV[i] + (1 - 0.999f) * gi * gi;
      w[i] -= stepSize * adamM[i] / ((float) Math.sqrt(adamV[i]) + 1e-8f);
    }
    p.assign(Nd4j.create(w, p.shape(), 'c').castTo(p.dataType()));
    Seq2SeqPolicy.LossParts lp = e.parts();
    return new UpdateStats(lp.loss(), lp.policy(), lp.critic(), lp.meanEntropy(), norm, lp.tokens());
  }

  // ---------------------------------------------------------------- decoding

  private Dl4jStepPass pass(int[][] sources, int k) {
    int[] srcOf = new int[sources.length * k];
    for (int i = 0; i < srcOf.length; i++) {
      srcOf[i] = i / k;
    }
    return new Dl4jStepPass(net, layout, vocab, sources, srcOf);
  }

  private Rollout decode(int[][] sources, int k, int maxLength, Search.TokenChoice choice) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
    }
    Dl4jStepPass p = pass(sources, k);
    return Search.decode(p, vocab, sources, k, p.sourceOfRow(), maxLength, choice, null, null);
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength) {
    return decode(sources, samplesPerInput, maxLength, Search.sampling(temperature, rng));
  }

  @Override
  public Rollout greedy(int[][] sources, int maxLength) {
    return decode(sources, 1, maxLength, Search.greedy());
  }

  /** Beam search with {@link Search#beam}, reordering the network's recurrent state between steps. */
  public Seq2SeqPolicy.BeamResult beamSearchWithScores(int[][] sources, int beamWidth, int maxLength) {
    if (beamWidth < 1 || maxLength < 1) {
      throw new IllegalArgumentException("beamWidth and maxLength must be >= 1, got " + beamWidth + " and " + maxLength);
    }
    Search.Beams b = Search.beam(pass(sources, beamWidth), vocab, sources.length, beamWidth, maxLength,
        () -> greedy(sources, maxLength));
    return new Seq2SeqPolicy.BeamResult(b.hypotheses(), b.scores());
  }

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength) {
    return beamSearchWithScores(sources, beamWidth, maxLength).hypotheses();
  }

  // ---------------------------------------------------------------- checkpoints

  /** Writes {@code params.bin} (the flat parameters and Adam moments, float bits), {@code network.json} and {@code state.properties}. */
  @Override
  public void save(Path directory) throws IOException {
    float[] w = SameDiffInputs.floats(net.params());
    Checkpoints.writeAtomically(directory, tmp -> {
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp.resolve("params.bin"))))) {
        out.writeInt(MAGIC);
        out.writeInt(w.length);
        for (float[] a : new float[][] {w, adamM, adamV}) {
          for (float x : a) {
            out.writeFloat(x);
          }
        }
      }
      Files.writeString(tmp.resolve("network.json"), net.getLayerWiseConfigurations().toJson());
      Properties st = new Properties();
      st.setProperty("step", Long.toString(step));
      st.setProperty("rngState", Long.toString(rng.state()));
      st.setProperty("format", "seqrl-dl4j-1");
      Checkpoints.writeProperties(tmp.resolve("state.properties"), st, "DL4J network policy state");
    });
  }

  @Override
  public void restore(Path directory) throws IOException {
    Path dir = Checkpoints.readable(directory);
    int n = adamM.length;
    float[][] staged = new float[3][n];
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve("params.bin"))))) {
      int magic = in.readInt();
      int len = in.readInt();
      if (magic != MAGIC || len != n) {
        throw new IOException(dir.resolve("params.bin") + " holds " + len + " parameters (magic " + Integer.toHexString(magic)
            + "); this network has " + n);
      }
      for (float[] a : staged) {
        for (int i = 0; i < n; i++) {
          a[i] = in.readFloat();
        }
      }
    }
    Properties st = Checkpoints.readProperties(dir.resolve("state.properties"));
    // only a file read to the end replaces the policy's state
    INDArray p = net.params();
    p.assign(Nd4j.create(staged[0], p.shape(), 'c').castTo(p.dataType()));
    System.arraycopy(staged[1], 0, adamM, 0, n);
    System.arraycopy(staged[2], 0, adamV, 0, n);
    step = Long.parseLong(st.getProperty("step"));
    rng.setState(Long.parseLong(st.getProperty("rngState")));
  }

  @Override
  public void close() {}
}
