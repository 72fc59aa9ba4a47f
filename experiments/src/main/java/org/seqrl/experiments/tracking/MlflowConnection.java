package org.seqrl.experiments.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

/**
 * One tracking server: the MLflow Java client for the REST API, plus plain HTTP PUTs for
 * artifacts, because the client's {@code logArtifact} shells out to the Python CLI.
 */
public final class MlflowConnection implements AutoCloseable {

  static final String ARTIFACT_ROUTE = "/api/2.0/mlflow-artifacts/artifacts/";

  private final String uri;
  private final MlflowCredentials credentials;
  private final MlflowClient client;
  private final HttpClient http;

  public MlflowConnection(String uri, MlflowCredentials credentials) {
    this.uri = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    this.credentials = credentials;
    this.client = new MlflowClient(new BasicMlflowHostCreds(this.uri, credentials.username(),
        credentials.password(), credentials.token(), false));
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public String uri() {
    return uri;
  }

  public MlflowClient client() {
    return client;
  }

  /** The id of the experiment with this name, if it exists. */
  public Optional<String> experimentId(String name) {
    return findExperiment(client, name);
  }

  static Optional<String> findExperiment(MlflowClient client, String name) {
    if (name.contains("'")) {
      return client.getExperimentByName(name).map(org.mlflow.api.proto.Service.Experiment::getExperimentId);
    }
    // A search, not get-by-name: the client retries get-by-name's 404 three times, each with a warning.
    for (var e : client.searchExperiments("name = '" + name + "'").getItems()) {
      if (e.getName().equals(name)) {
        return Optional.of(e.getExperimentId());
      }
    }
    return Optional.empty();
  }

  /**
   * Uploads one file to a run's artifact store. The server keeps a run's artifacts under
   * {@code artifact_uri} (with proxied artifacts {@code mlflow-artifacts:/<exp>/<run>/artifacts});
   * the PUT route takes the path below the server's artifact destination, so it is derived
   * from the run's artifact URI rather than assumed.
   */
  public void uploadArtifact(String runId, Path file, String artifactPath) throws IOException {
    Run run = client.getRun(runId);
    URI target = URI.create(artifactBase(run.getInfo().getArtifactUri()) + "/" + encodePath(artifactPath));
    HttpRequest.Builder req = HttpRequest.newBuilder(target)
        .timeout(Duration.ofMinutes(5))
        .PUT(HttpRequest.BodyPublishers.ofFile(file));
    credentials.authorizationHeader().ifPresent(h -> req.header("Authorization", h));
    try {
      HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new MlflowHttpException(r.statusCode(), "artifact upload of " + artifactPath + " failed", r.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while uploading " + artifactPath, e);
    }
  }

  /** HTTP base URL for a run's artifacts, from its artifact URI. */
  String artifactBase(String artifactUri) {
    if (artifactUri.startsWith("mlflow-artifacts:")) {
      // mlflow-artifacts:/1/<run>/artifacts or mlflow-artifacts://host:port/1/<run>/artifacts
      String rest = artifactUri.substring("mlflow-artifacts:".length());
      if (rest.startsWith("//")) {
        int slash = rest.indexOf('/', 2);
        rest = slash < 0 ? "" : rest.substring(slash);
      }
      while (rest.startsWith("/")) {
        rest = rest.substring(1);
      }
      return uri + ARTIFACT_ROUTE + encodePath(rest);
    }
    if (artifactUri.startsWith("http://") || artifactUri.startsWith("https://")) {
      return artifactUri.endsWith("/") ? artifactUri.substring(0, artifactUri.length() - 1) : artifactUri;
    }
    throw new MlflowHttpException(400, "run artifact root '" + artifactUri + "' is not served by the tracking server",
        "start the server with artifact serving (mlflow server --serve-artifacts, the default)");
  }

  /** Lists every artifact file of a run (recursively), as paths relative to the run's root. */
  public List<String> listArtifactFiles(String runId) {
    List<String> out = new ArrayList<>();
    listInto(runId, null, out);
    return out;
  }

  private void listInto(String runId, String path, List<String> out) {
    // The client's listArtifacts shells out to Python for proxied stores; the REST list call does not.
    String query = "artifacts/list?run_id=" + runId
        + (path == null ? "" : "&path=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
    try {
      JsonNode files = Journal.JSON.readTree(client.sendGet(query)).path("files");
      for (JsonNode f : files) {
        if (f.path("is_dir").asBoolean()) {
          listInto(runId, f.path("path").asText(), out);
        } else {
          out.add(f.path("path").asText());
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("unreadable artifact list of run " + runId, e);
    }
  }

  /** Downloads one artifact file's bytes through the proxied artifact route. */
  public byte[] downloadArtifact(String runId, String artifactPath) throws IOException {
    Run run = client.getRun(runId);
    URI target = URI.create(artifactBase(run.getInfo().getArtifactUri()) + "/" + encodePath(artifactPath));
    HttpRequest.Builder req = HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(5)).GET();
    credentials.authorizationHeader().ifPresent(h -> req.header("Authorization", h));
    try {
      HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new MlflowHttpException(r.statusCode(), "download of " + artifactPath + " failed");
      }
      return r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while downloading " + artifactPath, e);
    }
  }

  static String encodePath(String path) {
    StringBuilder sb = new StringBuilder();
    for (String seg : path.split("/")) {
      if (seg.isEmpty()) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return sb.toString();
  }

  @Override
  public void close() {
    client.close();
  }
}
