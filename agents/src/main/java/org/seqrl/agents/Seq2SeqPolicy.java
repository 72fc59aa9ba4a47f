package org.seqrl.agents;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.seqrl.agents.Params.Param;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.Tokens;
import org.seqrl.rl.UpdateStats;

/**
 * Encoder-decoder policy in float32 with hand-written forward and backward passes, assembled
 * from parts (docs/agents.md): a {@link SourceEncoder} (an {@link Encoder} of {@link RecurrentCell}s
 * or a {@link TransformerEncoder}), a {@link Decoder} (the {@link RecurrentDecoder} with its
 * {@link DecoderAttention} and {@link OutputLayer}, or the {@link TransformerDecoder}), the {@link SequenceLoss}, the {@link Critics} heads, and {@link Search}
 * written once on top of the decoder role. This class wires them: the forward of an objective,
 * its backward in reverse order, the optimizer step, decoding, and checkpoints.
 *
 * <p>Matrix products go to OpenBLAS ({@link Blas}); everything between them runs as fused loops on
 * Java arrays. Decoder rows read the encoding of their source ({@code sourceOfRow}), so k samples or
 * beams of one source share one encoder pass, forward and backward. PAD and START are never actions.
 *
 * <p>Not thread-safe.
 */
public final class Seq2SeqPolicy implements SequencePolicy {
  private final Seq2SeqConfig cfg;
  final Params params;
  /** Draws sampled tokens. */
  final Rng rng;
  /** Draws dropout masks; separate so that changing dropout does not shift the samples. */
  final Rng dropoutRng;
  private final Blas blas;
  private long step;
  final SourceEncoder encoder;
  final Decoder decoder;
  private final Critics critics;
  private final SequenceLoss tokenLoss = new SequenceLoss(); // keeps its gradient buffer from step to step
  private final EncodingCache encodings = new EncodingCache();
  final KeptSample kept = new KeptSample();
  /** The kept pass of the last seeded (diagnostic) sample, apart from training's. */
  final KeptSample diagnosticKept = new KeptSample();
  /** PPO-clip and MLE-mixed updates, the frozen reference and log-probabilities. */
  private final Seq2SeqRecipes recipes = new Seq2SeqRecipes(this);

  public Seq2SeqPolicy(Seq2SeqConfig cfg) {
    this.cfg = cfg;
    this.params = new Params();
    // one set of spinning threads per process: where Java loops run on RowSplit's threads (attention,
    // the transformer) the products do too; a recurrent model without attention leaves its products
    // to OpenBLAS's threads, which measured as fast (BENCHMARKS.md, "The fast engine's own threads")
    this.blas = new Blas(cfg.transformer() != null || cfg.attention() != Seq2SeqConfig.Attention.NONE);
    Rng init = new Rng(cfg.seed() ^ 0x5EED1A17L);
    this.rng = new Rng(cfg.seed() * 0x9E3779B97F4A7C15L + 12345L);
    this.dropoutRng = new Rng(cfg.seed() * 0xD1B54A32D192ED03L + 777L);
    // the order parameters are made in is the order of their initial draws and of the checkpoint file
    Seq2SeqConfig.Transformer tf = cfg.transformer();
    if (tf == null) {
      Param srcEmb = params.add("src.emb", cfg.sourceVocab(), cfg.embedding(), init, 0.3, true);
      Param tgtEmb = params.add("tgt.emb", cfg.targetVocab(), cfg.embedding(), init, 0.3, true);
      encoder = new Encoder(cfg, blas, params, srcEmb, init, dropoutRng);
      decoder = new RecurrentDecoder(cfg, blas, params, tgtEmb, init, dropoutRng);
    } else {
      // at D^-1/2 a tied output layer starts with unit-scale logits; the input side scales by sqrt(D)
      Param srcEmb = params.add("src.emb", cfg.sourceVocab(), tf.width(), init, 1 / Math.sqrt(tf.width()), true);
      Param tgtEmb = params.add("tgt.emb", cfg.targetVocab(), tf.width(), init, 1 / Math.sqrt(tf.width()), true);
      encoder = new TransformerEncoder(tf, blas, params, srcEmb, init, dropoutRng);
      decoder = new TransformerDecoder(tf, blas, params, tgtEmb, init, dropoutRng);
    }
    critics = new Critics(cfg, blas, params, encoder.width(), decoder.featureWidth(), init);
  }

