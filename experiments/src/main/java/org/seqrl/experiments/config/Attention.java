package org.seqrl.experiments.config;

/** Allowed values of the config key that holds an attention kind. */
public enum Attention implements ConfigChoice {
  NONE("none"),
  ADDITIVE("additive"),
  DOT("dot");

  private final String configName;

  Attention(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** Parses the YAML spelling; the error lists every allowed value. */
  public static Attention parse(String key, String value) {
    return ConfigChoice.parse(Attention.class, key, "an attention kind", value);
  }
}
