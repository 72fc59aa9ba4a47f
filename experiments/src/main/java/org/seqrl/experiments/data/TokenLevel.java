package org.seqrl.experiments.data;

import org.seqrl.experiments.config.ConfigChoice;

/** How a TSV line is split into tokens: characters, or whitespace-separated words. */
public enum TokenLevel implements ConfigChoice {
  CHAR("char"),
  WORD("word");

  private final String configName;

  TokenLevel(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** Parses the YAML spelling; the error lists every allowed value. */
  public static TokenLevel parse(String key, String value) {
    return ConfigChoice.parse(TokenLevel.class, key, "a token level", value);
  }
}
