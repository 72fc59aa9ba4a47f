package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.SeqrlCli;
import org.seqrl.experiments.tracking.TestServers;

/** A small sweep against a real MLflow server: parent and child runs, shared pre-training, resume by skipping. */
class SweepCommandTest {
  @TempDir Path tmp;

  @Test
  void runsEveryCellAsAChildRunAndSkipsFinishedCellsWhenRunAgain() throws Exception {
    String uri = TestServers.shared().uri();
    String experiment = "sweep-test-" + System.nanoTime();
    Path cfg = TinyRuns.config(tmp, "sweep", 30, 10, """
        sweep:
          grid:
            rl.baseline: [none, scst]
          parallel: 2
          share_pretraining: true
        """);
    Path dir = tmp.resolve("sweep-run");
    String out = run("sweep", cfg.toString(), "--set", "experiment=" + experiment, "--output", dir.toString(),
        "--tracking-uri", uri);
    assertTrue(out.contains("failed or interrupted: 0"), out);
    assertTrue(Files.isRegularFile(dir.resolve("pretrain/pretrain/summary.json")), "one shared pre-training run");
    for (String cell : new String[] {"rl.baseline=none", "rl.baseline=scst"}) {
      JsonNode s = TrainingRun.JSON.readTree(dir.resolve("cells").resolve(cell).resolve("summary.json").toFile());
      assertEquals(10, s.get("steps").get("total").asLong(), "a cell runs RL only: " + cell);
    }
    // Both cells start RL from the same pre-trained model.
    JsonNode a = TrainingRun.JSON.readTree(dir.resolve("cells/rl.baseline=none/summary.json").toFile()).get("before_rl");
    JsonNode b = TrainingRun.JSON.readTree(dir.resolve("cells/rl.baseline=scst/summary.json").toFile()).get("before_rl");
    assertEquals(a, b);

    JsonNode runs = searchRuns(uri, experiment);
    String parentId = null;
    List<String> children = new ArrayList<>();
    for (JsonNode r : runs) {
      boolean isParent = false;
      String parentTag = null;
      for (JsonNode t : r.path("data").path("tags")) {
        if (t.get("key").asText().equals("seqrl.sweep")) {
          isParent = true;
        }
        if (t.get("key").asText().equals("mlflow.parentRunId")) {
          parentTag = t.get("value").asText();
        }
      }
      if (isParent) {
        parentId = r.get("info").get("run_id").asText();
      } else {
        children.add(parentTag);
      }
    }
    assertEquals(3, children.size(), "pre-training run and two cells: " + runs);
    for (String p : children) {
      assertEquals(parentId, p);
    }

    String again = run("sweep", cfg.toString(), "--set", "experiment=" + experiment, "--output", dir.toString(),
        "--tracking-uri", uri);
    assertEquals(3, again.split("skip \\(finished\\)", -1).length - 1, again);
    assertEquals(runs.size(), searchRuns(uri, experiment).size(), "a rerun creates no runs");
  }

  @Test
  void aConfigWithoutAGridIsNotASweep() throws Exception {
    for (String grid : new String[] {"sweep:\n  grid: {}\n", ""}) {
      Path cfg = TinyRuns.config(tmp, "nogrid", 30, 10, grid);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream old = System.err;
      int code;
      try {
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        code = SeqrlCli.commandLine().execute("sweep", cfg.toString(), "--output", tmp.resolve("nogrid").toString(),
            "--no-tracking");
      } finally {
        System.setErr(old);
      }
      String text = err.toString(StandardCharsets.UTF_8);
      assertEquals(2, code, text);
      assertTrue(text.contains(cfg + ": sweep.grid is empty or missing; expected a mapping of config keys to lists "
          + "of values"), text);
      assertTrue(Files.notExists(tmp.resolve("nogrid")), "nothing is started");
    }
  }

  private static String run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      int code = SeqrlCli.commandLine().execute(args);
      String text = out.toString(StandardCharsets.UTF_8);
      assertEquals(0, code, text);
      return text;
    } finally {
      System.setOut(old);
    }
  }

  private static JsonNode searchRuns(String uri, String experiment) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> e = http.send(HttpRequest.newBuilder(URI.create(uri + "/api/2.0/mlflow/experiments/get-by-name?experiment_name="
        + URLEncoder.encode(experiment, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    String id = TrainingRun.JSON.readTree(e.body()).get("experiment").get("experiment_id").asText();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri + "/api/2.0/mlflow/runs/search"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"experiment_ids\": [\"" + id + "\"], \"max_results\": 100}")).build(),
        HttpResponse.BodyHandlers.ofString());
    return TrainingRun.JSON.readTree(r.body()).path("runs");
  }
}
