package org.seqrl.experiments.config;

import java.util.LinkedHashMap;

/**
 * A whole experiment: what data, which model, how to pre-train and fine-tune, how to evaluate,
 * where to track, and an optional sweep grid. Built by {@link ConfigLoader}; every part validates
 * itself when constructed.
 */
public record SeqrlConfig(String experiment, long seed, DataConfig data, ModelConfig model, PretrainConfig pretrain,
                          RlConfig rl, EvalConfig eval, TrackingConfig tracking, SweepConfig sweep,
                          PluginsConfig plugins) {
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
    if (rl.rewardPlugin() != null || rl.baselinePlugin() != null) {
      // Made once here so that a wrong class or argument is reported when the config loads.
      ClassLoader loader = Plugins.loader(plugins.path());
      if (rl.rewardPlugin() != null) {
        Plugins.create(rl.rewardPlugin(), org.seqrl.rl.Reward.class, loader, "rl.reward", plugins.path());
      }
      if (rl.baselinePlugin() != null) {
        Plugins.create(rl.baselinePlugin(), org.seqrl.rl.BaselineStrategy.class, loader, "rl.baseline", plugins.path());
      }
    }
    if (pretrain.steps() == 0 && rl.steps() == 0) {
      throw InvalidConfigException.conflict("rl.steps", "0 with pretrain.steps 0 would train nothing; expected at least "
          + "one of them > 0");
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
        PluginsConfig.defaults());
  }

  /** Every setting as dotted key to text, in YAML order (for MLflow params and run provenance). */
  public LinkedHashMap<String, String> flatten() {
    return ConfigLoader.flatten(this);
  }
}