  public Seq2SeqConfig config() {
    return cfg;
  }

  /** Optimizer steps taken so far. */
  public long steps() {
    return step;
  }

  @Override
  public Set<CriticHead> criticHeads() {
    return cfg.criticHeads();
  }

  // ---------------------------------------------------------------- objectives: forward and backward

  /** Loss parts of one objective: total, token part (weighted NLL), entropy sum term, critic loss, mean entropy. */
  record LossParts(double loss, double policy, double entropyTerm, double critic, double meanEntropy, int tokens) {}

  /**
   * Forward, loss and backward of an objective; gradients are added into the parameters'
   * gradients (the caller zeroes them). Teacher forcing: the decoder reads START then the row's tokens.
   */
  LossParts lossAndGradients(Objective o, boolean training) {
    params.syncMirror();
    return backward(teacherForced(o, training), o);
  }

  Decoder.Pass teacherForced(Objective o, boolean training) {
    int r = o.tokens().length;
    int tt = 0;
    for (int[] y : o.tokens()) {
      tt = Math.max(tt, y.length);
    }
    Tokens.checkIds(o.tokens(), cfg.targetVocab(), "target");
    Encoding en = encode(o.sources(), training);
    int[] inIds = new int[tt * r];
    for (int i = 0; i < r; i++) {
      for (int t = 0; t < tt; t++) {
        inIds[t * r + i] = t == 0 ? Tokens.START : (t - 1 < o.lengths()[i] ? o.tokens()[i][t - 1] : Tokens.PAD);
      }
    }
    return decoder.teacherForced(en, o.sourceOfRow(), inIds, tt, training);
  }

  private Encoding encode(int[][] sources, boolean training) {
    Tokens.checkIds(sources, cfg.sourceVocab(), "source");
    return encoder.encode(sources, training);
  }

  /**
   * Loss and backward of an objective from a kept decoder pass over its rows (teacher-forced, or
   * the decode that sampled them): loss, critics, decoder, encoder.
   */
  LossParts backward(Decoder.Pass pass, Objective o) {
    return backward(pass, pass.keptLogits(), o);
  }

  /** {@link #backward(Decoder.Pass, Objective)} with the pass's kept logits computed already (they cost an output projection). */
  LossParts backward(Decoder.Pass pass, float[] logits, Objective o) {
    Encoding en = pass.encoding();
    SequenceLoss.Result loss = tokenLoss.compute(logits, decoder.vocab(), pass.rows(), pass.steps(), o);
    double stabilizer = stabilizeNorms(pass, o, logits, loss.dLogits());
    Critics.Result critic = critics.backward(o, en, pass);
    Decoder.EncodingGradient g = pass.backward(loss.dLogits(), critic.dFeatures());
    float[] dFin = g.finals();
    if (critic.dFinals() != null) {
      Mat.axpy(1f, critic.dFinals(), 0, dFin, 0, dFin.length);
    }
    encoder.backward(en, g.outputs(), dFin, g.memory());
    double total = loss.crossEntropy() - loss.entropyTerm() + o.criticCoefficient() * critic.loss() + stabilizer;
    int tokens = loss.tokens();
    return new LossParts(total, loss.nll(), loss.entropyTerm(), critic.loss(), tokens == 0 ? 0 : loss.entropySum() / tokens,
        tokens);
  }

  /**
   * The norm-stabilizer term of the loss (0 when off), on the decoder's hidden states (its gradient
   * goes with the pass's backward), those and the encoder's (its gradient goes with the encoding's
   * backward) or on the logits (into {@code dLogits}; step t's logits against
   * step t − 1's, so a row's first step has no term).
   */
  private double stabilizeNorms(Decoder.Pass pass, Objective o, float[] logits, float[] dLogits) {
    double beta = cfg.normStabilizer();
    if (beta == 0) {
      return 0;
    }
    switch (cfg.normStabilizerOn()) {
      case HIDDEN:
        return pass.stabilizeHidden(beta, o.rowsNorm(), o.lengths());
      case ENCODER_AND_HIDDEN: // the encoder's term per source, the decoder's per row, as each loss counts them
        return encoder.stabilizeHidden(pass.encoding(), beta) + pass.stabilizeHidden(beta, o.rowsNorm(), o.lengths());
      default:
        break;
    }
    int v = decoder.vocab();
    int r = pass.rows();
    return NormStabilizer.apply(beta, o.rowsNorm(), logits, logits, -r * v, 1, pass.steps(), r, v, o.lengths(), dLogits,
        dLogits);
  }

