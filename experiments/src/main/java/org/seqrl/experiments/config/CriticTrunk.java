package org.seqrl.experiments.config;

/** Allowed values of the config key that holds a critic trunk. */
public enum CriticTrunk implements ConfigChoice {
  SHARED("shared"),
  SEPARATE("separate");

  private final String configName;

  CriticTrunk(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** Parses the YAML spelling; the error lists every allowed value. */
  public static CriticTrunk parse(String key, String value) {
    return ConfigChoice.parse(CriticTrunk.class, key, "a critic trunk", value);
  }
}
