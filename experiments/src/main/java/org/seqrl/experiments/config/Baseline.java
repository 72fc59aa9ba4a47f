package org.seqrl.experiments.config;

/** Allowed values of the config key that holds a baseline. */
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

  /** Leave-one-out and group-relative baselines compare several samples of the same input. */
  public boolean needsSeveralSamples() {
    return this == RLOO || this == GRPO;
  }

  /** Parses the YAML spelling; the error lists every allowed value. */
  public static Baseline parse(String key, String value) {
    return ConfigChoice.parse(Baseline.class, key, "a baseline", value);
  }
}
