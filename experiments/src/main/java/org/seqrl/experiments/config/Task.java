package org.seqrl.experiments.config;

/** Allowed values of the config key that holds a task. */
public enum Task implements ConfigChoice {
  COPY("copy"),
  REVERSE("reverse"),
  SORT("sort"),
  TSV("tsv"),
  PRONUNCIATION("pronunciation");

  private final String configName;

  Task(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** Copy, reverse and sort are generated from the seed; the others are read from files. */
  public boolean isSynthetic() {
    return this == COPY || this == REVERSE || this == SORT;
  }

  /** Parses the YAML spelling; the error lists every allowed value. */
  public static Task parse(String key, String value) {
    return ConfigChoice.parse(Task.class, key, "a task", value);
  }
}