  // ---------------------------------------------------------------- training

  private UpdateStats optimize(Objective o, Decoder.Pass keptPass, OptimizerSettings opt) {
    params.zeroGrad();
    params.syncMirror();
    LossParts lp = keptPass != null ? backward(keptPass, o) : lossAndGradients(o, true);
    double norm = adamStep(opt);
    return new UpdateStats(lp.loss(), lp.policy(), lp.critic(), lp.meanEntropy(), norm, lp.tokens());
  }

  /** Clips the accumulated gradient, takes an Adam step; returns the norm before clipping. */
  double adamStep(OptimizerSettings opt) {
    double norm = params.gradNorm();
    double scale = opt.clips() && norm > opt.maxGradNorm() ? opt.maxGradNorm() / (norm + 1e-12) : 1.0;
    step++;
    params.adam(opt.learningRate(), step, scale);
    return norm;
  }

  @Override
  public UpdateStats mixedUpdate(PolicyGradientBatch batch, int[][] targets, double mleWeight,
      OptimizerSettings optimizer) {
    return recipes.mixedUpdate(batch, targets, mleWeight, optimizer);
  }

  // ---------------------------------------------------------------- reference policy and log-probabilities

  @Override
  public void freezeReference() {
    recipes.freezeReference();
  }

  @Override
  public void updateAverage(double decay) {
    params.updateAverage(decay);
  }

  @Override
  public boolean hasAverage() {
    return params.hasAverage();
  }

  @Override
  public void swapAverage() {
    params.swapAverage();
  }

  @Override
  public void adoptAverage() {
    params.adoptAverage();
  }

  @Override
  public boolean hasReference() {
    return recipes.hasReference();
  }

  @Override
  public void logProbs(Rollout rollout, PolicyParameters parameters, double[][] out) {
    recipes.logProbs(rollout, parameters, out);
  }

  @Override
  public UpdateStats mleStep(int[][] sources, int[][] targets, OptimizerSettings optimizer) {
    if (sources.length != targets.length) {
      throw new IllegalArgumentException("mleStep: " + sources.length + " sources but " + targets.length + " targets");
    }
    kept.clear();
    return optimize(Objective.mle(sources, targets, cfg.labelSmoothing()), null, optimizer);
  }

  @Override
  public UpdateStats update(PolicyGradientBatch batch, OptimizerSettings optimizer) {
    requireHeadsFor(batch);
    // decoding runs without dropout; an update whose encoder draws dropout must run its own forward
    Decoder.Pass pass = kept.take(batch.rollout(), params.version(), !encoder.random(true) && !decoder.random(true));
    return batch.ppo() == null ? optimize(Objective.policyGradient(batch), pass, optimizer)
        : recipes.optimizeClipped(batch, pass, optimizer);
  }

  void requireHeadsFor(PolicyGradientBatch batch) {
    if (batch.sequenceTargets() != null && !cfg.criticHeads().contains(CriticHead.SEQUENCE)
        || batch.stepTargets() != null && !cfg.criticHeads().contains(CriticHead.STEP)) {
      throw new IllegalArgumentException("the batch has targets for a critic head this policy does not carry; heads: "
          + cfg.criticHeads() + " (set model.criticHeads)");
    }
  }

  /** Updates that started from a sample's kept pass (for tests). */
  int tracedUpdates() {
    return kept.reused();
  }

  // ---------------------------------------------------------------- decoding

  /** The encoding for decoding (no dropout), reused when the sources and parameters are those of the previous decode. */
  private Encoding encodeForDecoding(int[][] sources) {
    return encodings.get(sources, params.version(), s -> encode(s, false));
  }

