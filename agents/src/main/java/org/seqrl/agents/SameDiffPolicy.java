package org.seqrl.agents;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.Tokens;
import org.seqrl.rl.UpdateStats;

/**
 * A policy backed by a user's SameDiff graph (ND4J autodiff): the graph maps (source ids
 * {@code [R, S]}, source mask {@code [R, S]}, decoder input ids {@code [R, T]}) to next-token logits
 * {@code [R, T, V]}, and optionally to critic values (a sequence value {@code [R]} and step values
 * {@code [R, T]}). Decoder input position t holds START at t = 0 and the token generated at t − 1
 * after it, so logits at position t must depend on positions 0..t only (a causal decoder). SeqRL
 * does the rest: the losses of docs/design.md (MLE; policy gradient with advantages, entropy and
 * critic losses exactly as {@link PolicyGradientBatch} defines them) added to the graph once,
 * gradients by SameDiff's autodiff, Adam and global-norm clipping as the fast engine does them,
 * sampling, greedy and beam search through the same {@link Search} code as the fast engine
 * (with a {@link SameDiffStepGraph} one step at a time, the encoder once per decode; without one,
 * re-running the graph on the growing prefix at every step), and checkpoints with exact resume.
 *
 * <p>Placeholders with a fixed length (a graph unrolled to S or T positions) get their inputs padded
 * to it; placeholders of length −1 get the batch's own length. Sources are padded with PAD and mask
 * 0, decoder inputs with PAD. PAD and START are never actions: their logits are masked out of the
 * loss and of decoding.
 *
 * <p>Not thread-safe. The graph's arrays are ND4J's, freed by its deallocator once the graph is unreachable.
 */
public final class SameDiffPolicy implements SequencePolicy {
  private final SameDiff sd;
  private final String sourceIds;
  private final String sourceMask;
  private final String decoderInput;
  private final String logits;
  private final String sequenceValue;
  private final String stepValues;
  private final int vocab;
  /** The graph's trainable variables (in checkpoint order) and their Adam moments. */
  private final SameDiffVariables variables;
  /** Pads token rows to the graph's placeholders. */
  private final SameDiffInputs feed;
  /** SeqRL's loss, added to the graph at construction. */
  private final SameDiffLoss loss;
  private final Rng rng;
  private final Set<CriticHead> heads;
  /** The one-step decoder decoding runs, or null: decoding re-runs the graph on the growing prefix. */
  private final SameDiffStepGraph stepGraph;
  private long step;

  private SameDiffPolicy(Builder b) {
    this.sd = b.graph;
    this.sourceIds = SameDiffInputs.requirePlaceholder(b.graph, "sourceIds", b.sourceIds);
    this.sourceMask = SameDiffInputs.requirePlaceholder(b.graph, "sourceMask", b.sourceMask);
    this.decoderInput = SameDiffInputs.requirePlaceholder(b.graph, "decoderInput", b.decoderInput);
    this.logits = SameDiffInputs.requireVariable(b.graph, "logits", b.logits);
    this.sequenceValue = b.sequenceValue == null ? null : SameDiffInputs.requireVariable(b.graph, "sequenceValue", b.sequenceValue);
    this.stepValues = b.stepValues == null ? null : SameDiffInputs.requireVariable(b.graph, "stepValues", b.stepValues);
    if (b.targetVocab <= Tokens.FIRST_REGULAR) {
      throw new IllegalArgumentException("targetVocab: " + b.targetVocab + " is invalid; expected > 4 (reserved ids 0-3 plus real tokens)");
    }
    this.vocab = b.targetVocab;
    if (b.step != null && !b.step.problems(b.graph).isEmpty()) {
      throw new IllegalArgumentException("stepGraph: " + String.join("; ", b.step.problems(b.graph)));
    }
    this.stepGraph = b.step;
    this.rng = new Rng(b.seed * 0x9E3779B97F4A7C15L + 12345L);
    EnumSet<CriticHead> h = EnumSet.noneOf(CriticHead.class);
    if (sequenceValue != null) {
      h.add(CriticHead.SEQUENCE);
    }
    if (stepValues != null) {
      h.add(CriticHead.STEP);
    }
    this.heads = Set.copyOf(h);
    this.variables = new SameDiffVariables(sd);
    this.feed = new SameDiffInputs(sd, sourceIds, sourceMask, decoderInput);
    this.loss = new SameDiffLoss(sd, feed, variables, logits, decoderInput, sequenceValue, stepValues, vocab);
  }

  /** A policy on {@code graph}, whose logits cover {@code targetVocab} tokens (the reserved ids of {@link Tokens} included). */
  public static Builder builder(SameDiff graph, int targetVocab) {
    return new Builder(graph, targetVocab);
  }

