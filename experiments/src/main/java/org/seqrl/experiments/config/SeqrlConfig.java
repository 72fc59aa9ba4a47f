package org.seqrl.experiments.config;

import java.util.LinkedHashMap;
import java.util.List;
import org.seqrl.agents.Engine;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CriticTrunk;
import org.seqrl.agents.Seq2SeqConfig.ModelType;
import org.seqrl.rl.Evaluator;

/**
 * A whole experiment: what data, which model, how to pre-train and fine-tune, how to evaluate,
 * where to track, and an optional sweep grid. Built by {@link ConfigLoader}; every part validates
 * itself when constructed.
 */
public record SeqrlConfig(String experiment, long seed, DataConfig data, ModelConfig model, PretrainConfig pretrain,
                          RlConfig rl, EvalConfig eval, TrackingConfig tracking, SweepConfig sweep,
                          PluginsConfig plugins, DiagConfig diag) {
  public SeqrlConfig {
    if (experiment == null || experiment.isBlank() || !experiment.matches("[A-Za-z0-9_.+-]+")) {
      throw new InvalidConfigException("experiment", "'" + experiment + "' is not an experiment name; expected "
          + "letters, digits and _ . + - only");
    }
    Checks.required("data", data);
    Checks.required("model", model);
    Checks.required("pretrain", pretrain);
    Checks.required("rl", rl);
    Checks.required("eval", eval);
    Checks.required("tracking", tracking);
    Checks.required("sweep", sweep);
    Checks.required("plugins", plugins);
    Checks.required("diag", diag);
    String rewardName = rewardNameOf(rl, null);
    if (rl.rewardPlugin() != null || rl.baselinePlugin() != null) {
      // Made once here so that a wrong class or argument is reported when the config loads.
      ClassLoader loader = Plugins.loader(plugins.path());
      if (rl.rewardPlugin() != null) {
        rewardName = Plugins.create(rl.rewardPlugin(), org.seqrl.rl.Reward.class, loader, "rl.reward", plugins.path())
            .name();
      }
      if (rl.baselinePlugin() != null) {
        Plugins.create(rl.baselinePlugin(), org.seqrl.rl.BaselineStrategy.class, loader, "rl.baseline", plugins.path());
      }
    }
    if (!rl.rewardPlugins().isEmpty()) {
      // Each term made once here, so that a wrong class, argument or name is reported when the config loads.
      rewardName = rewardNameOf(rl, plugins);
      java.util.Set<String> names = new java.util.HashSet<>();
      rl.reward().keySet().forEach(kind -> names.add(ConfigChoice.spelling(kind)));
      ClassLoader loader = Plugins.loader(plugins.path());
      for (RewardPlugin term : rl.rewardPlugins()) {
        String name = Plugins.reward(term, loader, plugins.path()).name();
        if (!names.add(name)) {
          throw InvalidConfigException.conflict(term.key(), "the reward is named '" + name + "' like another term of "
              + "rl.reward; expected different names, since each term is logged as rl/reward_<name>");
        }
      }
    }
    if (rl.steps() > 0 && rl.criticWarmupSteps() > 0 && model.criticTrunk() == CriticTrunk.SHARED) {
      throw InvalidConfigException.conflict("rl.critic_warmup_steps", rl.criticWarmupSteps() + " trains the critic alone "
          + "only with model.critic_trunk separate; with shared its loss moves the policy's layers with no policy gradient "
          + "beside them (that alone collapsed step-value on 5 of 5 seeds, docs/study.md); expected model.critic_trunk "
          + "separate, or 0");
    }
    if (pretrain.labelSmoothing() > 0 && model.engine() == Engine.SAMEDIFF) {
      throw InvalidConfigException.conflict("pretrain.label_smoothing", pretrain.labelSmoothing() + " is not built by "
          + "model.engine samediff (its graph's loss is plain likelihood); expected 0, or model.engine fast");
    }
    if (pretrain.emaDecay() > 0 && model.engine() != Engine.FAST) {
      throw InvalidConfigException.conflict("pretrain.ema_decay", pretrain.emaDecay() + " (a moving average of the "
          + "weights) is kept by model.engine fast only; expected 0, or model.engine fast");
    }
    if (eval.coveragePenalty() > 0) {
      if (model.engine() != Engine.FAST) {
        throw InvalidConfigException.conflict("eval.coverage_penalty", eval.coveragePenalty() + " is not built by "
            + "model.engine samediff; expected 0, or model.engine fast");
      }
      if (model.type() == ModelType.RECURRENT && model.attention() == Attention.NONE) {
        throw InvalidConfigException.conflict("eval.coverage_penalty", eval.coveragePenalty() + " needs attention to "
            + "measure what the output covered, and model.attention is none; expected 0, or model.attention additive, dot or location");
      }
    }
    if (model.outputOrder() == ModelConfig.OutputOrder.RIGHT_TO_LEFT && rl.steps() > 0) {
      throw InvalidConfigException.conflict("rl.steps", rl.steps() + " with model.output_order right-to-left, which trains by"
          + " maximum likelihood only; expected rl.steps 0, or model.output_order left-to-right");
    }
    if (pretrain.steps() == 0 && rl.steps() == 0) {
      throw InvalidConfigException.conflict("rl.steps", "0 with pretrain.steps 0 would train nothing; expected at least "
          + "one of them > 0");
    }
    List<String> reported = eval.metricKeys(rewardName);
    if (!reported.contains(eval.bestMetric())) {
      boolean beamOnly = eval.beamWidth() < 2 && eval.bestMetric().startsWith(Evaluator.BEAM_PREFIX);
      throw beamOnly ? InvalidConfigException.conflict("eval.best_metric", "'" + eval.bestMetric() + "' is only "
          + "reported with beam search, but eval.beam_width is " + eval.beamWidth() + "; expected eval.beam_width >= 2 "
          + "or one of " + String.join(", ", reported))
          : new InvalidConfigException("eval.best_metric", "'" + eval.bestMetric() + "' is not a metric an evaluation "
          + "reports; expected one of " + String.join(", ", reported));
    }
    String curriculumMetric = data.curriculum().metric();
    if (data.curriculum().enabled() && !reported.contains(curriculumMetric)) {
      throw new InvalidConfigException("data.curriculum.metric", "'" + curriculumMetric + "' is not a metric an "
          + "evaluation reports; expected one of " + String.join(", ",
              reported.stream().filter(k -> !k.startsWith(Evaluator.BEAM_PREFIX)).toList()));
    }
    if (rl.initCheckpoint() != null && pretrain.steps() > 0) {
      // A run that starts from a checkpoint goes straight to RL; its pre-training steps would be skipped.
      throw InvalidConfigException.conflict("rl.init_checkpoint", "starts RL from " + rl.initCheckpoint()
          + ", which skips pre-training, but pretrain.steps is " + pretrain.steps() + "; expected pretrain.steps 0");
    }
    if (rl.startFrom() == RlStart.BEST && pretrain.steps() == 0 && rl.initCheckpoint() == null) {
      throw InvalidConfigException.conflict("rl.start_from", "'best' picks the best pre-training evaluation, but "
          + "pretrain.steps is 0; expected pretrain.steps > 0, or rl.start_from final");
    }
  }

  public static SeqrlConfig defaults() {
    return new SeqrlConfig("seqrl", 1, DataConfig.defaults(), ModelConfig.defaults(), PretrainConfig.defaults(),
        RlConfig.defaults(), EvalConfig.defaults(), TrackingConfig.defaults(), SweepConfig.defaults(),
        PluginsConfig.defaults(), DiagConfig.defaults());
  }

  /** Every setting as dotted key to text, in YAML order (for MLflow params and run provenance). */
  public LinkedHashMap<String, String> flatten() {
    return ConfigLoader.flatten(this);
  }

  /**
   * The name of the run's reward as the reward itself reports it ({@code bleu}, {@code 0.5*bleu+0.5*chrf},
   * or a plug-in's own name), which names its metrics ({@code eval/reward_bleu}).
   */
  public String rewardName() {
    return rewardNameOf(rl, plugins);
  }

  /** The key {@code data.curriculum.metric} stands for in this run ({@code eval/reward} resolved). */
  public String curriculumMetricKey() {
    String metric = data.curriculum().metric();
    return metric.equals(Evaluator.PREFIX + EvalConfig.REWARD_ALIAS)
        ? Evaluator.PREFIX + EvalConfig.rewardMetricName(rewardName()) : metric;
  }

  /** The key {@code eval.best_metric} stands for in this run ({@code eval/reward} resolved to the run's reward). */
  public String bestMetricKey() {
    return eval.bestMetricKey(rewardName());
  }

  private static String rewardNameOf(RlConfig rl, PluginsConfig plugins) {
    if (rl.rewardPlugin() != null) {
      return plugins == null ? rl.rewardPlugin().label() : Plugins.create(rl.rewardPlugin(), org.seqrl.rl.Reward.class,
          Plugins.loader(plugins.path()), "rl.reward", plugins.path()).name();
    }
    if (rl.singleReward() != null) {
      return ConfigChoice.spelling(rl.singleReward());
    }
    List<String> names = new java.util.ArrayList<>();
    List<Double> weights = new java.util.ArrayList<>();
    rl.reward().forEach((kind, w) -> {
      names.add(ConfigChoice.spelling(kind));
      weights.add(w);
    });
    if (!rl.rewardPlugins().isEmpty()) {
      ClassLoader loader = plugins == null ? null : Plugins.loader(plugins.path());
      for (RewardPlugin term : rl.rewardPlugins()) {
        // Before plugins.path is known (while the record is built) a term is named by its label.
        names.add(loader == null ? term.label() : Plugins.reward(term, loader, plugins.path()).name());
        weights.add(term.weight());
      }
    }
    if (names.size() == 1 && weights.get(0) == 1.0) {
      return names.get(0);
    }
    // As Rewards.weightedSum names a sum: weight*name joined by '+', in order.
    List<String> parts = new java.util.ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      parts.add(weights.get(i) + "*" + names.get(i));
    }
    return String.join("+", parts);
  }
}
