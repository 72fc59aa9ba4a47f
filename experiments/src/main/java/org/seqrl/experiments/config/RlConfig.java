package org.seqrl.experiments.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Policy-gradient fine-tuning. {@code reward} maps reward names to weights (a single name in YAML
 * is weight 1.0); the reward is their weighted sum. {@code maxLength} 0 means the longest
 * reference in the data + 2, decided where the data is loaded; {@code initCheckpoint} starts RL
 * from a saved model instead of pre-training.
 */
public record RlConfig(int steps, Map<String, Double> reward, BleuSmoothing bleuSmoothing, Baseline baseline,
                       int samples, int batchSize, double learningRate, double maxGradNorm, double entropy,
                       double temperature, double criticLossCoefficient, double movingAverageDecay,
                       int maxLength, Path initCheckpoint) {
  /** Every reward name the rewards module knows, in the order the docs list them. */
  public static final List<String> REWARDS =
      List.of("bleu", "levenshtein", "levenshtein-normalized", "chrf", "exact-match");

  public RlConfig {
    Checks.atLeast("rl.steps", steps, 0);
    Checks.required("rl.reward", reward);
    if (reward.isEmpty()) {
      throw new InvalidConfigException("rl.reward", "is empty; expected a reward name or a map of name: weight "
          + "with names from " + String.join(", ", REWARDS));
    }
    for (Map.Entry<String, Double> e : reward.entrySet()) {
      if (!REWARDS.contains(e.getKey())) {
        throw new InvalidConfigException("rl.reward", "'" + e.getKey() + "' is not a reward; expected one of "
            + String.join(", ", REWARDS));
      }
      if (e.getValue() == null || !Double.isFinite(e.getValue())) {
        throw new InvalidConfigException("rl.reward." + e.getKey(), e.getValue() + " is not a weight; expected a finite number");
      }
    }
    reward = Collections.unmodifiableMap(new LinkedHashMap<>(reward));
    Checks.required("rl.bleu_smoothing", bleuSmoothing);
    Checks.required("rl.baseline", baseline);
    Checks.between("rl.samples", samples, 1, 1024);
    if (baseline.needsSeveralSamples() && samples < 2) {
      throw InvalidConfigException.conflict("rl.baseline", "'" + baseline.configName() + "' compares several samples of "
          + "each input but rl.samples is " + samples + "; expected rl.samples >= 2");
    }
    Checks.atLeast("rl.batch_size", batchSize, 1);
    Checks.positive("rl.learning_rate", learningRate);
    Checks.positive("rl.max_grad_norm", maxGradNorm);
    Checks.nonNegative("rl.entropy", entropy);
    Checks.positive("rl.temperature", temperature);
    Checks.nonNegative("rl.critic_loss_coefficient", criticLossCoefficient);
    Checks.fraction("rl.moving_average_decay", movingAverageDecay, false);
    Checks.atLeast("rl.max_length", maxLength, 0);
  }

  public static RlConfig defaults() {
    return new RlConfig(1000, Map.of("levenshtein", 1.0), BleuSmoothing.METHOD1, Baseline.SCST, 1, 32, 1e-5, 50,
        0.01, 1.0, 0.5, 0.9, 0, null);
  }


  /** The single reward name when there is exactly one with weight 1, else null. */
  public String singleReward() {
    if (reward.size() == 1) {
      Map.Entry<String, Double> e = reward.entrySet().iterator().next();
      if (e.getValue() == 1.0) {
        return e.getKey();
      }
    }
    return null;
  }
}
