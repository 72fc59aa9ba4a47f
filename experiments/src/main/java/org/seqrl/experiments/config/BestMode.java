package org.seqrl.experiments.config;

/** Allowed values of the config key that holds a best mode. */
public enum BestMode implements ConfigChoice {
  MIN("min"),
  MAX("max");

  private final String configName;

  BestMode(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** Parses the YAML spelling; the error lists every allowed value. */
  public static BestMode parse(String key, String value) {
    return ConfigChoice.parse(BestMode.class, key, "a best mode", value);
  }
}
