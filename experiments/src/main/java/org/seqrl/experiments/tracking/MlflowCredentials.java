package org.seqrl.experiments.tracking;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from MLflow's usual environment variables: {@code MLFLOW_TRACKING_TOKEN} (bearer),
 * or {@code MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD} (basic). They are used
 * for the REST client and the artifact uploads alike, and are never logged or journaled:
 * {@link #toString()} hides them.
 */
public record MlflowCredentials(String token, String username, String password) {

  public static final MlflowCredentials NONE = new MlflowCredentials(null, null, null);

  public static MlflowCredentials fromEnv(Map<String, String> env) {
    return new MlflowCredentials(blankToNull(env.get("MLFLOW_TRACKING_TOKEN")),
        blankToNull(env.get("MLFLOW_TRACKING_USERNAME")), blankToNull(env.get("MLFLOW_TRACKING_PASSWORD")));
  }

  /** The value of an {@code Authorization} header, if any credentials are set. */
  public Optional<String> authorizationHeader() {
    if (token != null) {
      return Optional.of("Bearer " + token);
    }
    if (username != null && password != null) {
      String basic = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
      return Optional.of("Basic " + basic);
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return token != null ? "MlflowCredentials[token=***]"
        : username != null ? "MlflowCredentials[username=" + username + ", password=***]"
        : "MlflowCredentials[none]";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
