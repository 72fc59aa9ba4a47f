package org.seqrl.rl.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.PpoClip;
import org.seqrl.rl.PpoMath;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.Tokens;
import org.seqrl.rl.UpdateStats;

/**
 * An exact softmax policy for tests: one logit vector per (source, prefix), stored in a table
 * that starts at zero (uniform). Its gradients are analytic, so expectations over every
 * output sequence ({@link #enumerate}) can be compared with what sampling estimates.
 *
 * <p>Actions are {@link Tokens#END} and the regular tokens {@code FIRST_REGULAR ..
 * FIRST_REGULAR + vocabularySize - 1}; action index 0 is END. Critic heads: SEQUENCE holds a
 * value per source, STEP a value per (source, prefix). The optimizer is plain SGD with
 * global-norm clipping (no optimizer state), so save/restore only needs the tables and the RNG.
 */
public final class TabularPolicy implements SequencePolicy {

  /** One complete output of {@link #enumerate}: generated tokens (END included when produced). */
  public record Outcome(int[] tokens, int[] hypothesis, double probability) {}

  private final int vocabularySize;
  private final Set<CriticHead> heads;
  private final TreeMap<String, double[]> logits = new TreeMap<>();
  private final TreeMap<String, Double> sequenceValues = new TreeMap<>();
  private final TreeMap<String, Double> stepValues = new TreeMap<>();
  private Random random;
  /** The frozen reference's logits, or null before {@link #freezeReference}. */
  private TreeMap<String, double[]> reference;

