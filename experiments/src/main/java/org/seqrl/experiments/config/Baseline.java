package org.seqrl.experiments.config;

import org.seqrl.rl.BaselineKind;

/**
 * Allowed values of the config key that holds a baseline: the config-side spelling of
 * {@link BaselineKind} (same constants; {@link #kind()} fails loudly if they ever drift apart).
 */
public enum Baseline implements ConfigChoice {
  NONE("none"),
  MOVING_AVERAGE("moving-average"),
  SCST("scst"),
  VALUE("value"),
  STEP_VALUE("step-value"),
  SCST_CORRECTION("scst-correction"),
  RLOO("rloo"),
  GRPO("grpo");

  private final String configName;

  Baseline(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** The strategy this value names. */
  public BaselineKind kind() {
    return BaselineKind.valueOf(name());
  }

  /** Leave-one-out and group-relative baselines compare several samples of the same input. */
  public boolean needsSeveralSamples() {
    return kind().create(0.9).requirements().minSamplesPerInput() > 1;
  }

  /** Parses the YAML spelling; the error lists every allowed value. */
  public static Baseline parse(String key, String value) {
    return ConfigChoice.parse(Baseline.class, key, "a baseline", value);
  }
}
