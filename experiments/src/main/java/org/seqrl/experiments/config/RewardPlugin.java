package org.seqrl.experiments.config;

/**
 * A term of {@code rl.reward} that is not built in, with its weight in the sum: a class on {@code plugins.path}
 * ({@code label: {class: com.example.MyReward, args: {...}, weight: 0.5}}), or, when {@code plugin} is null, the
 * reward that {@link java.util.ServiceLoader} finds under the name {@code label} ({@code my-reward: 0.5}).
 *
 * @param label the key under {@code rl.reward}; for a ServiceLoader reward, the name its {@code name()} reports
 */
public record RewardPlugin(String label, Plugin plugin, double weight) {
  public RewardPlugin {
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("a reward term needs a label");
    }
    if (!Double.isFinite(weight)) {
      throw new InvalidConfigException("rl.reward." + label, weight + " is not a weight; expected a finite number");
    }
  }

  /** The config key of this term, which errors name. */
  public String key() {
    return "rl.reward." + label;
  }
}
