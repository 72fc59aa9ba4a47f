package org.seqrl.experiments.config;

/** Allowed values of the config key that holds a bad-line policy. */
public enum BadLines implements ConfigChoice {
  ERROR("error"),
  SKIP("skip");

  private final String configName;

  BadLines(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** Parses the YAML spelling; the error lists every allowed value. */
  public static BadLines parse(String key, String value) {
    return ConfigChoice.parse(BadLines.class, key, "a bad-line policy", value);
  }
}
