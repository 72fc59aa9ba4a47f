package org.seqrl.experiments.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.RunInfo;
import org.seqrl.experiments.train.CliRuns;

/** Runs that start without a server, and a server killed and restarted mid-run (same port, same store). */
class ServerOutageTest {

  static final LocalMlflowServer.Options OPTIONS = TestServers.freshOptions();

  @AfterAll
  static void stop() {
    TestServers.stopAndDelete(OPTIONS.stateDir());
  }

  @Test
  void runWithoutServerIsDeliveredBySyncExactlyOnce(@TempDir Path dir) throws Exception {
    LocalMlflowServer.findRunning(OPTIONS).ifPresent(LocalMlflowServer::stop);
    String uri = "http://127.0.0.1:" + OPTIONS.port();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Path file = dir.resolve("ckpt.bin");
    Files.write(file, new byte[] {1, 2, 3, 4});
    Path runDir = dir.resolve("offline");
    long start = System.nanoTime();
    try (RunRecorder r = RunRecorder.builder(TrackingTarget.of(uri), runDir).experiment("offline").runName("o")
        .flushTimeout(Duration.ofSeconds(1)).console(new PrintStream(console, true)).start()) {
      r.logParams(Map.of("seed", 1, "rl", Map.of("reward", "bleu")));
      for (int step = 0; step < 2500; step++) {
        r.logMetric("train/reward_mean", step, step);
      }
      r.logArtifact(file, "checkpoints");
      assertTrue(r.pending() > 2500);
    }
    // Logging and close never waited for the absent server beyond the flush timeout.
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());
    assertTrue(console.toString().contains("seqrl sync"), console.toString());

    try (LocalMlflowServer server = LocalMlflowServer.ensureRunning(OPTIONS.withStopOnClose(false))) {
      String out = CliRuns.succeeds("sync", runDir.toString()).out();
      assertTrue(out.contains("1 journal(s), 2505 record(s) delivered, 0 left, 0 refused"), out);
      // A second sync finds nothing left to send.
      assertEquals(0, JournalSync.sync(runDir, null, Map.of(), Duration.ofSeconds(10), System.err).delivered());
      MlflowConnection conn = new MlflowConnection(server.uri(), MlflowCredentials.NONE);
      String exp = conn.client().getExperimentByName("offline").orElseThrow().getExperimentId();
      List<RunInfo> runs = conn.client().searchRuns(List.of(exp), "");
      assertEquals(1, runs.size());
      String runId = runs.get(0).getRunId();
      assertSteps(conn.client().getMetricHistory(runId, "train/reward_mean"), 2500);
      assertEquals("FINISHED", conn.client().getRun(runId).getInfo().getStatus().name());
      assertEquals(List.of("checkpoints/ckpt.bin"), conn.listArtifactFiles(runId));
      assertEquals(4, conn.downloadArtifact(runId, "checkpoints/ckpt.bin").length);
    }
  }

  @Test
  void serverKilledMidRunLosesNothing(@TempDir Path dir) throws Exception {
    LocalMlflowServer server = LocalMlflowServer.ensureRunning(OPTIONS.withStopOnClose(false));
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    String runId;
    int steps = 600;
    try (RunRecorder r = RunRecorder.builder(TrackingTarget.of(server.uri()), dir.resolve("run")).experiment("outage")
        .flushTimeout(Duration.ofSeconds(60)).console(new PrintStream(console, true)).start()) {
      for (int step = 0; step < steps; step++) {
        r.logMetric("train/loss", 1.0 / (step + 1), step);
        r.logMetric("train/reward_mean", step % 7, step);
        if (step == 200) {
          assertTrue(r.flush(Duration.ofSeconds(30)));
          server.stop();
          assertFalse(server.isHealthy());
        }
        if (step == 300) {
          Path f = dir.resolve("while-down.txt");
          Files.writeString(f, "logged while the server was down");
          r.logArtifact(f, "");
        }
        if (step == 400) {
          assertTrue(r.pending() > 0, "records logged while the server is down wait in the journal");
          server = LocalMlflowServer.ensureRunning(OPTIONS.withStopOnClose(false));
        }
        Thread.sleep(1);
      }
      assertTrue(r.flush(Duration.ofSeconds(60)), console.toString());
      runId = r.runId().orElseThrow();
    }
    assertTrue(console.toString().contains("not reachable"), console.toString());
    MlflowConnection conn = new MlflowConnection(server.uri(), MlflowCredentials.NONE);
    assertSteps(conn.client().getMetricHistory(runId, "train/loss"), steps);
    assertSteps(conn.client().getMetricHistory(runId, "train/reward_mean"), steps);
    assertEquals("FINISHED", conn.client().getRun(runId).getInfo().getStatus().name());
    assertEquals("logged while the server was down",
        new String(conn.downloadArtifact(runId, "while-down.txt"), StandardCharsets.UTF_8));
  }

  /** Exactly one point per step 0..n-1: complete and without duplicates. */
  static void assertSteps(List<Metric> history, int n) {
    assertEquals(n, history.size(), "points in history");
    assertEquals(n, history.stream().mapToLong(Metric::getStep).distinct().count(), "distinct steps");
    assertEquals(n - 1, history.stream().mapToLong(Metric::getStep).max().orElse(-1));
  }
}
