package org.seqrl.experiments.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * N concurrent runs, each logging P metric points (and a few artifacts) to one real server, which is
 * killed (SIGKILL, the whole process tree) once about half the points are on it and restarted on the
 * same port and store; on sqlite and on PostgreSQL. Every point must be on the server exactly once.
 *
 * <p>Small in the suite (4 runs x 600 points). The benchmark in BENCHMARKS.md is the same test at full size:
 * {@code ./mvnw -o -q -pl experiments -am test -Dtest=TrackingLoadTest -Dseqrl.load.runs=32
 * -Dseqrl.load.points=3000 -Dsurefire.failIfNoSpecifiedTests=false}; each store's report line is printed and
 * appended to {@code experiments/target/tracking-load.md}.
 *
 * <p>Delivery latency of a point: from its {@code logMetric} call until the recorder's count of records the
 * server acknowledged covers it, sampled every 20 ms (so its resolution is 20 ms), including the outage.
 */
class TrackingLoadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RUNS = Integer.getInteger("seqrl.load.runs", 4);
  private static final int POINTS = Integer.getInteger("seqrl.load.points", 600);
  /** {@code lean} (one uvicorn worker, the default) or {@code full} (MLflow's 4 workers: concurrent writers on the store). */
  private static final LocalMlflowServer.Footprint FOOTPRINT =
      LocalMlflowServer.Footprint.parse(System.getProperty("seqrl.load.footprint", "lean"), "seqrl.load.footprint");
  private static final int ARTIFACTS = 3;
  private static final String[] KEYS = {"rl/loss", "rl/reward_bleu", "eval/bleu"};

  @TempDir Path tmp;

  @Test
  void sqliteLosesAndDuplicatesNothingThroughAServerKill() throws Exception {
    LocalMlflowServer.Options options = withFootprint(TestServers.freshOptions());
    try {
      load("sqlite", options);
    } finally {
      TestServers.stopAndDelete(options.stateDir());
    }
  }

  @Test
  void postgresqlLosesAndDuplicatesNothingThroughAServerKill() throws Exception {
    try (TestPostgres pg = TestPostgres.start()) {
      LocalMlflowServer.Options options = withFootprint(TestServers.freshOptions().withBackendStoreUri(pg.uri()));
      try {
        load("postgresql", options);
      } finally {
        TestServers.stopAndDelete(options.stateDir());
      }
    }
  }

  private static LocalMlflowServer.Options withFootprint(LocalMlflowServer.Options o) {
    return new LocalMlflowServer.Options(o.projectRoot(), o.stateDir(), o.port(), o.startTimeout(), o.stopOnClose(),
        FOOTPRINT, o.backendStoreUri(), o.auth());
  }

  private void load(String store, LocalMlflowServer.Options options) throws Exception {
    LocalMlflowServer server = LocalMlflowServer.ensureRunning(options);
    String uri = server.uri();
    String experiment = "load-" + store + "-" + System.nanoTime();
    int perKey = POINTS / KEYS.length;
    int points = perKey * KEYS.length;
    long[][] loggedAt = new long[RUNS][points];
    AtomicLongArray logged = new AtomicLongArray(RUNS);
    long[][] deliveredAt = new long[RUNS][points];
    RunRecorder[] recorders = new RunRecorder[RUNS];
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream consoleOut = new PrintStream(console, true, StandardCharsets.UTF_8);
    for (int r = 0; r < RUNS; r++) {
      recorders[r] = RunRecorder.builder(TrackingTarget.of(uri), tmp.resolve(store + "-run-" + r)).experiment(experiment)
          .runName("run " + r).flushTimeout(Duration.ofMinutes(10)).console(consoleOut).start();
      recorders[r].logParams(java.util.Map.of("run", r));
    }
    // Sampler: when the acknowledged records cover point i of run r, point i is delivered.
    AtomicBoolean sampling = new AtomicBoolean(true);
    long[] deliveredPoints = new long[RUNS];
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        long now = System.nanoTime();
        for (int r = 0; r < RUNS; r++) {
          long n = logged.get(r);
          long covered = Math.max(0, n - recorders[r].pending());
          for (long i = deliveredPoints[r]; i < Math.min(covered, points); i++) {
            deliveredAt[r][(int) i] = now;
          }
          deliveredPoints[r] = Math.max(deliveredPoints[r], Math.min(covered, points));
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "load-sampler");
    sampler.start();

    long start = System.nanoTime();
    // The writers stop at 60 % of their points until the server has been killed: a fast server otherwise
    // acknowledged every point before the kill (seen once in CI with PostgreSQL: all 2,400 points on the
    // server at 1.7 s), and the outage went unseen. The kill comes at 50 % delivered, so up to a tenth
    // of the points can still be in flight.
    CountDownLatch killed = new CountDownLatch(1);
    int pauseStep = perKey * 6 / 10;
    ExecutorService pool = Executors.newFixedThreadPool(RUNS);
    List<Future<?>> writers = new ArrayList<>();
    for (int r = 0; r < RUNS; r++) {
      int run = r;
      writers.add(pool.submit(() -> {
        // As training logs: a step's metrics together, then some work (here 2 ms).
        for (int step = 0; step < perKey; step++) {
          if (step == pauseStep && !killed.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the server was never killed");
          }
          for (int k = 0; k < KEYS.length; k++) {
            int i = step * KEYS.length + k;
            loggedAt[run][i] = System.nanoTime();
            recorders[run].logMetric(KEYS[k], run + step / 1000.0 + k, step);
            logged.incrementAndGet(run);
          }
          if (step % (perKey / ARTIFACTS) == 0 && step / (perKey / ARTIFACTS) < ARTIFACTS) {
            recorders[run].logText("run " + run + " step " + step + "\n", "notes/step-" + step + ".txt");
          }
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }
        return null;
      }));
    }
    // Kill the server once about half of all points are on it.
    long half = (long) RUNS * points / 2;
    while (Arrays.stream(deliveredPoints).sum() < half) {
      assertTrue(System.nanoTime() - start < Duration.ofMinutes(10).toNanos(), "half the points never arrived");
      Thread.sleep(20);
    }
    long killedAt = System.nanoTime();
    List<ProcessHandle> tree = new ArrayList<>(ProcessHandle.of(server.pid()).orElseThrow().descendants().toList());
    tree.add(ProcessHandle.of(server.pid()).orElseThrow());
    tree.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : tree) {
      h.onExit().get();
    }
    long deliveredAtKill = Arrays.stream(deliveredPoints).sum();
    killed.countDown();
    server = LocalMlflowServer.ensureRunning(options);
    long restartedAt = System.nanoTime();
    for (Future<?> w : writers) {
      w.get();
    }
    pool.shutdown();
    for (RunRecorder r : recorders) {
      r.close();
    }
    long end = System.nanoTime();
    sampling.set(false);
    sampler.join();

    // What is on the server.
    long onServer = 0;
    long duplicates = 0;
    HttpClient http = HttpClient.newHttpClient();
    for (int r = 0; r < RUNS; r++) {
      String runId = JSON.readTree(tmp.resolve(store + "-run-" + r).resolve("mlflow-journal/run.json").toFile())
          .get("runId").asText();
      for (String key : KEYS) {
        JsonNode h = get(http, uri(server, "/api/2.0/mlflow/metrics/get-history?run_id=" + runId + "&metric_key="
            + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&max_results=100000")).path("metrics");
        Set<String> distinct = new HashSet<>();
        h.forEach(m -> distinct.add(m.get("step").asText() + "/" + m.get("timestamp").asText() + "/"
            + m.get("value").asText()));
        onServer += distinct.size();
        duplicates += h.size() - distinct.size();
      }
      JsonNode files = get(http, uri(server, "/api/2.0/mlflow/artifacts/list?run_id=" + runId + "&path=notes"));
      assertEquals(ARTIFACTS, files.path("files").size(), "artifacts of run " + r + ": " + files);
      JsonNode run = get(http, uri(server, "/api/2.0/mlflow/runs/get?run_id=" + runId));
      assertEquals("FINISHED", run.get("run").get("info").get("status").asText());
    }
    long total = (long) RUNS * points;
    long[] latencies = new long[(int) total];
    int n = 0;
    for (int r = 0; r < RUNS; r++) {
      for (int i = 0; i < points; i++) {
        latencies[n++] = deliveredAt[r][i] == 0 ? end - loggedAt[r][i] : Math.max(0, deliveredAt[r][i] - loggedAt[r][i]);
      }
    }
    Arrays.sort(latencies);
    double seconds = (end - start) / 1e9;
    String line = String.format(Locale.ROOT, "| %s, %s server | %d x %d | %d | %d | %d | %d | %.1f s | %.0f points/s | %.2f / %.2f / %.2f / %.2f s "
            + "| killed at %.1f s with %d points on the server, up again after %.1f s |",
        store, FOOTPRINT.label(), RUNS, points, total, onServer, total - onServer, duplicates, seconds, total / seconds,
        pct(latencies, 0.50), pct(latencies, 0.95), pct(latencies, 0.99), latencies[latencies.length - 1] / 1e9,
        (killedAt - start) / 1e9, deliveredAtKill, (restartedAt - killedAt) / 1e9);
    System.out.println(line);
    Path report = Path.of("target", "tracking-load.md");
    Files.writeString(report, line + "\n", java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    assertEquals(total, onServer, "points lost; console:\n" + console);
    assertEquals(0, duplicates, "points duplicated");
    assertTrue(console.toString().contains("is not reachable"),
        "the outage was seen: " + console);
    server.stop();
  }

  private static double pct(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e9;
  }

  private static String uri(LocalMlflowServer server, String path) {
    return server.uri() + path;
  }

  private static JsonNode get(HttpClient http, String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), url + ": " + r.body());
    return JSON.readTree(r.body());
  }
}
