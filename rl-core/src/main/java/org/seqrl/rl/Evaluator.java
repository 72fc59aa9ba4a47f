package org.seqrl.rl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrl.metrics.Levenshtein;
import org.seqrl.metrics.NltkBleu;
import org.seqrl.metrics.NltkSmoothing;
import org.seqrl.metrics.SymbolErrors;

/**
 * Decodes held-out inputs greedily (and with beam search when the width is above 1) and reports
 * the mean of every metric: the standard set (BLEU, minimum edit distance, edit-distance rate,
 * exact match, position-wise symbol error) plus the given named metrics, and a few samples for
 * people to read.
 */
public final class Evaluator {
  /**
   * The metrics every evaluation reports, before the extra ones, with the direction in which each
   * improves. Extra metrics are {@link Reward}s, so they improve upwards.
   */
  static final Map<String, MetricDirection> STANDARD = standardMetrics();

  private static Map<String, MetricDirection> standardMetrics() {
    Map<String, MetricDirection> m = new LinkedHashMap<>();
    m.put("bleu", MetricDirection.MAX);
    m.put("levenshtein", MetricDirection.MIN);
    m.put("levenshtein_rate", MetricDirection.MIN);
    m.put("exact_match", MetricDirection.MAX);
    // The G2P literature's names: PER = total edit distance / total length of the closest references
    // (the same number as levenshtein_rate), WER = the share of outputs with any error.
    m.put("per", MetricDirection.MIN);
    m.put("wer", MetricDirection.MIN);
    // Position-wise errors per reference symbol (wrong, missing and extra positions; SymbolErrors), the
    // per-symbol error of the NTM paper's algorithmic tasks, where a shifted copy is wrong everywhere.
    m.put("symbol_error", MetricDirection.MIN);
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Greedy results are {@code eval/<name>}, beam results {@code eval/beam/<name>}. */
  public static final String PREFIX = "eval/";
  public static final String BEAM_PREFIX = "eval/beam/";

  private final SequencePolicy policy;
  private final List<NamedMetric> metrics;
  private final int maxLength;
  private final int batchSize;
  private final int beamWidth;
  private final int samples;
  private final double coveragePenalty;

  /**
   * @param metrics extra metrics, reported as {@code eval/<name>}
   * @param beamWidth 0 or 1: greedy only; above 1: also beam search, reported as {@code eval/beam/<name>}
   * @param samples how many leading examples to return as {@link Sample}s
   */
  public Evaluator(SequencePolicy policy, List<NamedMetric> metrics, int maxLength, int batchSize, int beamWidth,
      int samples) {
    this(policy, metrics, maxLength, batchSize, beamWidth, samples, 0);
  }

  /**
   * @param coveragePenalty weight of the coverage penalty in beam search's ranking
   *     ({@link SequencePolicy#beamSearch(int[][], int, int, double)}); 0 for none
   */
  public Evaluator(SequencePolicy policy, List<NamedMetric> metrics, int maxLength, int batchSize, int beamWidth,
      int samples, double coveragePenalty) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    for (NamedMetric m : metrics) {
      // A same-named extra metric would silently overwrite a standard one of another sign or scale.
      if (STANDARD.containsKey(m.name())) {
        throw new IllegalArgumentException("evaluation metric '" + m.name() + "' would overwrite the standard metric "
            + "eval/" + m.name() + "; choose a name other than " + String.join(", ", STANDARD.keySet()));
      }
    }
    this.policy = policy;
    this.metrics = List.copyOf(metrics);
    this.maxLength = maxLength;
    this.batchSize = batchSize;
    this.beamWidth = beamWidth;
    this.samples = samples;
    this.coveragePenalty = coveragePenalty;
  }

  /**
   * Every key an evaluation with these extra metric names and this beam width reports, greedy
   * first, so that a config can check a metric name before a run starts.
   */
  public static List<String> metricKeys(List<String> extraNames, int beamWidth) {
    List<String> names = new ArrayList<>(STANDARD.keySet());
    names.addAll(extraNames);
    List<String> keys = new ArrayList<>();
    names.forEach(n -> keys.add(PREFIX + n));
    if (beamWidth > 1) {
      names.forEach(n -> keys.add(BEAM_PREFIX + n));
    }
    return keys;
  }

  /**
   * Which way an evaluation metric improves: the standard distances and rates downwards, BLEU,
   * exact match and every extra metric (a reward) upwards; empty for keys outside {@code eval/}.
   */
  public static java.util.Optional<MetricDirection> direction(String key) {
    if (!key.startsWith(PREFIX)) {
      return java.util.Optional.empty();
    }
    String name = key.startsWith(BEAM_PREFIX) ? key.substring(BEAM_PREFIX.length()) : key.substring(PREFIX.length());
    return java.util.Optional.of(STANDARD.getOrDefault(name, MetricDirection.MAX));
  }

  /** The greedy hypotheses (tokens before the end) that {@link #evaluate} scores, decoded the same way. */
  public int[][] greedy(int[][] sources) {
    return greedy(sources, new double[0][][]);
  }

