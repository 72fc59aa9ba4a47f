package org.seqrl.experiments.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seqrl mlflow --backend-store-uri postgresql://... --auth} against a real PostgreSQL started
 * here: a run lands completely (in PostgreSQL, not sqlite), an unauthenticated client is refused,
 * and neither the MLflow password nor the database's appears in logs, journals, params or tags.
 */
class PostgresTrackingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void anAuthenticatedServerOnPostgresqlTakesAWholeRunAndRefusesStrangers() throws Exception {
    String adminPassword = "admin-" + Long.toHexString(System.nanoTime()) + "-pw";
    try (TestPostgres pg = TestPostgres.start()) {
      Path state = tmp.resolve("server");
      int port = LocalMlflowServer.freePort();
      // The real command, in its own JVM with the admin password in its environment only.
      List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
          "-Dseqrl.home=" + LocalMlflowServer.projectRoot(), "-cp", System.getProperty("java.class.path"),
          "org.seqrl.experiments.cli.SeqrlCli", "mlflow", "--state-dir", state.toString(), "--port",
          Integer.toString(port), "--backend-store-uri", pg.uri(), "--auth"));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put(LocalMlflowServer.AUTH_ADMIN_PASSWORD_ENV, adminPassword);
      Process cli = pb.start();
      String cliOut = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(cli.waitFor(300, TimeUnit.SECONDS));
      try {
        assertEquals(0, cli.exitValue(), cliOut);
        String uri = "http://127.0.0.1:" + port;
        assertTrue(cliOut.contains("store: postgresql://seqrl:***@127.0.0.1:" + pg.port() + "/mlflow"), cliOut);
        assertTrue(cliOut.contains("basic-auth on"), cliOut);

        // Strangers are refused: no credentials, and wrong ones.
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder search = HttpRequest.newBuilder(URI.create(uri + "/api/2.0/mlflow/experiments/search"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"max_results\": 10}"));
        assertEquals(401, http.send(search.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(401, http.send(search.header("Authorization", basic("admin", "wrong")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode());

        // A client without credentials keeps its records in the journal (nothing is thrown away as rejected).
        Path strangerDir = tmp.resolve("stranger");
        try (RunRecorder r = RunRecorder.builder(TrackingTarget.of(uri), strangerDir).experiment("pg-auth")
            .runName("stranger").flushTimeout(Duration.ofSeconds(3)).console(new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream())).start()) {
          r.logMetric("x", 1.0, 0);
        }
        assertTrue(Files.notExists(strangerDir.resolve("mlflow-journal/rejected.jsonl")),
            "a 401 is not the record's fault");

        // The owner's run lands whole.
        MlflowCredentials creds = new MlflowCredentials(null, "admin", adminPassword);
        Path runDir = tmp.resolve("run");
        Path artifact = tmp.resolve("notes.txt");
        Files.writeString(artifact, "artifact body");
        try (RunRecorder r = RunRecorder.builder(TrackingTarget.of(uri).withCredentials(creds), runDir)
            .experiment("pg-auth").runName("owner").tag("team", "nlp").flushTimeout(Duration.ofSeconds(120)).start()) {
          r.logParams(Map.of("model.hidden", 32, "rl.baseline", "scst"));
          for (int step = 0; step < 500; step++) {
            r.logMetric("rl/loss", 1.0 / (step + 1), step);
            r.logMetric("eval/bleu", step / 500.0, step);
          }
          r.logArtifact(artifact, "notes");
        }
        String runId = JSON.readTree(runDir.resolve("mlflow-journal/run.json").toFile()).get("runId").asText();
        String auth = basic("admin", adminPassword);
        JsonNode run = get(http, uri + "/api/2.0/mlflow/runs/get?run_id=" + runId, auth).get("run");
        assertEquals("FINISHED", run.get("info").get("status").asText());
        Map<String, String> params = new TreeMap<>();
        run.get("data").get("params").forEach(p -> params.put(p.get("key").asText(), p.get("value").asText()));
        assertEquals(Map.of("model.hidden", "32", "rl.baseline", "scst"), params);
        Map<String, String> tags = new TreeMap<>();
        run.get("data").get("tags").forEach(t -> tags.put(t.get("key").asText(), t.get("value").asText()));
        assertEquals("nlp", tags.get("team"));
        assertEquals("owner", tags.get("mlflow.runName"));
        for (String key : List.of("rl/loss", "eval/bleu")) {
          JsonNode h = get(http, uri + "/api/2.0/mlflow/metrics/get-history?run_id=" + runId + "&metric_key="
              + java.net.URLEncoder.encode(key, StandardCharsets.UTF_8) + "&max_results=10000", auth).get("metrics");
          assertEquals(500, h.size(), key);
        }
        HttpResponse<String> body = http.send(HttpRequest.newBuilder(URI.create(uri
            + "/api/2.0/mlflow-artifacts/artifacts/" + run.get("info").get("experiment_id").asText() + "/" + runId
            + "/artifacts/notes/notes.txt")).header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("artifact body", body.body());
        // In PostgreSQL itself, and no sqlite store was made.
        assertEquals("1000", pg.psql("SELECT count(*) FROM metrics WHERE run_uuid = '" + runId + "'", "mlflow"));
        assertEquals("2", pg.psql("SELECT count(*) FROM params WHERE run_uuid = '" + runId + "'", "mlflow"));
        assertFalse(Files.exists(state.resolve("mlflow.db")));

        // No secret anywhere a user or a later reader sees it.
        List<Path> places = new ArrayList<>();
        try (Stream<Path> s = Stream.of(runDir, strangerDir, state).flatMap(PostgresTrackingTest::walk)) {
          s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".db"))
              .filter(f -> !f.getFileName().toString().equals("flask-secret")).forEach(places::add);
        }
        assertTrue(places.stream().anyMatch(p -> p.getFileName().toString().equals("server.log")), places.toString());
        assertTrue(places.stream().anyMatch(p -> p.getFileName().toString().equals("records.jsonl")), places.toString());
        for (Path f : places) {
          String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
          assertFalse(text.contains(adminPassword), "the MLflow password is in " + f);
          assertFalse(text.contains(pg.password()), "the database password is in " + f);
        }
        for (String text : List.of(cliOut, run.toString())) {
          assertFalse(text.contains(adminPassword));
          assertFalse(text.contains(pg.password()));
        }
      } finally {
        LocalMlflowServer.stopRecorded(state);
      }
    }
  }

  private static Stream<Path> walk(Path dir) {
    try {
      return Files.walk(dir).toList().stream();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode get(HttpClient http, String url, String auth) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), url + ": " + r.body());
    return JSON.readTree(r.body());
  }
}
