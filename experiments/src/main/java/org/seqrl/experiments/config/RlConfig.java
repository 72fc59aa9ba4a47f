package org.seqrl.experiments.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrl.metrics.NltkSmoothing;
import org.seqrl.rl.BaselineKind;
import org.seqrl.rl.LearningRateSchedule;
import org.seqrl.rl.LearningRateSchedule.Shape;
import org.seqrl.rl.RewardKind;

/**
 * Policy-gradient fine-tuning. {@code reward} maps rewards to weights (a single name in YAML
 * is weight 1.0); the reward is their weighted sum. {@code maxLength} 0 means the longest
 * reference in the data + 2, decided where the data is loaded; {@code initCheckpoint} starts RL
 * from a saved model instead of pre-training; {@code startFrom} picks the pre-trained model RL
 * starts from when the run pre-trains (or a sweep shares a pre-training run). The learning rate
 * follows {@code lrSchedule} after {@code warmupSteps}; {@code patience} > 0 ends RL after that many
 * evaluations without a better {@code eval.best_metric}. {@code rewardPlugin} / {@code baselinePlugin},
 * when set, replace the built-in reward (then {@code reward} is empty) / baseline with a user's class.
 *
 * <p>Recipes (docs/configuration.md): a KL penalty to the model RL started from ({@code klCoefficient} > 0;
 * adaptive with {@code klTarget} > 0 over {@code klHorizon} sampled rows), MLE mixed into each update with a
 * weight annealed from {@code mleWeightStart} to {@code mleWeightEnd} over {@code mleWeightSteps}, and
 * PPO-clip ({@code objective}, {@code ppoEpochs}, {@code ppoMinibatches}, {@code ppoClip}, {@code ppoValueClip}).
 * The first {@code criticWarmupSteps} RL steps train a critic baseline's heads alone.
 *
 * <p>{@code rewardPlugins} are further terms of the weighted sum that are not built in (plug-in classes, or
 * rewards found by {@link java.util.ServiceLoader}); they follow the built-in terms in the sum.
 */
