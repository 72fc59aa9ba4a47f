package org.seqrl.experiments.tracking;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Addresses in the MLflow UI that open in its model-training view.
 *
 * <p>MLflow 3.x's UI starts in its GenAI view (trace and latency panels) unless the address says
 * otherwise; its experiment page reads the query parameter {@code workflowType=machine_learning}
 * (checked against the 3.17.2 UI bundle and in headless Chromium by {@code MlflowUiBrowserTest}).
 */
public final class UiLinks {
  static final String MODEL_TRAINING = "workflowType=machine_learning";

  private UiLinks() {}

  /** The experiment list. */
  public static String home(String trackingUri) {
    return base(trackingUri) + "/#/experiments?" + MODEL_TRAINING;
  }

  /** The runs table of one experiment. */
  public static String experimentRuns(String trackingUri, String experimentId) {
    return base(trackingUri) + "/#/experiments/" + enc(experimentId) + "/runs?" + MODEL_TRAINING;
  }

  /** One run's page. */
  public static String run(String trackingUri, String experimentId, String runId) {
    return base(trackingUri) + "/#/experiments/" + enc(experimentId) + "/runs/" + enc(runId) + "?" + MODEL_TRAINING;
  }

  private static String base(String trackingUri) {
    String b = TrackingTarget.redact(trackingUri);
    return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
