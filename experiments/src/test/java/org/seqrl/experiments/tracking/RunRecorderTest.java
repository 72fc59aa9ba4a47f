package org.seqrl.experiments.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;

class RunRecorderTest {

  static LocalMlflowServer server;
  static MlflowConnection conn;

  @BeforeAll
  static void startServer() {
    server = TestServers.shared();
    conn = new MlflowConnection(server.uri(), MlflowCredentials.NONE);
  }

  static RunRecorder.Builder recorder(Path dir, String experiment) {
    return RunRecorder.builder(TrackingTarget.of(server.uri()), dir).experiment(experiment)
        .flushTimeout(Duration.ofSeconds(60)).console(new PrintStream(new ByteArrayOutputStream()));
  }

  @Test
  void normalRunLandsCompletely(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "hello artifact");
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("rl", Map.of("reward", "bleu", "baseline", "scst"));
    params.put("seed", 7);
    params.put("long", "x".repeat(7000));
    String runId;
    try (RunRecorder r = recorder(dir.resolve("run"), "normal").runName("first").tag("team", "seqrl").start()) {
      r.logParams(params);
      r.setTag("phase", "rl");
      // 2 keys x 1300 steps: more than one logBatch of 1000.
      for (int step = 0; step < 1300; step++) {
        r.logMetric("train/reward_mean", step * 0.5, step);
        r.logMetric("train/loss", 1.0 / (step + 1), step);
      }
      r.logMetric("eval/bleu", Double.NaN, 5);
      r.logArtifact(file, "docs");
      r.logText("a: 1\n", "config.yaml");
      assertTrue(r.flush(Duration.ofSeconds(60)), "records should be delivered while the server is up");
      runId = r.runId().orElseThrow();
    }
    Run run = conn.client().getRun(runId);
    assertEquals("FINISHED", run.getInfo().getStatus().name());
    Map<String, String> p = run.getData().getParamsList().stream()
        .collect(Collectors.toMap(x -> x.getKey(), x -> x.getValue()));
    assertEquals("bleu", p.get("rl.reward"));
    assertEquals("scst", p.get("rl.baseline"));
    assertEquals("7", p.get("seed"));
    assertEquals(RunRecorder.MAX_PARAM_VALUE, p.get("long").length());
    assertTrue(p.get("long").endsWith(RunRecorder.TRUNCATION_MARK));
    Map<String, String> tags = run.getData().getTagsList().stream()
        .collect(Collectors.toMap(x -> x.getKey(), x -> x.getValue()));
    assertEquals("first", tags.get("mlflow.runName"));
    assertEquals("seqrl", tags.get("team"));
    assertEquals("rl", tags.get("phase"));
    assertEquals("long", tags.get("seqrl.truncated_params"));

    List<Metric> reward = conn.client().getMetricHistory(runId, "train/reward_mean");
    assertEquals(1300, reward.size());
    assertEquals(1300, reward.stream().map(Metric::getStep).distinct().count());
    for (Metric m : reward) {
      assertEquals(m.getStep() * 0.5, m.getValue(), 0.0);
    }
    assertEquals(1300, conn.client().getMetricHistory(runId, "train/loss").size());
    List<Metric> bleu = conn.client().getMetricHistory(runId, "eval/bleu");
    assertEquals(1, bleu.size());
    assertTrue(Double.isNaN(bleu.get(0).getValue()));