  /** Names of the graph's inputs and outputs; the defaults are the names {@link SameDiffSeq2Seq} builds. */
  public static final class Builder {
    private final SameDiff graph;
    private final int targetVocab;
    private String sourceIds = "source_ids";
    private String sourceMask = "source_mask";
    private String decoderInput = "decoder_input";
    private String logits = "logits";
    private String sequenceValue;
    private String stepValues;
    private long seed = 1L;
    private SameDiffStepGraph step;

    private Builder(SameDiff graph, int targetVocab) {
      this.graph = graph;
      this.targetVocab = targetVocab;
    }

    public Builder sourceIds(String v) { sourceIds = v; return this; }
    public Builder sourceMask(String v) { sourceMask = v; return this; }
    public Builder decoderInput(String v) { decoderInput = v; return this; }
    public Builder logits(String v) { logits = v; return this; }
    /** The output holding V(x) per row {@code [R]}: the policy then carries the SEQUENCE critic head. */
    public Builder sequenceValue(String v) { sequenceValue = v; return this; }
    /** The output holding V(s_t) per row and position {@code [R, T]}: the policy then carries the STEP head. */
    public Builder stepValues(String v) { stepValues = v; return this; }
    /** A one-step decoder in the graph for decoding; without one, decoding re-runs the graph on the growing prefix. */
    public Builder stepGraph(SameDiffStepGraph v) { step = v; return this; }
    /** Seed of the sampling generator (the graph's initial values are the user's). */
    public Builder seed(long v) { seed = v; return this; }

    /** Adds SeqRL's loss to the graph and returns the policy that owns it. */
    public SameDiffPolicy build() {
      return new SameDiffPolicy(this);
    }
  }

  @Override
  public Set<CriticHead> criticHeads() {
    return heads;
  }

  /** Optimizer steps taken so far. */
  public long steps() {
    return step;
  }

  /** The graph, with SeqRL's loss added (for export and inspection). */
  public SameDiff graph() {
    return sd;
  }

  // ---------------------------------------------------------------- training

  @Override
  public UpdateStats mleStep(int[][] sources, int[][] targets, OptimizerSettings optimizer) {
    if (sources.length != targets.length) {
      throw new IllegalArgumentException("mleStep: " + sources.length + " sources but " + targets.length + " targets");
    }
    Objective o = Objective.mle(sources, targets);
    return optimize(o, optimizer);
  }

  @Override
  public UpdateStats update(PolicyGradientBatch batch, OptimizerSettings optimizer) {
    requireHeads(batch);
    if (batch.ppo() != null) {
      throw new UnsupportedOperationException(NOT_YET + "PPO-clip updates (rl.objective: ppo-clip)");
    }
    return optimize(Objective.policyGradient(batch), optimizer);
  }

  private void requireHeads(PolicyGradientBatch batch) {
    if (batch.sequenceTargets() != null && sequenceValue == null || batch.stepTargets() != null && stepValues == null) {
      throw new IllegalArgumentException("the batch has targets for a critic head this policy does not carry; heads: "
          + heads + " (name the graph's value outputs in SameDiffPolicy.builder)");
    }
  }

  private static final String NOT_YET = "the SameDiff engine does not do ";

  @Override
  public UpdateStats mixedUpdate(PolicyGradientBatch batch, int[][] targets, double mleWeight, OptimizerSettings optimizer) {
    throw new UnsupportedOperationException(NOT_YET + "MLE-mixed updates (rl.mle_weight_*) yet");
  }

  @Override
  public void logProbs(Rollout rollout, PolicyParameters parameters, double[][] out) {
    throw new UnsupportedOperationException(NOT_YET + "log-probabilities of a given rollout (KL penalty, PPO) yet");
  }

  @Override
  public void freezeReference() {
    throw new UnsupportedOperationException(NOT_YET + "a frozen reference policy (rl.kl_*) yet");
  }

  @Override
  public boolean hasReference() {
    return false;
  }

  /** Loss, its parts and the gradient of every trainable variable (by name) for one objective; parameters unchanged. */
  record Evaluated(Seq2SeqPolicy.LossParts parts, Map<String, INDArray> gradients) {}

  Evaluated evaluate(Objective o) {
    return loss.evaluate(o);
  }

  private UpdateStats optimize(Objective o, OptimizerSettings opt) {
    Evaluated e = evaluate(o);
    Map<String, float[]> grads = new LinkedHashMap<>();
    double sumSq = 0;
    for (String name : variables.names()) {
      INDArray g = e.gradients().get(name);
      float[] gv = g == null ? new float[variables.length(name)] : SameDiffInputs.floats(g); // not reached by the loss: zero
      grads.put(name, gv);
      for (float x : gv) {
        sumSq += (double) x * x;
      }
    }
    double norm = Math.sqrt(sumSq);
    double scale = opt.clips() && norm > opt.maxGradNorm() ? opt.maxGradNorm() / (norm + 1e-12) : 1.0;
    step++;
    variables.adam(grads, opt.learningRate(), step, scale);
    Seq2SeqPolicy.LossParts lp = e.parts();
    return new UpdateStats(lp.loss(), lp.policy(), lp.critic(), lp.meanEntropy(), norm, lp.tokens());
  }