  /** Greedy hypotheses in batches; the attention of the first {@code attention.length} rows goes into it. */
  private int[][] greedy(int[][] sources, double[][][] attention) {
    int n = sources.length;
    int[][] greedy = new int[n][];
    for (int from = 0; from < n; from += batchSize) {
      int to = Math.min(n, from + batchSize);
      Rollout r = policy.greedy(Arrays.copyOfRange(sources, from, to), maxLength);
      for (int i = 0; i < r.rows(); i++) {
        greedy[from + i] = r.hypothesis(i);
        if (from + i < attention.length && r.attention() != null) {
          attention[from + i] = r.attention()[i];
        }
      }
    }
    return greedy;
  }

  public EvaluationEvent evaluate(long step, String split, int[][] sources, int[][][] references) {
    int n = sources.length;
    double[][][] attention = new double[Math.min(samples, n)][][];
    int[][] greedy = greedy(sources, attention);
    Map<String, Double> out = new LinkedHashMap<>(score(PREFIX, greedy, references));
    if (beamWidth > 1) {
      int[][] beam = new int[n][];
      for (int from = 0; from < n; from += batchSize) {
        int to = Math.min(n, from + batchSize);
        int[][] b = policy.beamSearch(Arrays.copyOfRange(sources, from, to), beamWidth, maxLength, coveragePenalty);
        System.arraycopy(b, 0, beam, from, b.length);
      }
      out.putAll(score(BEAM_PREFIX, beam, references));
    }
    List<Sample> list = new ArrayList<>();
    int shown = Math.min(samples, n);
    if (shown > 0) {
      Reward main = metrics.isEmpty() ? Rewards.levenshtein() : metrics.get(0).metric();
      int[][] head = Arrays.copyOf(sources, shown);
      Rollout sampled = policy.sample(head, 1, 1.0, maxLength);
      for (int i = 0; i < shown; i++) {
        int[] s = sampled.hypothesis(i);
        list.add(new Sample(sources[i], references[i], greedy[i], main.score(greedy[i], references[i]), s,
            main.score(s, references[i]), attention[i]));
      }
    }
    return new EvaluationEvent(step, split, out, list);
  }

  private Map<String, Double> score(String prefix, int[][] hyps, int[][][] refs) {
    int n = hyps.length;
    double bleu = 0;
    double lev = 0;
    double exact = 0;
    long distanceSum = 0;
    long lengthSum = 0;
    long symbolErrorSum = 0;
    long symbolLengthSum = 0;
    double[] extra = new double[metrics.size()];
    NltkSmoothing smoothing = NltkSmoothing.parse("method1");
    for (int i = 0; i < n; i++) {
      bleu += NltkBleu.sentenceBleu(hyps[i], refs[i], smoothing);
      Closest c = closest(hyps[i], refs[i]);
      int[] closest = c.reference();
      int d = c.distance();
      lev += d;
      distanceSum += d;
      lengthSum += closest.length;
      exact += d == 0 ? 1 : 0;
      int[] hammingClosest = SymbolErrors.closest(hyps[i], refs[i]);
      symbolErrorSum += SymbolErrors.count(hyps[i], hammingClosest);
      symbolLengthSum += hammingClosest.length;
      for (int m = 0; m < extra.length; m++) {
        extra[m] += Rewards.checked(metrics.get(m).metric(), metrics.get(m).metric().score(hyps[i], refs[i]), i);
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    double count = Math.max(1, n);
    out.put(prefix + "bleu", bleu / count);
    out.put(prefix + "levenshtein", lev / count);
    // Errors per reference token over the split (phoneme/character error rate).
    out.put(prefix + "levenshtein_rate", (double) distanceSum / Math.max(1, lengthSum));
    out.put(prefix + "exact_match", exact / count);
    out.put(prefix + "per", (double) distanceSum / Math.max(1, lengthSum));
    out.put(prefix + "wer", n == 0 ? 0.0 : 1.0 - exact / n);
    out.put(prefix + "symbol_error", (double) symbolErrorSum / Math.max(1, symbolLengthSum));
    for (int m = 0; m < extra.length; m++) {
      out.put(prefix + metrics.get(m).name(), extra[m] / count);
    }
    return out;
  }

  /** The reference at the smallest edit distance; ties go to the longest, as in the normalized distance. */
  static int[] closestReference(int[] hyp, int[][] refs) {
    return closest(hyp, refs).reference();
  }

  /** The closest reference with its distance, so that scoring computes each distance once. */
  private record Closest(int[] reference, int distance) {}

  private static Closest closest(int[] hyp, int[][] refs) {
    if (refs.length == 0) {
      return new Closest(new int[0], hyp.length);
    }
    int[] best = refs[0];
    int bestD = Integer.MAX_VALUE;
    for (int[] r : refs) {
      int d = Levenshtein.distance(hyp, r);
      if (d < bestD || (d == bestD && r.length > best.length)) {
        bestD = d;
        best = r;
      }
    }
    return new Closest(best, bestD);
  }
}
