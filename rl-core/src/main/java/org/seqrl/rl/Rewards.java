package org.seqrl.rl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.seqrl.metrics.Chrf;
import org.seqrl.metrics.ExactMatch;
import org.seqrl.metrics.Levenshtein;
import org.seqrl.metrics.NltkBleu;
import org.seqrl.metrics.NltkSmoothing;
import org.seqrl.metrics.SacreBleu;
import org.seqrl.metrics.SacreSmoothing;
import org.seqrl.metrics.SymbolErrors;

/** The built-in rewards as adapters over {@code metrics}, and their weighted sums. */
public final class Rewards {
  private Rewards() {}

  /** Sentence BLEU with nltk's semantics (4-gram uniform weights) on token ids, in [0, 1]. */
  public static Reward bleu(NltkSmoothing smoothing) {
    return named("bleu", (h, r) -> NltkBleu.sentenceBleu(h, r, smoothing));
  }

  /** Minus the smallest token edit distance to any reference, in (-inf, 0]. */
  public static Reward levenshtein() {
    return named("levenshtein", (h, r) -> -Levenshtein.minDistance(h, r));
  }

  /**
   * Minus the smallest edit distance divided by the length of the reference that attains it
   * (see {@link Levenshtein#normalizedDistance(int[], int[][])}), so that long and short
   * targets weigh alike; 0 is perfect.
   */
  public static Reward levenshteinNormalized() {
    return named("levenshtein-normalized", (h, r) -> -Levenshtein.normalizedDistance(h, r));
  }

  /**
   * Minus the position-wise symbol errors against the reference with the fewest (wrong, missing and
   * extra positions, {@link SymbolErrors}) over that reference's length: the per-symbol error of the
   * NTM paper's tasks as a reward, 0 when perfect, below -1 when an output runs long.
   */
  public static Reward symbolError() {
    return named("symbol-error", (h, r) -> {
      int[] closest = SymbolErrors.closest(h, r);
      // 0.0 - x, not -x: a perfect output scores +0.0, not -0.0.
      return 0.0 - (double) SymbolErrors.count(h, closest) / Math.max(1, closest.length);
    });
  }

  /**
   * chrF (sacrebleu's defaults, 0-100) on the detokenised text: tokens joined without spaces at
   * character level, with single spaces at word level.
   */
  public static Reward chrf(IntFunction<String> tokenText, boolean characterLevel) {
    String sep = characterLevel ? "" : " ";
    return named("chrf", (h, r) -> {
      List<String> refs = new ArrayList<>(r.length);
      for (int[] ref : r) {
        refs.add(text(ref, tokenText, sep));
      }
      return Chrf.sentenceScore(text(h, tokenText, sep), refs);
    });
  }

  /**
   * sacreBLEU's sentence BLEU (13a tokenizer, exp smoothing, effective order; 0-100) on the
   * detokenised text, joined as for {@link #chrf}.
   */
  public static Reward sacrebleu(IntFunction<String> tokenText, boolean characterLevel) {
    String sep = characterLevel ? "" : " ";
    SacreBleu scorer = new SacreBleu(SacreSmoothing.EXP);
    return named("sacrebleu", (h, r) -> {
      List<String> refs = new ArrayList<>(r.length);
      for (int[] ref : r) {
        refs.add(text(ref, tokenText, sep));
      }
      return scorer.sentenceScore(text(h, tokenText, sep), refs);
    });
  }

  /**
   * Minus the length difference to the reference of the closest length (ties to the shorter, as
   * in BLEU's brevity penalty), relative to that length: {@code -|h - r| / max(1, r)}; 0 when the
   * lengths match. A term for weighted sums that keeps sampled lengths near the references'.
   */
  public static Reward lengthPenalty() {
    return named("length-penalty", (h, r) -> {
      if (r.length == 0) {
        return 0.0;
      }
      int closest = r[0].length;
      for (int[] ref : r) {
        int d = Math.abs(h.length - ref.length);
        int best = Math.abs(h.length - closest);
        if (d < best || (d == best && ref.length < closest)) {
          closest = ref.length;
        }
      }
      return -Math.abs(h.length - closest) / (double) Math.max(1, closest);
    });
  }

