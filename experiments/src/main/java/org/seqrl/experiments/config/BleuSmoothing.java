package org.seqrl.experiments.config;

/** Allowed values of the config key that holds a BLEU smoothing method. */
public enum BleuSmoothing implements ConfigChoice {
  METHOD0("method0"),
  METHOD1("method1"),
  METHOD2("method2"),
  METHOD3("method3"),
  METHOD4("method4"),
  METHOD5("method5"),
  METHOD6("method6"),
  METHOD7("method7");

  private final String configName;

  BleuSmoothing(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }

  /** Parses the YAML spelling; the error lists every allowed value. */
  public static BleuSmoothing parse(String key, String value) {
    return ConfigChoice.parse(BleuSmoothing.class, key, "a BLEU smoothing method", value);
  }
}