  // ---------------------------------------------------------------- decoding

  /** A decoder pass over rows reading {@code sources[srcOf[r]]}: the step graph's if there is one. */
  private Decoder.Pass pass(int[][] sources, int[] srcOf) {
    return stepGraph != null ? new SameDiffStepPass(sd, feed, stepGraph, vocab, sources, srcOf)
        : new SameDiffPrefixPass(sd, feed, logits, vocab, sources, srcOf);
  }

  /** Whether decoding runs a step graph (else it re-runs the graph on the growing prefix). */
  public boolean hasStepGraph() {
    return stepGraph != null;
  }

  private Rollout decode(int[][] sources, int k, int maxLength, Search.TokenChoice choice) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
    }
    int[] srcOf = Objective.repeatIndex(sources.length, k);
    Rollout ro = Search.decode(pass(sources, srcOf), vocab, sources, k, srcOf, maxLength, choice, null, null);
    return heads.isEmpty() ? ro : SameDiffValues.withValues(sd, feed, sequenceValue, stepValues, ro, srcOf);
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength) {
    return decode(sources, samplesPerInput, maxLength, Search.sampling(temperature, rng));
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength, long seed) {
    return decode(sources, samplesPerInput, maxLength, Search.sampling(temperature, new Rng(seed)));
  }

  /** The policy-gradient gradient of every trainable variable, in checkpoint order, without an Adam step. */
  @Override
  public double[] policyGradient(PolicyGradientBatch batch) {
    requireHeads(batch);
    if (batch.ppo() != null) {
      throw new IllegalArgumentException("policyGradient takes a plain policy-gradient batch, not a PPO-clip one");
    }
    Evaluated e = evaluate(Objective.policyGradient(batch));
    int total = 0;
    for (String name : variables.names()) {
      total += variables.length(name);
    }
    double[] g = new double[total];
    int at = 0;
    for (String name : variables.names()) {
      INDArray a = e.gradients().get(name);
      if (a == null) { // not reached by the loss: zero
        at += variables.length(name);
        continue;
      }
      for (float x : SameDiffInputs.floats(a)) {
        g[at++] = x;
      }
    }
    return g;
  }

  @Override
  public Rollout greedy(int[][] sources, int maxLength) {
    return decode(sources, 1, maxLength, Search.greedy());
  }

  /** Beam search as {@link Seq2SeqPolicy#beamSearchWithScores} does it (the same {@link Search#beam}). */
  public Seq2SeqPolicy.BeamResult beamSearchWithScores(int[][] sources, int beamWidth, int maxLength) {
    if (beamWidth < 1) {
      throw new IllegalArgumentException("beamWidth must be >= 1, got " + beamWidth);
    }
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
    }
    Search.Beams b = Search.beam(pass(sources, Objective.repeatIndex(sources.length, beamWidth)), vocab, sources.length, beamWidth, maxLength, () -> greedy(sources, maxLength));
    return new Seq2SeqPolicy.BeamResult(b.hypotheses(), b.scores());
  }

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength) {
    return beamSearchWithScores(sources, beamWidth, maxLength).hypotheses();
  }

  // ---------------------------------------------------------------- weights and checkpoints

  /** The names of the trainable variables, in checkpoint order. */
  public List<String> variableNames() {
    return variables.names();
  }

  /** Sets a trainable variable's values (row-major), e.g. weights trained elsewhere. */
  public void setValues(String name, float[] values) {
    variables.setValues(name, values);
  }

  /** A trainable variable's values, row-major. */
  public float[] values(String name) {
    return variables.values(name);
  }

  /** Writes {@code params.bin} (every trainable variable's values and Adam moments, float bits) and {@code state.properties}. */
  @Override
  public void save(Path directory) throws IOException {
    Checkpoints.writeAtomically(directory, tmp -> {
      variables.write(tmp.resolve("params.bin"));
      Properties st = new Properties();
      st.setProperty("step", Long.toString(step));
      st.setProperty("rngState", Long.toString(rng.state()));
      st.setProperty("format", "seqrl-samediff-1");
      Checkpoints.writeProperties(tmp.resolve("state.properties"), st, "SameDiff policy state");
    });
  }

  @Override
  public void restore(Path directory) throws IOException {
    Path dir = Checkpoints.readable(directory);
    Path bin = dir.resolve("params.bin");
    Map<String, float[][]> staged = variables.read(bin);
    Properties st = Checkpoints.readProperties(dir.resolve("state.properties"));
    // only a file read to the end replaces the policy's state: a bad one leaves it untouched
    variables.apply(staged);
    step = Long.parseLong(st.getProperty("step"));
    rng.setState(Long.parseLong(st.getProperty("rngState")));
  }

  /** Nothing to release by hand: ND4J frees the graph's arrays with the graph (M2.1's SameDiff has no close). */
  @Override
  public void close() {}
}