  /**
   * Minus the share of the hypothesis's bigrams that repeat an earlier bigram of the same
   * hypothesis (1 - distinct-2); 0 for fewer than two tokens or no repeats. Penalises loops.
   */
  public static Reward repetitionPenalty() {
    return named("repetition-penalty", (h, r) -> {
      if (h.length < 2) {
        return 0.0;
      }
      java.util.Set<Long> seen = new java.util.HashSet<>();
      int repeats = 0;
      for (int i = 1; i < h.length; i++) {
        if (!seen.add(((long) h[i - 1] << 32) | (h[i] & 0xffffffffL))) {
          repeats++;
        }
      }
      return -repeats / (double) (h.length - 1);
    });
  }

  /** 1 when the hypothesis equals some reference, else 0. */
  public static Reward exactMatch() {
    return named("exact-match", ExactMatch::score);
  }

  /** Σ w_i R_i, reporting every R_i as a component. */
  public static Reward weightedSum(Map<Reward, Double> weights) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("a weighted sum needs at least one reward");
    }
    Map<Reward, Double> parts = new LinkedHashMap<>(weights);
    // Components are reported by name, so two parts with one name would hide each other's metric.
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Map.Entry<Reward, Double> e : parts.entrySet()) {
      if (!names.add(e.getKey().name())) {
        throw new IllegalArgumentException("a weighted sum has two parts named '" + e.getKey().name()
            + "'; each part is logged as rl/reward_<name>, so names must differ");
      }
      if (!Double.isFinite(e.getValue())) {
        throw new IllegalArgumentException("weight of reward '" + e.getKey().name() + "' must be finite, got "
            + e.getValue());
      }
    }
    String name = String.join("+", parts.entrySet().stream().map(e -> e.getValue() + "*" + e.getKey().name()).toList());
    return new Reward() {
      @Override
      public double score(int[] hypothesis, int[][] references) {
        double sum = 0;
        for (Map.Entry<Reward, Double> e : parts.entrySet()) {
          sum += e.getValue() * e.getKey().score(hypothesis, references);
        }
        return sum;
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public Map<String, Double> components(int[] hypothesis, int[][] references) {
        Map<String, Double> c = new LinkedHashMap<>();
        parts.keySet().forEach(r -> c.put(r.name(), r.score(hypothesis, references)));
        return c;
      }
    };
  }

  /**
   * Scores every row of a rollout against its input's references.
   *
   * @throws IllegalStateException naming the reward and the row when a score is NaN or infinite
   */
  public static double[] scoreRows(Reward reward, Rollout rollout, int[][][] references) {
    double[] r = new double[rollout.rows()];
    for (int row = 0; row < r.length; row++) {
      r[row] = checked(reward, reward.score(rollout.hypothesis(row), references[rollout.inputOf(row)]), row);
    }
    return r;
  }

  static double checked(Reward reward, double value, int row) {
    if (!Double.isFinite(value)) {
      throw new IllegalStateException("reward '" + reward.name() + "' returned " + value + " for rollout row " + row
          + "; a reward must be finite");
    }
    return value;
  }

  private static String text(int[] ids, IntFunction<String> tokenText, String sep) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < ids.length; i++) {
      if (i > 0) {
        b.append(sep);
      }
      b.append(tokenText.apply(ids[i]));
    }
    return b.toString();
  }

  /** A reward from a function and a name. */
  public static Reward named(String name, java.util.function.ToDoubleBiFunction<int[], int[][]> f) {
    return new Reward() {
      @Override
      public double score(int[] hypothesis, int[][] references) {
        return f.applyAsDouble(hypothesis, references);
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }
}
