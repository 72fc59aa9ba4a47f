package org.seqrl.experiments.config;

import java.util.List;
import org.seqrl.rl.Evaluator;
import org.seqrl.rl.MetricDirection;

/**
 * Evaluation on dev every {@code every} steps. {@code devSize} 0 means all of dev; a
 * {@code beamWidth} above 1 also evaluates beam search, ranking finished hypotheses with GNMT's
 * coverage penalty of weight {@code coveragePenalty} when it is above 0. The checkpoint with the best
 * {@code bestMetric} is kept; which way is better is the metric's own property
 * ({@link Evaluator#direction}); {@code bestMode} may be given, but only to say the same.
 */
public record EvalConfig(int every, int devSize, int beamWidth, String bestMetric, MetricDirection bestMode,
                         int samples, int heatmaps, double coveragePenalty) {
  /** The metrics a run evaluates besides the evaluator's standard ones and its reward: chrF and sacreBLEU. */
  public static final List<String> EXTRA_METRICS = List.of("chrf", "sacrebleu");
  /** {@code eval/reward} (and {@code eval/beam/reward}) in {@code best_metric} means the run's reward, whatever it is. */
  public static final String REWARD_ALIAS = "reward";

  public EvalConfig {
    Checks.atLeast("eval.every", every, 1);
    Checks.atLeast("eval.dev_size", devSize, 0);
    Checks.between("eval.beam_width", beamWidth, 1, 64);
    if (bestMetric == null || !bestMetric.matches("eval/(beam/)?[A-Za-z0-9_.+-]+")) {
      throw new InvalidConfigException("eval.best_metric", (bestMetric == null ? "an empty value" : "'" + bestMetric + "'")
          + " is not an evaluation metric; expected eval/<name>, e.g. eval/levenshtein_rate");
    }
    // Whether the evaluation reports it is checked where the reward is known (SeqrlConfig).
    MetricDirection direction = Evaluator.direction(bestMetric).orElseThrow();
    if (bestMode != null && bestMode != direction) {
      throw InvalidConfigException.conflict("eval.best_mode", "'" + ConfigChoice.spelling(bestMode) + "' contradicts "
          + bestMetric + ", which is better when " + (direction == MetricDirection.MAX ? "higher" : "lower")
          + "; expected " + ConfigChoice.spelling(direction) + ", or leave eval.best_mode out");
    }
    Checks.atLeast("eval.samples", samples, 0);
    Checks.atLeast("eval.heatmaps", heatmaps, 0);
    Checks.nonNegative("eval.coverage_penalty", coveragePenalty);
  }

  public static EvalConfig defaults() {
    return new EvalConfig(200, 0, 1, "eval/levenshtein_rate", null, 8, 4, 0);
  }

  /** The evaluation metric of the reward named {@code rewardName}, e.g. {@code reward_bleu}. */
  public static String rewardMetricName(String rewardName) {
    return REWARD_ALIAS + "_" + org.seqrl.rl.MetricNames.rewardSegment(rewardName);
  }

  /** Every key a run with this reward reports per evaluation (the {@code eval/reward} aliases included). */
  public List<String> metricKeys(String rewardName) {
    List<String> names = new java.util.ArrayList<>(EXTRA_METRICS);
    names.add(0, rewardMetricName(rewardName));
    List<String> keys = new java.util.ArrayList<>(Evaluator.metricKeys(names, beamWidth));
    keys.add(Evaluator.PREFIX + REWARD_ALIAS);
    if (beamWidth > 1) {
      keys.add(Evaluator.BEAM_PREFIX + REWARD_ALIAS);
    }
    return keys;
  }

  /** The key {@link #bestMetric} stands for in a run with this reward ({@code eval/reward} resolved). */
  public String bestMetricKey(String rewardName) {
    String alias = Evaluator.PREFIX + REWARD_ALIAS;
    String beamAlias = Evaluator.BEAM_PREFIX + REWARD_ALIAS;
    if (bestMetric.equals(alias)) {
      return Evaluator.PREFIX + rewardMetricName(rewardName);
    }
    if (bestMetric.equals(beamAlias)) {
      return Evaluator.BEAM_PREFIX + rewardMetricName(rewardName);
    }
    return bestMetric;
  }

  /** Which way {@link #bestMetric} improves. */
  public MetricDirection bestDirection() {
    return Evaluator.direction(bestMetric).orElseThrow();
  }
}
