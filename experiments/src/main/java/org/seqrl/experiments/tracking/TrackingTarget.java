package org.seqrl.experiments.tracking;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.seqrl.experiments.cli.UserInputException;

/**
 * Where runs go: an explicit tracking server ({@code --tracking-uri}, else {@code MLFLOW_TRACKING_URI}),
 * or, with neither, the project's embedded local server ({@link LocalMlflowServer}), which is
 * started lazily by whoever first needs to talk to it.
 *
 * @param uri the explicit tracking URI, or null for the embedded server
 * @param server how to find or start the embedded server (used when {@code uri} is null)
 */
public record TrackingTarget(String uri, MlflowCredentials credentials, LocalMlflowServer.Options server) {

  /** Resolution order: the option, then {@code MLFLOW_TRACKING_URI}, then the embedded default. */
  public static TrackingTarget resolve(String optionUri, Map<String, String> env) {
    MlflowCredentials creds = MlflowCredentials.fromEnv(env);
    String uri = optionUri != null && !optionUri.isBlank() ? optionUri
        : env.getOrDefault("MLFLOW_TRACKING_URI", "").isBlank() ? null : env.get("MLFLOW_TRACKING_URI");
    if (uri == null) {
      return new TrackingTarget(null, creds, LocalMlflowServer.Options.defaults());
    }
    return new TrackingTarget(validate(uri, optionUri != null && !optionUri.isBlank()), creds, null);
  }

  public static TrackingTarget of(String uri) {
    return new TrackingTarget(validate(uri, true), MlflowCredentials.NONE, null);
  }

  public static TrackingTarget embedded(LocalMlflowServer.Options server) {
    return new TrackingTarget(null, MlflowCredentials.NONE, server);
  }

  public TrackingTarget withCredentials(MlflowCredentials creds) {
    return new TrackingTarget(uri, creds, server);
  }

  public boolean embedded() {
    return uri == null;
  }

  /** A description safe to print or journal: user info in the URI is dropped. */
  public String describe() {
    return embedded() ? "embedded local server (state in " + server.stateDir() + ")" : redact(uri);
  }

  static String redact(String uri) {
    URI u = URI.create(uri);
    if (u.getUserInfo() == null) {
      return uri;
    }
    return u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "") + u.getRawPath();
  }

  private static String validate(String uri, boolean fromOption) {
    String where = fromOption ? "--tracking-uri" : "MLFLOW_TRACKING_URI";
    URI u;
    try {
      u = URI.create(uri.trim());
    } catch (IllegalArgumentException e) {
      throw new UserInputException(where + ": '" + uri + "' is not a URI; expected http(s)://host:port");
    }
    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
      // The Java client speaks REST only; file: and databricks: stores need the Python client.
      throw new UserInputException(where + ": '" + redact(uri) + "' is not an http(s) tracking server; expected "
          + "http(s)://host:port, or unset it to use the embedded local server");
    }
    String s = uri.trim();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** Opens a connection, starting the embedded server first if needed (may take seconds). */
  MlflowConnection connect() {
    if (embedded()) {
      LocalMlflowServer local = LocalMlflowServer.ensureRunning(server);
      return new MlflowConnection(local.uri(), credentials);
    }
    return new MlflowConnection(uri, credentials);
  }

  /** Where journals remember their target; credentials never enter it. */
  Path embeddedStateDir() {
    return server == null ? null : server.stateDir();
  }
}