  public TabularPolicy(int vocabularySize, Set<CriticHead> heads, long seed) {
    if (vocabularySize < 1) {
      throw new IllegalArgumentException("vocabularySize must be >= 1, got " + vocabularySize);
    }
    this.vocabularySize = vocabularySize;
    this.heads = heads.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(heads));
    this.random = new Random(seed);
  }

  public int actions() {
    return vocabularySize + 1;
  }

  public static int tokenOf(int action) {
    return action == 0 ? Tokens.END : Tokens.FIRST_REGULAR + action - 1;
  }

  public static int actionOf(int token) {
    if (token == Tokens.END) {
      return 0;
    }
    if (token < Tokens.FIRST_REGULAR) {
      throw new IllegalArgumentException("token " + token + " is reserved and cannot be an action");
    }
    return token - Tokens.FIRST_REGULAR + 1;
  }

  /** The table key of a state: the source and the tokens generated so far. */
  public static String key(int[] source, int[] prefix) {
    return Arrays.toString(source) + "|" + Arrays.toString(prefix);
  }

  public static String sourceKey(int[] source) {
    return Arrays.toString(source);
  }

  // ---- table access ------------------------------------------------------------------------

  public double[] logits(int[] source, int[] prefix) {
    return logits.getOrDefault(key(source, prefix), new double[actions()]).clone();
  }

  public double[] logitsByKey(String stateKey) {
    return logits.getOrDefault(stateKey, new double[actions()]).clone();
  }

  public void setLogits(int[] source, int[] prefix, double... values) {
    if (values.length != actions()) {
      throw new IllegalArgumentException("expected " + actions() + " logits, got " + values.length);
    }
    logits.put(key(source, prefix), values.clone());
  }

  /** Adds {@code delta} to one logit (for finite differences). */
  public void nudgeLogit(String stateKey, int action, double delta) {
    logits.computeIfAbsent(stateKey, k -> new double[actions()])[action] += delta;
  }

  public double sequenceValue(int[] source) {
    return sequenceValues.getOrDefault(sourceKey(source), 0.0);
  }

  public double stepValue(int[] source, int[] prefix) {
    return stepValues.getOrDefault(key(source, prefix), 0.0);
  }

  public void setSequenceValue(int[] source, double v) {
    sequenceValues.put(sourceKey(source), v);
  }

  public void setStepValue(int[] source, int[] prefix, double v) {
    stepValues.put(key(source, prefix), v);
  }

  /** Probabilities of the actions at a state, at temperature 1. */
  public double[] probabilities(int[] source, int[] prefix) {
    return softmax(logits(source, prefix), 1.0);
  }

  static double[] softmax(double[] z, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v / temperature);
    }
    double[] p = new double[z.length];
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      p[i] = Math.exp(z[i] / temperature - max);
      sum += p[i];
    }
    for (int i = 0; i < z.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  static double entropy(double[] p) {
    double h = 0;
    for (double q : p) {
      if (q > 0) {
        h -= q * Math.log(q);
      }
    }
    return h;
  }

  // ---- exact enumeration ---------------------------------------------------------------------

  /** Every output the policy can produce for {@code source}, with its exact probability (they sum to 1). */
  public List<Outcome> enumerate(int[] source, int maxLength) {
    List<Outcome> out = new ArrayList<>();
    enumerate(source, new int[0], 1.0, maxLength, out);
    return out;
  }

  private void enumerate(int[] source, int[] prefix, double prob, int maxLength, List<Outcome> out) {
    double[] p = probabilities(source, prefix);
    for (int a = 0; a < p.length; a++) {
      int[] next = Arrays.copyOf(prefix, prefix.length + 1);
      next[prefix.length] = tokenOf(a);
      if (a == 0) {
        out.add(new Outcome(next, prefix.clone(), prob * p[a]));
      } else if (next.length == maxLength) {
        out.add(new Outcome(next, next.clone(), prob * p[a]));
      } else {
        enumerate(source, next, prob * p[a], maxLength, out);
      }
    }
  }

  /** The keys of every state a decode of {@code source} can visit (where a logit matters). */
  public List<String> states(int[] source, int maxLength) {
    List<String> out = new ArrayList<>();
    states(source, new int[0], maxLength, out);
    return out;
  }

  private void states(int[] source, int[] prefix, int maxLength, List<String> out) {
    out.add(key(source, prefix));
    if (prefix.length + 1 == maxLength) {
      return;
    }
    for (int a = 1; a < actions(); a++) {
      int[] next = Arrays.copyOf(prefix, prefix.length + 1);
      next[prefix.length] = tokenOf(a);
      states(source, next, maxLength, out);
    }
  }

  /** A one-row rollout of given generated tokens, with the policy's own log-probabilities and critic outputs. */
  public Rollout rolloutOf(int[][] sources, int samplesPerInput, int[][] generated, int maxLength) {
    int rows = generated.length;
    int[][] tokens = new int[rows][maxLength];
    int[] lengths = new int[rows];
    double[][] lp = new double[rows][maxLength];
    double[][] ent = new double[rows][maxLength];
    double[] seqV = heads.contains(CriticHead.SEQUENCE) ? new double[rows] : null;
    double[][] stepV = heads.contains(CriticHead.STEP) ? new double[rows][maxLength] : null;
    for (int r = 0; r < rows; r++) {
      int[] src = sources[r / samplesPerInput];
      lengths[r] = generated[r].length;
      if (seqV != null) {
        seqV[r] = sequenceValue(src);
      }
      for (int t = 0; t < generated[r].length; t++) {
        int[] prefix = Arrays.copyOf(generated[r], t);
        double[] p = probabilities(src, prefix);
        tokens[r][t] = generated[r][t];
        lp[r][t] = Math.log(p[actionOf(generated[r][t])]);
        ent[r][t] = entropy(p);
        if (stepV != null) {
          stepV[r][t] = stepValue(src, prefix);
        }
      }
    }
    return new Rollout(sources, samplesPerInput, tokens, lengths, lp, ent, seqV, stepV, null);
  }

  // ---- decoding ------------------------------------------------------------------------------

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength) {
    int[][] generated = new int[sources.length * samplesPerInput][];
    for (int r = 0; r < generated.length; r++) {
      int[] src = sources[r / samplesPerInput];
      int[] prefix = new int[0];
      while (prefix.length < maxLength) {
        double[] p = softmax(logits(src, prefix), temperature);
        double u = random.nextDouble();
        int a = p.length - 1;
        double c = 0;
        for (int i = 0; i < p.length; i++) {
          c += p[i];
          if (u < c) {
            a = i;
            break;
          }
        }
        prefix = Arrays.copyOf(prefix, prefix.length + 1);
        prefix[prefix.length - 1] = tokenOf(a);
        if (a == 0) {
          break;
        }
      }
      generated[r] = prefix;
    }
    return rolloutOf(sources, samplesPerInput, generated, maxLength);
  }

  @Override
  public Rollout greedy(int[][] sources, int maxLength) {
    int[][] generated = new int[sources.length][];
    for (int r = 0; r < sources.length; r++) {
      int[] prefix = new int[0];
      while (prefix.length < maxLength) {
        int a = argmax(logits(sources[r], prefix));
        prefix = Arrays.copyOf(prefix, prefix.length + 1);
        prefix[prefix.length - 1] = tokenOf(a);
        if (a == 0) {
          break;
        }
      }
      generated[r] = prefix;
    }
    return rolloutOf(sources, 1, generated, maxLength);
  }

  private static int argmax(double[] z) {
    int best = 0;
    for (int i = 1; i < z.length; i++) {
      if (z[i] > z[best]) {
        best = i;
      }
    }
    return best;
  }

  private record Hyp(int[] tokens, double logProb, boolean finished) {}

  /**
   * Beam search that keeps the {@code beamWidth} best hypotheses, finished or not, and stops when
   * all of them are finished; with width 1 this is exactly greedy decoding.
   */
  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength) {
    int[][] out = new int[sources.length][];
    for (int s = 0; s < sources.length; s++) {
      List<Hyp> beam = List.of(new Hyp(new int[0], 0, false));
      while (beam.stream().anyMatch(h -> !h.finished())) {
        List<Hyp> candidates = new ArrayList<>();
        for (Hyp h : beam) {
          if (h.finished()) {
            candidates.add(h);
            continue;
          }
          double[] p = probabilities(sources[s], h.tokens());
          for (int a = 0; a < p.length; a++) {
            int[] next = Arrays.copyOf(h.tokens(), h.tokens().length + 1);
            next[h.tokens().length] = tokenOf(a);
            candidates.add(new Hyp(next, h.logProb() + Math.log(p[a]), a == 0 || next.length == maxLength));
          }
        }
        candidates.sort(Comparator.comparingDouble(Hyp::logProb).reversed());
        beam = candidates.subList(0, Math.min(beamWidth, candidates.size()));
      }
      int[] best = beam.get(0).tokens();
      int n = best.length > 0 && best[best.length - 1] == Tokens.END ? best.length - 1 : best.length;
      out[s] = Arrays.copyOf(best, n);
    }
    return out;
  }

  // ---- loss and gradient ---------------------------------------------------------------------

  /** The gradient of a loss w.r.t. every table entry it touches, plus the loss parts. */
  public static final class Gradient {
    public final TreeMap<String, double[]> logits = new TreeMap<>();
    public final TreeMap<String, Double> sequenceValues = new TreeMap<>();
    public final TreeMap<String, Double> stepValues = new TreeMap<>();
    public double policyLoss;
    public double entropyTerm;
    public double criticLoss;
    public double loss;
    public double meanEntropy;
    public int tokens;

    public double norm() {
      double s = 0;
      for (double[] g : logits.values()) {
        for (double v : g) {
          s += v * v;
        }
      }
      for (double v : sequenceValues.values()) {
        s += v * v;
      }
      for (double v : stepValues.values()) {
        s += v * v;
      }
      return Math.sqrt(s);
    }

    /** The logit gradient flattened over the given state keys (zeros where untouched). */
    public double[] flatLogits(List<String> stateKeys, int actions) {
      double[] out = new double[stateKeys.size() * actions];
      for (int i = 0; i < stateKeys.size(); i++) {
        double[] g = logits.get(stateKeys.get(i));
        if (g != null) {
          System.arraycopy(g, 0, out, i * actions, actions);
        }
      }
      return out;
    }
  }

  /**
   * The loss of {@link PolicyGradientBatch} recomputed from the current tables (the rollout's
   * tokens are what counts, its stored log-probabilities are ignored) with its analytic gradient.
   */
  public Gradient gradient(PolicyGradientBatch batch) {
    Rollout ro = batch.rollout();
    int n = ro.rows();
    Gradient g = new Gradient();
    double beta = batch.entropyCoefficient();
    double c = batch.criticLossCoefficient();
    double entropySum = 0;
    PpoClip ppo = batch.ppo();
    for (int r = 0; r < n; r++) {
      int[] src = ro.sources()[ro.inputOf(r)];
      int len = ro.lengths()[r];
      for (int t = 0; t < len; t++) {
        int[] prefix = Arrays.copyOf(ro.tokens()[r], t);
        String k = key(src, prefix);
        double[] p = probabilities(src, prefix);
        int a = actionOf(ro.tokens()[r][t]);
        double adv = batch.advantages()[r][t];
        if (ppo != null) {
          // the surrogate's gradient at these parameters is that of -w log p with w = d surrogate / d log p
          double logp = Math.log(p[a]);
          ppo.currentLogProbs()[r][t] = logp;
          adv = PpoMath.tokenWeight(Math.exp(logp - ro.logProbs()[r][t]), adv, ppo.clipRange());
        }
        double h = entropy(p);
        entropySum += h;
        g.policyLoss -= adv * Math.log(p[a]) / n;
        g.entropyTerm -= beta * h / n;
        double[] gz = g.logits.computeIfAbsent(k, x -> new double[actions()]);
        for (int j = 0; j < p.length; j++) {
          // d(-A log p_a)/dz_j = -A (1[j=a] - p_j);  d(-beta H)/dz_j = beta p_j (log p_j + H)
          gz[j] += -adv * ((j == a ? 1 : 0) - p[j]) / n;
          if (beta != 0 && p[j] > 0) {
            gz[j] += beta * p[j] * (Math.log(p[j]) + h) / n;
          }
        }
        if (heads.contains(CriticHead.STEP) && batch.stepTargets() != null) {
          double v = stepValue(src, prefix);
          double target = batch.stepTargets()[r][t];
          double old = ro.stepValues() == null ? v : ro.stepValues()[r][t];
          g.criticLoss += criticLoss(v, old, target, ppo) / n;
          g.stepValues.merge(k, c * criticGradient(v, old, target, ppo) / n, Double::sum);
        }
      }
      g.tokens += len;
      if (heads.contains(CriticHead.SEQUENCE) && batch.sequenceTargets() != null) {
        double v = sequenceValue(src);
        double target = batch.sequenceTargets()[r];
        double old = ro.sequenceValues() == null ? v : ro.sequenceValues()[r];
        g.criticLoss += criticLoss(v, old, target, ppo) / n;
        g.sequenceValues.merge(sourceKey(src), c * criticGradient(v, old, target, ppo) / n, Double::sum);
      }
    }
    if (ppo != null) {
      g.policyLoss = PpoMath.surrogateLoss(batch);
    }
    g.meanEntropy = g.tokens == 0 ? 0 : entropySum / g.tokens;
    g.loss = g.policyLoss + g.entropyTerm + c * g.criticLoss;
    return g;
  }

  private static double criticLoss(double v, double old, double target, PpoClip ppo) {
    return ppo != null && ppo.clipsValues() ? PpoMath.clippedValueLoss(v, old, target, ppo.valueClipRange())
        : (v - target) * (v - target);
  }

  private static double criticGradient(double v, double old, double target, PpoClip ppo) {
    return ppo != null && ppo.clipsValues() ? PpoMath.clippedValueGradient(v, old, target, ppo.valueClipRange())
        : 2 * (v - target);
  }

  /** {@code a * this + b * other}, entry by entry (a mixed objective's gradient). */
  static Gradient mix(double a, Gradient x, double b, Gradient y) {
    Gradient g = new Gradient();
    x.logits.forEach((k, v) -> addScaled(g.logits.computeIfAbsent(k, z -> new double[v.length]), a, v));
    y.logits.forEach((k, v) -> addScaled(g.logits.computeIfAbsent(k, z -> new double[v.length]), b, v));
    x.sequenceValues.forEach((k, v) -> g.sequenceValues.merge(k, a * v, Double::sum));
    x.stepValues.forEach((k, v) -> g.stepValues.merge(k, a * v, Double::sum));
    g.policyLoss = x.policyLoss;
    g.entropyTerm = a * x.entropyTerm;
    g.criticLoss = x.criticLoss;
    g.loss = a * x.loss + b * y.loss;
    g.meanEntropy = x.meanEntropy;
    g.tokens = x.tokens;
    return g;
  }

  private static void addScaled(double[] into, double a, double[] v) {
    for (int i = 0; i < v.length; i++) {
      into[i] += a * v[i];
    }
  }

  /** Teacher-forced NLL (mean over sequences of the summed NLL of target + END) and its gradient. */
  public Gradient mleGradient(int[][] sources, int[][] targets) {
    Gradient g = new Gradient();
    int n = sources.length;
    double entropySum = 0;
    for (int r = 0; r < n; r++) {
      int[] y = Arrays.copyOf(targets[r], targets[r].length + 1);
      y[targets[r].length] = Tokens.END;
      for (int t = 0; t < y.length; t++) {
        int[] prefix = Arrays.copyOf(y, t);
        double[] p = probabilities(sources[r], prefix);
        int a = actionOf(y[t]);
        entropySum += entropy(p);
        g.policyLoss -= Math.log(p[a]) / n;
        double[] gz = g.logits.computeIfAbsent(key(sources[r], prefix), x -> new double[actions()]);
        for (int j = 0; j < p.length; j++) {
          gz[j] += -((j == a ? 1 : 0) - p[j]) / n;
        }
      }
      g.tokens += y.length;
    }
    g.meanEntropy = g.tokens == 0 ? 0 : entropySum / g.tokens;
    g.loss = g.policyLoss;
    return g;
  }

  /** The learning rate of every update so far, in order (what a trainer's schedule asked for). */
  public List<Double> learningRatesSeen() {
    return List.copyOf(learningRates);
  }

  private final List<Double> learningRates = new java.util.ArrayList<>();

  private UpdateStats apply(Gradient g, OptimizerSettings opt) {
    learningRates.add(opt.learningRate());
    double norm = g.norm();
    double scale = opt.learningRate();
    if (opt.clips() && norm > opt.maxGradNorm()) {
      scale *= opt.maxGradNorm() / norm;
    }
    for (Map.Entry<String, double[]> e : g.logits.entrySet()) {
      double[] z = logits.computeIfAbsent(e.getKey(), x -> new double[actions()]);
      for (int j = 0; j < z.length; j++) {
        z[j] -= scale * e.getValue()[j];
      }
    }
    final double s = scale;
    g.sequenceValues.forEach((k, v) -> sequenceValues.merge(k, -s * v, Double::sum));
    g.stepValues.forEach((k, v) -> stepValues.merge(k, -s * v, Double::sum));
    return new UpdateStats(g.loss, g.policyLoss, g.criticLoss, g.meanEntropy, norm, g.tokens);
  }

  @Override
  public UpdateStats update(PolicyGradientBatch batch, OptimizerSettings optimizer) {
    return apply(gradient(batch), optimizer);
  }

  @Override
  public UpdateStats mleStep(int[][] sources, int[][] targets, OptimizerSettings optimizer) {
    return apply(mleGradient(sources, targets), optimizer);
  }

  @Override
  public UpdateStats mixedUpdate(PolicyGradientBatch batch, int[][] targets, double mleWeight,
      OptimizerSettings optimizer) {
    return apply(mix(1 - mleWeight, gradient(batch), mleWeight, mleGradient(batch.rollout().sources(), targets)),
        optimizer);
  }

  @Override
  public void logProbs(Rollout rollout, PolicyParameters parameters, double[][] out) {
    TreeMap<String, double[]> table = parameters == PolicyParameters.CURRENT ? logits : reference;
    if (table == null) {
      throw new IllegalStateException("no reference policy: call freezeReference first");
    }
    for (int r = 0; r < rollout.rows(); r++) {
      int[] src = rollout.sources()[rollout.inputOf(r)];
      Arrays.fill(out[r], 0);
      for (int t = 0; t < rollout.lengths()[r]; t++) {
        double[] z = table.getOrDefault(key(src, Arrays.copyOf(rollout.tokens()[r], t)), new double[actions()]);
        out[r][t] = Math.log(softmax(z, 1.0)[actionOf(rollout.tokens()[r][t])]);
      }
    }
  }

  @Override
  public void freezeReference() {
    reference = new TreeMap<>();
    logits.forEach((k, v) -> reference.put(k, v.clone()));
  }

  @Override
  public boolean hasReference() {
    return reference != null;
  }

  @Override
  public Set<CriticHead> criticHeads() {
    return heads;
  }

  // ---- persistence ---------------------------------------------------------------------------

  private static final String FILE = "tabular-policy.tsv";

  /** Text file: one line per table entry ({@code kind TAB key TAB values}) and the serialised RNG. */
  @Override
  public void save(Path directory) throws IOException {
    Files.createDirectories(directory);
    StringBuilder b = new StringBuilder();
    b.append("vocabulary\t").append(vocabularySize).append('\n');
    logits.forEach((k, v) -> {
      b.append("logit\t").append(k).append('\t');
      for (int i = 0; i < v.length; i++) {
        b.append(i == 0 ? "" : ",").append(v[i]);
      }
      b.append('\n');
    });
    if (reference != null) {
      b.append("reference\n");
      reference.forEach((k, v) -> {
        b.append("reference-logit\t").append(k).append('\t');
        for (int i = 0; i < v.length; i++) {
          b.append(i == 0 ? "" : ",").append(v[i]);
        }
        b.append('\n');
      });
    }
    sequenceValues.forEach((k, v) -> b.append("sequence-value\t").append(k).append('\t').append(v).append('\n'));
    stepValues.forEach((k, v) -> b.append("step-value\t").append(k).append('\t').append(v).append('\n'));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
      o.writeObject(random);
    }
    b.append("rng\t").append(Base64.getEncoder().encodeToString(bytes.toByteArray())).append('\n');
    Files.writeString(directory.resolve(FILE), b.toString(), StandardCharsets.UTF_8);
  }

  @Override
  public void restore(Path directory) throws IOException {
    Path file = directory.resolve(FILE);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    logits.clear();
    sequenceValues.clear();
    stepValues.clear();
    reference = null;
    for (int i = 0; i < lines.size(); i++) {
      String[] f = lines.get(i).split("\t");
      String where = file + " line " + (i + 1);
      switch (f[0]) {
        case "vocabulary" -> {
          if (Integer.parseInt(f[1]) != vocabularySize) {
            throw new IOException(where + ": vocabulary " + f[1] + " but this policy has " + vocabularySize);
          }
        }
        case "logit" -> logits.put(f[1], Arrays.stream(f[2].split(",")).mapToDouble(Double::parseDouble).toArray());
        case "reference" -> reference = new TreeMap<>();
        case "reference-logit" -> reference.put(f[1], Arrays.stream(f[2].split(",")).mapToDouble(Double::parseDouble).toArray());
        case "sequence-value" -> sequenceValues.put(f[1], Double.parseDouble(f[2]));
        case "step-value" -> stepValues.put(f[1], Double.parseDouble(f[2]));
        case "rng" -> {
          try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(f[1])))) {
            random = (Random) in.readObject();
          } catch (ClassNotFoundException e) {
            throw new IOException(where + ": cannot read the RNG state", e);
          }
        }
        default -> throw new IOException(where + ": unknown entry '" + f[0] + "'; expected vocabulary, logit, "
            + "reference, reference-logit, sequence-value, step-value or rng");
      }
    }
  }

  @Override
  public void close() {}
}