public record RlConfig(int steps, Map<RewardKind, Double> reward, NltkSmoothing bleuSmoothing, BaselineKind baseline,
                       int samples, int batchSize, double learningRate, double maxGradNorm, double entropy,
                       double temperature, double criticLossCoefficient, double movingAverageDecay,
                       int maxLength, Path initCheckpoint, RlStart startFrom, Shape lrSchedule, int warmupSteps,
                       int patience, Plugin rewardPlugin, Plugin baselinePlugin,
                       double klCoefficient, double klTarget, double klHorizon,
                       double mleWeightStart, double mleWeightEnd, int mleWeightSteps,
                       RlObjective objective, int ppoEpochs, int ppoMinibatches, double ppoClip, double ppoValueClip,
                       int criticWarmupSteps, List<RewardPlugin> rewardPlugins) {

  public RlConfig {
    Checks.atLeast("rl.steps", steps, 0);
    Checks.required("rl.reward", reward);
    rewardPlugins = rewardPlugins == null ? List.of() : List.copyOf(rewardPlugins);
    if (reward.isEmpty() && rewardPlugin == null && rewardPlugins.isEmpty()) {
      throw new InvalidConfigException("rl.reward", "is empty; expected a reward name or a map of name: weight "
          + "with names from " + ConfigChoice.allowed(RewardKind.class));
    }
    for (Map.Entry<RewardKind, Double> e : reward.entrySet()) {
      if (e.getValue() == null || !Double.isFinite(e.getValue())) {
        throw new InvalidConfigException("rl.reward." + ConfigChoice.spelling(e.getKey()), e.getValue()
            + " is not a weight; expected a finite number");
      }
    }
    reward = Collections.unmodifiableMap(new LinkedHashMap<>(reward));
    Checks.required("rl.bleu_smoothing", bleuSmoothing);
    Checks.required("rl.baseline", baseline);
    Checks.between("rl.samples", samples, 1, 1024);
    // A plug-in baseline's needs are checked when it is built (Trainer), where its requirements are known.
    int needed = baselinePlugin != null ? 1 : baseline.create(0.9).requirements().minSamplesPerInput();
    if (samples < needed) {
      throw InvalidConfigException.conflict("rl.baseline", "'" + ConfigChoice.spelling(baseline) + "' compares several "
          + "samples of each input but rl.samples is " + samples + "; expected rl.samples >= " + needed);
    }
    Checks.atLeast("rl.batch_size", batchSize, 1);
    Checks.positive("rl.learning_rate", learningRate);
    Checks.positive("rl.max_grad_norm", maxGradNorm);
    Checks.nonNegative("rl.entropy", entropy);
    Checks.positive("rl.temperature", temperature);
    Checks.nonNegative("rl.critic_loss_coefficient", criticLossCoefficient);
    Checks.fraction("rl.moving_average_decay", movingAverageDecay, false);
    Checks.atLeast("rl.max_length", maxLength, 0);
    Checks.required("rl.start_from", startFrom);
    Checks.schedule("rl", lrSchedule, warmupSteps, steps);
    Checks.atLeast("rl.patience", patience, 0);
    Checks.nonNegative("rl.kl_coefficient", klCoefficient);
    Checks.nonNegative("rl.kl_target", klTarget);
    Checks.positive("rl.kl_horizon", klHorizon);
    if (klTarget > 0 && klCoefficient == 0) {
      throw InvalidConfigException.conflict("rl.kl_target", klTarget + " needs a starting coefficient, but "
          + "rl.kl_coefficient is 0; expected rl.kl_coefficient > 0 (e.g. 0.1) or rl.kl_target 0");
    }
    Checks.fraction("rl.mle_weight_start", mleWeightStart, true);
    Checks.fraction("rl.mle_weight_end", mleWeightEnd, true);
    Checks.atLeast("rl.mle_weight_steps", mleWeightSteps, 0);
    Checks.required("rl.objective", objective);
    Checks.atLeast("rl.ppo_epochs", ppoEpochs, 1);
    Checks.atLeast("rl.ppo_minibatches", ppoMinibatches, 1);
    Checks.positive("rl.ppo_clip", ppoClip);
    Checks.nonNegative("rl.ppo_value_clip", ppoValueClip);
    Checks.atLeast("rl.critic_warmup_steps", criticWarmupSteps, 0);
    if (steps > 0 && criticWarmupSteps > 0) { // without RL steps there is no critic to warm up
      if (criticWarmupSteps > steps) {
        throw InvalidConfigException.conflict("rl.critic_warmup_steps", criticWarmupSteps + " is more than rl.steps "
            + steps + "; expected at most " + steps);
      }
      if (baselinePlugin == null && baseline.create(0.9).requirements().criticHeads().isEmpty()) {
        throw InvalidConfigException.conflict("rl.critic_warmup_steps", criticWarmupSteps + " warms up a critic, but "
            + "rl.baseline '" + ConfigChoice.spelling(baseline) + "' has none; expected 0, or a baseline with a critic "
            + "(value, step-value, scst-correction)");
      }
      if (objective == RlObjective.PPO_CLIP) {
        throw InvalidConfigException.conflict("rl.critic_warmup_steps", criticWarmupSteps + " is not combined with "
            + "rl.objective: ppo-clip; expected 0, or rl.objective: policy-gradient");
      }
    }
    if (objective == RlObjective.PPO_CLIP) {
      if (ppoMinibatches > batchSize) {
        throw InvalidConfigException.conflict("rl.ppo_minibatches", ppoMinibatches + " minibatches of whole inputs "
            + "need at least as many inputs, but rl.batch_size is " + batchSize + "; expected at most " + batchSize);
      }
      // Uncentred advantages all share the reward's sign: the clip then stops every token at the same
      // ratio, and epochs after the first erase the differences between rewards.
      if (baselinePlugin == null && baseline == BaselineKind.NONE) {
        throw InvalidConfigException.conflict("rl.baseline", "'none' does not work with rl.objective: ppo-clip "
            + "(uncentred advantages); expected one of moving-average, scst, value, step-value, scst-correction, "
            + "rloo, grpo");
      }
      if (mleWeightStart > 0 || mleWeightEnd > 0) {
        throw InvalidConfigException.conflict("rl.mle_weight_start", "MLE mixing is not combined with "
            + "rl.objective: ppo-clip; expected rl.mle_weight_start and rl.mle_weight_end 0, or rl.objective: "
            + "policy-gradient");
      }
    }
  }

  /** The KL penalty the trainer applies (off when the coefficient is 0). */
  public org.seqrl.rl.KlPenalty klPenalty() {
    return new org.seqrl.rl.KlPenalty(klCoefficient, klTarget, klHorizon);
  }

  /** MLE mixed into RL updates (off when both weights are 0). */
  public org.seqrl.rl.MleMixing mleMixing() {
    return new org.seqrl.rl.MleMixing(mleWeightStart, mleWeightEnd, mleWeightSteps);
  }

  /** PPO-clip's settings with the given shuffle seed, or null for plain policy-gradient updates. */
  public org.seqrl.rl.PpoSettings ppo(long seed) {
    return objective == RlObjective.PPO_CLIP
        ? new org.seqrl.rl.PpoSettings(ppoEpochs, ppoMinibatches, ppoClip, ppoValueClip, seed) : null;
  }

  /** The learning-rate schedule over this phase's steps. */
  public LearningRateSchedule schedule() {
    return new LearningRateSchedule(lrSchedule, warmupSteps, steps);
  }

  public static RlConfig defaults() {
    return new RlConfig(1000, Map.of(RewardKind.LEVENSHTEIN, 1.0), NltkSmoothing.METHOD1, BaselineKind.SCST, 1, 32,
        1e-5, 50, 0.01, 1.0, 0.5, 0.9, 0, null, RlStart.FINAL, Shape.CONSTANT, 0, 0, null, null,
        0, 0, 10000, 0, 0, 0, RlObjective.POLICY_GRADIENT, 4, 4, 0.2, 0.2, 0, List.of());
  }

  /** The baseline as configs and run names show it: its name, or a plug-in's class name. */
  public String baselineLabel() {
    return baselinePlugin != null ? baselinePlugin.className() : ConfigChoice.spelling(baseline);
  }

  /** The single reward when there is exactly one with weight 1, else null. */
  public RewardKind singleReward() {
    if (reward.size() == 1 && rewardPlugins.isEmpty()) {
      Map.Entry<RewardKind, Double> e = reward.entrySet().iterator().next();
      if (e.getValue() == 1.0) {
        return e.getKey();
      }
    }
    return null;
  }
}
