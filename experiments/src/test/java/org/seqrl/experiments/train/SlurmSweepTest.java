package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.tracking.LocalMlflowServer;
import org.seqrl.experiments.tracking.TestServers;

/**
 * A sweep through a real Slurm cluster (scripts/slurm-local.sh: slurmctld + slurmd on this machine):
 * its MLflow runs match a local sweep's, and a cell killed by scancel is resubmitted and resumes.
 */
class SlurmSweepTest {
  private static boolean startedHere;

  @TempDir Path tmp;

  @BeforeAll
  static void cluster() throws Exception {
    if (script("status").code() != 0) {
      SlurmSweep.Result r = script("start");
      assertEquals(0, r.code(), "scripts/slurm-local.sh start failed (it needs root or sudo, and Debian's slurm-wlm "
          + "and munge, which it installs):\n" + r.output());
      startedHere = true;
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (startedHere) {
      script("stop");
    }
  }

  private static SlurmSweep.Result script(String action) throws IOException, InterruptedException {
    Path script = LocalMlflowServer.projectRoot().resolve("scripts/slurm-local.sh");
    return SlurmSweep.exec(List.of(script.toString(), action));
  }

  @Test
  void aSweepOnSlurmLandsAsALocalSweepAndACancelledCellResumesOnRerun() throws Exception {
    String uri = TestServers.shared().uri();
    long id = System.nanoTime();
    String onSlurm = "slurm-sweep-" + id;
    String local = "local-sweep-" + id;
    // 2 x 2 cells after one shared pre-training run; RL long enough that a cell can be cancelled mid-way.
    Path cfg = TinyRuns.config(tmp, "grid", 30, 120, """
        sweep:
          grid:
            rl.baseline: [none, scst]
            rl.learning_rate: [0.003, 0.001]
          parallel: 2
          share_pretraining: true
        """);
    Path slurmDir = tmp.resolve("sweep-grid-slurm");
    String first = CliRuns.succeeds("sweep", cfg.toString(), "--set", "experiment=" + onSlurm, "--set", "eval.every=40",
        "--output", slurmDir.toString(), "--tracking-uri", uri, "--launcher", "slurm", "--cpus-per-task", "1", "--detach").out();
    assertTrue(first.contains("slurm: submitted pretrain as array job"), first);
    assertTrue(first.matches("(?s).*slurm: submitted cells as array job \\d+ \\(4 tasks, after \\d+_0\\).*"), first);
    assertTrue(first.contains("slurm: detached"), first);

    // Cancel the first cell while it is in RL.
    String cell = "rl.baseline=none,rl.learning_rate=0.003";
    Path cellDir = slurmDir.resolve("cells").resolve(cell);
    String task = jobs(slurmDir).get(cell);
    long deadline = System.nanoTime() + 300_000_000_000L;
    while (!log(cellDir).contains("[rl]")) {
      if (System.nanoTime() > deadline) {
        fail("the cell never reached RL; its log:\n" + log(cellDir) + "\nsqueue:\n" + squeue(task));
      }
      Thread.sleep(200);
    }
    assertEquals(0, SlurmSweep.exec(List.of("scancel", task)).code());
    while (!squeue(task).contains("CANCELLED")) {
      if (System.nanoTime() > deadline) {
        fail("scancel did not end " + task + ": " + squeue(task));
      }
      Thread.sleep(200);
    }
    // The JVM got SIGTERM and checkpointed before it exited.
    while (!log(cellDir).contains("checkpoint written")) {
      if (System.nanoTime() > deadline) {
        fail("the cancelled cell wrote no checkpoint:\n" + log(cellDir));
      }
      Thread.sleep(200);
    }
    assertFalse(Files.exists(cellDir.resolve(TrainingRun.SUMMARY_FILE)));

    // Rerun: the cancelled cell is resubmitted and resumes; the others are followed, not submitted again.
    String second = CliRuns.succeeds("sweep", cfg.toString(), "--set", "experiment=" + onSlurm, "--set", "eval.every=40",
        "--output", slurmDir.toString(), "--tracking-uri", uri, "--launcher", "slurm", "--cpus-per-task", "1").out();
    assertTrue(second.contains("resume: " + cell), second);
    assertTrue(second.matches("(?s).*slurm: submitted cells as array job \\d+ \\(1 task\\).*"), second);
    assertFalse(second.contains("submitted pretrain"), second);
    assertTrue(second.contains("failed or interrupted: 0"), second);
    assertTrue(second.contains("slurm: 0 pending, 0 running, "), second);
    String cellLog = log(cellDir);
    assertEquals(2, cellLog.split("slurm job ", -1).length - 1, "two submissions of the cell:\n" + cellLog);
    JsonNode summary = TrainingRun.JSON.readTree(cellDir.resolve(TrainingRun.SUMMARY_FILE).toFile());
    assertEquals(120, summary.get("steps").get("total").asLong(), summary.toString());

    // The same grid as a local sweep: the same runs, names, parents, tags, params and metric keys.
    CliRuns.succeeds("sweep", cfg.toString(), "--set", "experiment=" + local, "--set", "eval.every=40",
        "--output", tmp.resolve("sweep-grid-local").toString(), "--tracking-uri", uri);
    Map<String, String> slurmRuns = runs(uri, onSlurm, slurmDir);
    Map<String, String> localRuns = runs(uri, local, tmp.resolve("sweep-grid-local"));
    assertEquals(6, slurmRuns.size(), slurmRuns.toString());
    assertEquals(localRuns, slurmRuns);
  }

  /** Per run name: its parent's name, status, sweep-cell tag, params (sweep dir masked) and metric keys. */
  private static Map<String, String> runs(String uri, String experiment, Path sweepDir) throws Exception {
    JsonNode runs = CliRuns.searchRuns(uri, experiment);
    Map<String, String> nameOf = new TreeMap<>();
    runs.forEach(r -> nameOf.put(r.get("info").get("run_id").asText(), r.get("info").get("run_name").asText()));
    Map<String, String> out = new TreeMap<>();
    String dir = sweepDir.toAbsolutePath().toString();
    for (JsonNode r : runs) {
      Map<String, String> tags = SweepCommandTest.tags(r);
      Map<String, String> params = new TreeMap<>();
      r.path("data").path("params").forEach(p -> params.put(p.get("key").asText(),
          p.get("value").asText().replace(dir, "<sweep>").replace(experiment, "<experiment>")));
      TreeSet<String> metrics = new TreeSet<>();
      r.path("data").path("metrics").forEach(m -> metrics.add(m.get("key").asText()));
      out.put(r.get("info").get("run_name").asText(), "parent=" + nameOf.getOrDefault(tags.getOrDefault("mlflow.parentRunId", "-"), "-")
          + " status=" + r.get("info").get("status").asText() + " cell=" + tags.get("seqrl.sweep.cell")
          + " params=" + params + " metrics=" + metrics);
    }
    // The parent is named after its directory.
    return out.entrySet().stream().collect(java.util.stream.Collectors.toMap(
        e -> e.getKey().startsWith("sweep ") ? "sweep" : e.getKey(),
        e -> e.getValue().replace("parent=sweep grid-slurm", "parent=sweep").replace("parent=sweep grid-local", "parent=sweep"),
        (a, b) -> a, TreeMap::new));
  }

  private static Map<String, String> jobs(Path sweepDir) throws IOException {
    Map<String, String> jobs = new TreeMap<>();
    for (String line : Files.readAllLines(sweepDir.resolve("slurm/jobs.tsv"))) {
      if (!line.startsWith("#")) {
        jobs.put(line.substring(0, line.lastIndexOf('\t')), line.substring(line.lastIndexOf('\t') + 1));
      }
    }
    return jobs;
  }

  private static String squeue(String task) throws IOException, InterruptedException {
    return SlurmSweep.exec(List.of("squeue", "-h", "-r", "--states=all", "-j", task.split("_")[0], "-o", "%i %T %r"))
        .output();
  }

  private static String log(Path cellDir) throws IOException {
    Path f = cellDir.resolve("train.log");
    return Files.isRegularFile(f) ? Files.readString(f) : "";
  }
}
