package org.seqrl.experiments.config;

/** Where runs are tracked: an MLflow URI, or null for the default chosen by the tracking package. */
public record TrackingConfig(String uri) {
  public static TrackingConfig defaults() {
    return new TrackingConfig(null);
  }
}
