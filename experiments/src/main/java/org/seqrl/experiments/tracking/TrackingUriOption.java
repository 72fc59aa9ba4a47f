package org.seqrl.experiments.tracking;

import picocli.CommandLine.Option;

/** The {@code --tracking-uri} option, for any command that tracks ({@code @Mixin TrackingUriOption tracking;}). */
public final class TrackingUriOption {

  @Option(names = "--tracking-uri", paramLabel = "URI",
      description = "MLflow tracking server (default: MLFLOW_TRACKING_URI, else the local server under .seqrl/mlflow).")
  String uri;

  /** The option, else {@code MLFLOW_TRACKING_URI}, else the embedded local server; credentials from the environment. */
  public TrackingTarget target() {
    return TrackingTarget.resolve(uri, System.getenv());
  }

  /** The raw option value, or null when not given. */
  public String uri() {
    return uri;
  }
}