    assertEquals(List.of("config.yaml", "docs/notes.txt"), conn.listArtifactFiles(runId).stream().sorted().toList());
    assertEquals("hello artifact", new String(conn.downloadArtifact(runId, "docs/notes.txt"), StandardCharsets.UTF_8));
    // Delivered artifact copies do not pile up in the journal.
    try (var s = Files.walk(dir.resolve("run/mlflow-journal/artifacts"))) {
      assertEquals(0, s.filter(Files::isRegularFile).count());
    }
  }

  @Test
  void childRunNestsUnderParentAndResumeReusesTheRun(@TempDir Path dir) {
    String parentId;
    String childId;
    try (RunRecorder parent = recorder(dir.resolve("sweep"), "nested").runName("sweep").start()) {
      try (RunRecorder child = recorder(dir.resolve("sweep/cell-1"), "nested").runName("cell-1").parent(parent).start()) {
        child.logMetric("train/x", 1, 0);
        child.end(RunRecorder.Status.FAILED);
      }
      assertTrue(parent.flush(Duration.ofSeconds(30)));
      parentId = parent.runId().orElseThrow();
    }
    Run child = conn.client().searchRuns(List.of(conn.client().getExperimentByName("nested").orElseThrow().getExperimentId()),
        "tags.mlflow.parentRunId = '" + parentId + "'").stream()
        .map(i -> conn.client().getRun(i.getRunId())).findFirst().orElseThrow();
    childId = child.getInfo().getRunId();
    assertEquals("FAILED", child.getInfo().getStatus().name());

    // Reopening the same directory resumes the same MLflow run.
    try (RunRecorder again = recorder(dir.resolve("sweep/cell-1"), "nested").start()) {
      again.logMetric("train/x", 2, 1);
      assertTrue(again.flush(Duration.ofSeconds(30)));
      assertEquals(childId, again.runId().orElseThrow());
    }
    assertEquals(2, conn.client().getMetricHistory(childId, "train/x").size());
    assertEquals("FINISHED", conn.client().getRun(childId).getInfo().getStatus().name());
  }

  @Test
  void reattachLogsIntoAnExistingRun(@TempDir Path dir) {
    String runId;
    try (RunRecorder first = recorder(dir.resolve("a"), "reattach").start()) {
      first.logMetric("m", 1, 0);
      assertTrue(first.flush(Duration.ofSeconds(30)));
      runId = first.runId().orElseThrow();
    }
    try (RunRecorder again = recorder(dir.resolve("b"), "reattach").reattach(runId).start()) {
      again.logMetric("m", 2, 1);
      assertTrue(again.flush(Duration.ofSeconds(30)));
      assertEquals(runId, again.runId().orElseThrow());
      assertEquals("RUNNING", conn.client().getRun(runId).getInfo().getStatus().name());
    }
    assertEquals(2, conn.client().getMetricHistory(runId, "m").size());
    assertEquals("FINISHED", conn.client().getRun(runId).getInfo().getStatus().name());
  }

  @Test
  void lostAcknowledgementsDoNotDuplicateRunsOrMetrics(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    try (RunRecorder r = recorder(runDir, "lost-ack").start()) {
      for (int step = 0; step < 1500; step++) {
        r.logMetric("m", step, step);
      }
      r.logParam("p", "v");
    }
    Journal journal = Journal.open(runDir.resolve(Journal.DIR_NAME));
    String runId = journal.runState().orElseThrow().runId();
    // Pretend every acknowledgement was lost: no cursor, no server run id (only the local key).
    journal.saveCursor(new Journal.Cursor(0, 0));
    journal.saveRunState(new Journal.RunState(journal.runState().orElseThrow().key(), null, null,
        journal.runState().orElseThrow().target()));
    JournalSync.Result result = JournalSync.sync(runDir, null, Map.of(), Duration.ofSeconds(10), System.err);
    assertEquals(0, result.remaining());
    String experimentId = conn.client().getExperimentByName("lost-ack").orElseThrow().getExperimentId();
    List<RunInfo> runs = conn.client().searchRuns(List.of(experimentId), "");
    assertEquals(1, runs.size(), "the re-sent run start must adopt the existing run");
    assertEquals(runId, journal.runState().orElseThrow().runId());
    assertEquals(1500, conn.client().getMetricHistory(runId, "m").size());
  }

  @Test
  void credentialsNeverReachTheJournal(@TempDir Path dir) throws Exception {
    MlflowCredentials creds = MlflowCredentials.fromEnv(Map.of("MLFLOW_TRACKING_TOKEN", "s3cr3t-token"));
    TrackingTarget target = TrackingTarget.resolve("http://user:pw-secret@127.0.0.1:" + server.port(), Map.of())
        .withCredentials(creds);
    try (RunRecorder r = RunRecorder.builder(target, dir).experiment("creds").flushTimeout(Duration.ofSeconds(30))
        .console(new PrintStream(new ByteArrayOutputStream())).start()) {
      r.logMetric("m", 1, 0);
    }
    try (var s = Files.walk(dir)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(f);
        assertTrue(!text.contains("s3cr3t") && !text.contains("pw-secret"), f + " holds a credential");
      }
    }
    assertTrue(!creds.toString().contains("s3cr3t"));
  }
}