  /** A decoder pass over {@code k} rows per source ({@link EnsemblePolicy} steps its members' together). */
  Decoder.Pass start(int[][] sources, int k, int maxLength, boolean keep) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
    }
    params.syncMirror();
    return decoder.start(encodeForDecoding(sources), Objective.repeatIndex(sources.length, k), maxLength, keep);
  }

  private Rollout decode(Decoder.Pass pass, int[][] sources, int k, int maxLength, Search.TokenChoice choice) {
    return Search.decode(pass, decoder.vocab(), sources, k, pass.sourceOfRow(), maxLength, choice, critics.step,
        critics.sequenceValues(pass.encoding(), pass.sourceOfRow()));
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength) {
    Search.TokenChoice choice = Search.sampling(temperature, rng); // checks the temperature before anything moves
    kept.clear();
    // a sample is usually followed by an update on it: keep its pass when it is small enough
    boolean keep = KeptSample.fits(sources.length * samplesPerInput, maxLength, keptWidth());
    Decoder.Pass pass = start(sources, samplesPerInput, maxLength, keep);
    Rollout rollout = decode(pass, sources, samplesPerInput, maxLength, choice);
    if (keep) {
      kept.keep(rollout, pass, params.version());
    }
    return rollout;
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength, long seed) {
    Search.TokenChoice choice = Search.sampling(temperature, new Rng(seed)); // checks the temperature first
    // a generator of its own, and a kept pass of its own for policyGradient: training's stay as they were
    diagnosticKept.clear();
    boolean keep = KeptSample.fits(sources.length * samplesPerInput, maxLength, keptWidth());
    Decoder.Pass pass = start(sources, samplesPerInput, maxLength, keep);
    Rollout rollout = decode(pass, sources, samplesPerInput, maxLength, choice);
    if (keep) {
      diagnosticKept.keep(rollout, pass, params.version());
    }
    return rollout;
  }

  @Override
  public double[] policyGradient(PolicyGradientBatch batch) {
    return recipes.policyGradient(batch);
  }

  /** Floats a kept pass holds per row and step, about: the hidden size, or a transformer's activations. */
  private int keptWidth() {
    Seq2SeqConfig.Transformer tf = cfg.transformer();
    return tf == null ? cfg.hidden() * cfg.decoderLayers() : tf.decoderLayers() * (16 * tf.width() + tf.feedForward());
  }

  @Override
  public Rollout greedy(int[][] sources, int maxLength) {
    return decode(start(sources, 1, maxLength, false), sources, 1, maxLength, Search.greedy());
  }

  /**
   * Beam search, and the score of each returned hypothesis.
   *
   * <p>A hypothesis is the tokens before END; its score is the plain sum of its tokens'
   * log-probabilities, END's included when it ended (no length normalisation). Each step extends
   * every live hypothesis by every action and takes the extensions best first: an END extension is
   * a finished candidate, any other fills one of the {@code beamWidth} live slots, until the slots
   * are full. The search of a source stops once its best finished score is at least its best live
   * one (scores only fall as a hypothesis grows); at {@code maxLength} the unfinished hypotheses
   * compete with their scores as they stand. With {@code beamWidth > 1} the greedy hypothesis
   * competes too, so a beam never returns a less likely sequence than greedy decoding; width 1 is
   * greedy decoding, and a width of at least (actions other than END)^maxLength prunes nothing:
   * exhaustive search ({@code DecodingTest} checks such a width against brute-force search over
   * every sequence, and narrower ones against a textbook beam on teacher-forced scores).
   */
  public BeamResult beamSearchWithScores(int[][] sources, int beamWidth, int maxLength) {
    return beamSearchWithScores(sources, beamWidth, maxLength, 0);
  }

  /**
   * {@link #beamSearchWithScores(int[][], int, int)} with GNMT's coverage penalty of weight
   * {@code coveragePenalty} in the ranking of finished hypotheses (0: none); the scores are the
   * ranking scores, log-probability plus penalty. Needs attention when above 0.
   */
  public BeamResult beamSearchWithScores(int[][] sources, int beamWidth, int maxLength, double coveragePenalty) {
    Search.Beams b = beams(sources, beamWidth, maxLength, coveragePenalty, 1);
    return new BeamResult(b.hypotheses(), b.scores());
  }

  private Search.Beams beams(int[][] sources, int beamWidth, int maxLength, double coveragePenalty, int n) {
    if (beamWidth < 1) {
      throw new IllegalArgumentException("beamWidth must be >= 1, got " + beamWidth);
    }
    Search.Coverage coverage = coverage(sources, coveragePenalty, cfg.transformer() == null && cfg.attention() == Seq2SeqConfig.Attention.NONE);
    Decoder.Pass pass = start(sources, beamWidth, maxLength, false);
    return Search.beam(pass, decoder.vocab(), sources.length, beamWidth, maxLength, () -> greedy(sources, maxLength),
        coverage, n);
  }

  /** The coverage penalty's settings for these sources, or null when its weight is 0. */
  static Search.Coverage coverage(int[][] sources, double coveragePenalty, boolean noAttention) {
    if (!(coveragePenalty >= 0) || Double.isInfinite(coveragePenalty)) {
      throw new IllegalArgumentException("coveragePenalty must be a finite number >= 0, got " + coveragePenalty);
    }
    if (coveragePenalty == 0) {
      return null;
    }
    if (noAttention) {
      throw new IllegalArgumentException("a coverage penalty needs attention (model.attention additive, dot or location, or a transformer)");
    }
    int[] lengths = new int[sources.length];
    for (int i = 0; i < sources.length; i++) {
      lengths[i] = sources[i].length;
    }
    return new Search.Coverage(coveragePenalty, lengths);
  }

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength, double coveragePenalty) {
    return beamSearchWithScores(sources, beamWidth, maxLength, coveragePenalty).hypotheses();
  }

  @Override
  public int[][][] beamSearchNBest(int[][] sources, int beamWidth, int maxLength, double coveragePenalty, int n) {
    return beams(sources, beamWidth, maxLength, coveragePenalty, n).nBest();
  }

  /** Best hypotheses (tokens before the end) and their total log-probabilities. */
  public record BeamResult(int[][] hypotheses, double[] scores) {}

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength) {
    return beamSearchWithScores(sources, beamWidth, maxLength).hypotheses();
  }

  /**
   * An NTM's memory at work (issue 17): the first write head's and the first read head's weighting
   * over the slots at every encoder step of {@code source} (top layer, left to right), then at
   * every decoder step reading START and then {@code output} (teacher-forced, so the rows are the
   * steps that produced {@code output} and END); null when the cell is not an NTM.
   */
  public MemoryTrace memoryTrace(int[] source, int[] output) {
    if (cfg.cell() != Seq2SeqConfig.CellType.NTM) {
      return null;
    }
    params.syncMirror();
    Encoding en = encode(new int[][] {source}, false);
    int[] in = new int[output.length + 1];
    in[0] = Tokens.START;
    System.arraycopy(output, 0, in, 1, output.length);
    Decoder.Pass pass = decoder.teacherForced(en, new int[] {0}, in, in.length, false);
    CellRun enc = en.runs[en.runs.length - 1][0];
    CellRun dec = ((RecurrentDecoder) decoder).cellRun(pass);
    return NtmMemoryTrace.of(cfg.memory(), enc, source.length, dec, in.length);
  }

  /** Write and read weightings [steps][slots], the encoder's {@code sourceSteps} rows first. */
  public record MemoryTrace(int sourceSteps, float[][] write, float[][] read) {}

  // ---------------------------------------------------------------- checkpoints

  /** Where {@link #save} keeps the reference, inside the policy's own checkpoint folder. */
  static final String REFERENCE_DIR = "reference";

  @Override
  public void save(Path directory) throws IOException {
    Checkpoints.save(directory, cfg, params, step, rng.state(), dropoutRng.state());
    recipes.saveReference(directory.resolve(REFERENCE_DIR));
  }

  @Override
  public void restore(Path directory) throws IOException {
    Checkpoints.State s = Checkpoints.restore(directory, cfg, params);
    params.markChanged();
    step = s.step();
    rng.setState(s.rngState());
    dropoutRng.setState(s.dropoutRngState());
    // the checkpoint says whether there is a reference: a model saved before RL has none
    recipes.restoreReference(directory.resolve(REFERENCE_DIR));
  }

  @Override
  public void close() {
    recipes.closeReference();
    kept.clear();
    diagnosticKept.clear();
    encodings.clear();
    blas.close();
    params.close();
  }
}
