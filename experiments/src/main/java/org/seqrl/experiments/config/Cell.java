package org.seqrl.experiments.config;

/** Allowed values of the config key that holds a recurrent cell. */
public enum Cell implements ConfigChoice {
  GRU("gru"),
  LSTM("lstm");

  private final String configName;

  Cell(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** Parses the YAML spelling; the error lists every allowed value. */
  public static Cell parse(String key, String value) {
    return ConfigChoice.parse(Cell.class, key, "a recurrent cell", value);
  }
}
