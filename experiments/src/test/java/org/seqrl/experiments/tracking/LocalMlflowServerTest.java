package org.seqrl.experiments.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.train.CliRuns;

class LocalMlflowServerTest {

  static final LocalMlflowServer.Options OPTIONS = TestServers.freshOptions();

  @AfterAll
  static void stop() {
    TestServers.stopAndDelete(OPTIONS.stateDir());
  }

  /** The embedded default: the recorder's sender starts the server on demand; `seqrl mlflow` then finds and stops it. */
  @Test
  void embeddedServerStartsOnDemandIsReusedAndStops(@TempDir Path dir) throws Exception {
    assertTrue(LocalMlflowServer.findRunning(OPTIONS).isEmpty());
    TrackingTarget target = TrackingTarget.embedded(OPTIONS.withStopOnClose(false));
    long before = System.nanoTime();
    String runId;
    try (RunRecorder r = RunRecorder.builder(target, dir).experiment("embedded").flushTimeout(Duration.ofSeconds(120))
        .console(new PrintStream(new ByteArrayOutputStream())).start()) {
      r.logMetric("m", 1.0, 0);
      // Logging did not wait for the server start (which takes seconds).
      assertTrue(System.nanoTime() - before < Duration.ofSeconds(2).toNanos());
      assertTrue(r.flush(Duration.ofSeconds(120)));
      runId = r.runId().orElseThrow();
    }
    LocalMlflowServer running = LocalMlflowServer.findRunning(OPTIONS).orElseThrow();
    assertEquals(OPTIONS.port(), running.port());
    assertEquals(1, new MlflowConnection(running.uri(), MlflowCredentials.NONE).client().getMetricHistory(runId, "m").size());

    String out = CliRuns.succeeds("mlflow", "--state-dir", OPTIONS.stateDir().toString()).out();
    assertTrue(out.contains("MLflow UI: " + running.uri() + "/#/experiments?workflowType=machine_learning\n"), out);
    assertTrue(out.contains("Tracking URI: " + running.uri() + "\n"), out);
    assertTrue(out.contains("already running, pid " + running.pid() + ", lean server"), out);
    String one = CliRuns.succeeds("mlflow", "--state-dir", OPTIONS.stateDir().toString(), "--experiment", "embedded").out();
    assertTrue(one.contains("MLflow UI: " + running.uri() + "/#/experiments/" + experimentOf(runId) + "/runs?workflowType=machine_learning"),
        one);
    List<ProcessHandle> tree = ProcessHandle.of(running.pid()).orElseThrow().descendants().toList();
    assertFalse(tree.isEmpty(), "mlflow server runs uvicorn as a child process");
    // The lean server: the launcher and one uvicorn worker, no GenAI job runner (huey consumers).
    assertEquals(LocalMlflowServer.Footprint.LEAN, running.footprint());
    assertEquals(1, tree.size(), "processes below the server: " + commands(tree));
    assertFalse(commands(tree).contains("huey"), commands(tree));

    String stopped = CliRuns.succeeds("mlflow", "--stop", "--state-dir", OPTIONS.stateDir().toString()).out();
    assertTrue(stopped.contains("stopped"), stopped);
    assertFalse(running.isHealthy());
    assertFalse(ProcessHandle.of(running.pid()).map(ProcessHandle::isAlive).orElse(false));
    for (ProcessHandle h : tree) {
      assertFalse(h.isAlive(), "child " + h.pid() + " of the server outlived it");
    }
    assertTrue(CliRuns.succeeds("mlflow", "--stop", "--state-dir", OPTIONS.stateDir().toString()).out()
        .contains("no local MLflow server"));
  }

  /**
   * A recorded server that is alive but does not answer (here: stopped with SIGSTOP, as a single busy
   * worker looks under heavy load) is waited for, and ended if it stays silent; a second server is
   * never started beside it on the same store (that once left five servers running in one state directory).
   */
  @Test
  void aSilentServerIsWaitedForThenEndedNeverDuplicated() throws Exception {
    LocalMlflowServer.Options options = TestServers.freshOptions();
    try {
      LocalMlflowServer first = LocalMlflowServer.ensureRunning(options);
      List<ProcessHandle> tree = new java.util.ArrayList<>(ProcessHandle.of(first.pid()).orElseThrow().descendants().toList());
      tree.add(ProcessHandle.of(first.pid()).orElseThrow());
      signal("-STOP", tree);
      assertFalse(first.isHealthy());
      Thread resume = new Thread(() -> {
        try {
          Thread.sleep(2_000);
          signal("-CONT", tree);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      resume.start();
      LocalMlflowServer again = LocalMlflowServer.ensureRunning(options.withStartTimeout(Duration.ofSeconds(60)));
      resume.join();
      assertEquals(first.pid(), again.pid(), "the busy server was waited for, not replaced");

      signal("-STOP", tree);
      try {
        LocalMlflowServer replaced = LocalMlflowServer.ensureRunning(options.withStartTimeout(Duration.ofSeconds(3)));
        assertTrue(replaced.pid() != first.pid());
      } catch (IllegalStateException slowStart) {
        // 3 s may be too short for the replacement to start; what matters is below
      }
      for (ProcessHandle h : tree) {
        assertFalse(h.isAlive(), "the silent server's process " + h.pid() + " still runs beside a new one");
      }
    } finally {
      TestServers.stopAndDelete(options.stateDir());
    }
  }

  private static void signal(String signal, List<ProcessHandle> processes) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("kill", signal));
    processes.forEach(h -> cmd.add(Long.toString(h.pid())));
    new ProcessBuilder(cmd).inheritIO().start().waitFor();
  }

  @Test
  void missingVenvIsAClearError(@TempDir Path dir) {
    var options = new LocalMlflowServer.Options(dir, dir.resolve("state"), 0, Duration.ofSeconds(5), true);
    var e = assertThrows(IllegalStateException.class, () -> LocalMlflowServer.ensureRunning(options));
    assertTrue(e.getMessage().contains(".venv/bin/mlflow") && e.getMessage().contains("setup-python.sh"), e.getMessage());
  }

  @Test
  void trackingUriResolution() {
    var env = java.util.Map.of("MLFLOW_TRACKING_URI", "http://env-host:5000");
    assertEquals("http://opt:1", TrackingTarget.resolve("http://opt:1/", env).uri());
    assertEquals("http://env-host:5000", TrackingTarget.resolve(null, env).uri());
    assertTrue(TrackingTarget.resolve(null, java.util.Map.of()).embedded());
    var bad = assertThrows(org.seqrl.experiments.cli.UserInputException.class,
        () -> TrackingTarget.resolve("file:///tmp/mlruns", java.util.Map.of()));
    assertTrue(bad.getMessage().startsWith("--tracking-uri: 'file:///tmp/mlruns' is not an http(s) tracking server"));
    assertEquals("http://h:1/x", TrackingTarget.redact("http://user:secret@h:1/x"));
  }

  private static String experimentOf(String runId) {
    return new MlflowConnection("http://127.0.0.1:" + OPTIONS.port(), MlflowCredentials.NONE).client().getRun(runId).getInfo()
        .getExperimentId();
  }

  private static String commands(List<ProcessHandle> tree) {
    return tree.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList().toString();
  }
}
