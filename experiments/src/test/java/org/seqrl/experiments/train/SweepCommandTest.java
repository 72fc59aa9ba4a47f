package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    String out = CliRuns.succeeds("sweep", cfg.toString(), "--set", "experiment=" + experiment, "--output", dir.toString(),
        "--tracking-uri", uri).out();
    assertTrue(out.contains("failed or interrupted: 0"), out);
    assertTrue(Files.isRegularFile(dir.resolve("pretrain/pretrain/summary.json")), "one shared pre-training run");
    for (String cell : new String[] {"rl.baseline=none", "rl.baseline=scst"}) {
      JsonNode s = TrainingRun.JSON.readTree(dir.resolve("cells").resolve(cell).resolve("summary.json").toFile());
      assertEquals(10, s.get("steps").get("total").asLong(), "a cell runs RL only: " + cell);
    }
    if (System.getenv("SEQRL_CELL_THREADS") == null) {
      // BLAS threads: the one shared pre-training run alone gets every core, the 2 cells side by side half each.
      int cores = Runtime.getRuntime().availableProcessors();
      JsonNode p = TrainingRun.JSON.readTree(dir.resolve("pretrain/pretrain/summary.json").toFile());
      assertEquals(Integer.toString(cores), p.get("versions").get("openblas_num_threads").asText(), out);
      JsonNode c = TrainingRun.JSON.readTree(dir.resolve("cells/rl.baseline=none/summary.json").toFile());
      assertEquals(Integer.toString(Math.max(1, cores / 2)), c.get("versions").get("openblas_num_threads").asText(), out);
    }
    // Both cells start RL from the same pre-trained model.
    JsonNode a = TrainingRun.JSON.readTree(dir.resolve("cells/rl.baseline=none/summary.json").toFile()).get("before_rl");
    JsonNode b = TrainingRun.JSON.readTree(dir.resolve("cells/rl.baseline=scst/summary.json").toFile()).get("before_rl");
    assertEquals(a, b);

    JsonNode runs = CliRuns.searchRuns(uri, experiment);
    String parentId = null;
    JsonNode parent = null;
    List<String> children = new ArrayList<>();
    java.util.Map<String, String> childCells = new java.util.TreeMap<>();
    for (JsonNode r : runs) {
      java.util.Map<String, String> tags = tags(r);
      if (tags.containsKey("seqrl.sweep")) {
        parentId = r.get("info").get("run_id").asText();
        parent = r;
      } else {
        children.add(tags.get("mlflow.parentRunId"));
        childCells.put(r.get("info").get("run_name").asText(), tags.getOrDefault("seqrl.sweep.cell", "-"));
      }
    }
    assertEquals(3, children.size(), "pre-training run and two cells: " + runs);
    for (String p : children) {
      assertEquals(parentId, p);
    }
    // Short, distinct names; the full overrides stay in a tag.
    assertEquals(java.util.Map.of("pretrain", "pretrain", "baseline none", "rl.baseline=none", "scst", "rl.baseline=scst"),
        childCells);
    assertEquals("sweep run", parent.get("info").get("run_name").asText(), "the sweep dir is sweep-run");
    // The parent carries the summary: each cell's final dev metric, the best cell, and the report.
    java.util.Map<String, Double> pm = new java.util.TreeMap<>();
    parent.path("data").path("metrics").forEach(m -> pm.put(m.get("key").asText(), m.get("value").asDouble()));
    for (String cell : new String[] {"rl.baseline=none", "rl.baseline=scst"}) {
      double rate = TrainingRun.JSON.readTree(dir.resolve("cells").resolve(cell).resolve("summary.json").toFile())
          .get("final").get("levenshtein_rate").asDouble();
      String label = cell.equals("rl.baseline=none") ? "baseline none" : "scst";
      assertEquals(rate, pm.get("final_levenshtein_rate/" + label), 1e-9, pm.toString());
    }
    double best = Math.min(pm.get("final_levenshtein_rate/baseline none"), pm.get("final_levenshtein_rate/scst"));
    assertEquals(best, pm.get("best/final_levenshtein_rate"), 1e-12, pm.toString());
    assertEquals(2.0, pm.get("sweep/cells_finished"));
    assertTrue(List.of("baseline none", "scst").contains(tags(parent).get("seqrl.sweep.best_cell")), tags(parent).toString());
    assertTrue(Files.isRegularFile(dir.resolve("report/report.md")), "the report is built when the sweep ends");
    HttpResponse<String> listed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri
        + "/api/2.0/mlflow/artifacts/list?run_id=" + parentId + "&path=report")).build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(listed.body().contains("report/report.md") && listed.body().contains("report/curves.png"), listed.body());
    assertTrue(out.contains("MLflow sweep run: " + uri + "/#/experiments/"), out);
    assertTrue(out.contains("/runs/" + parentId + "?workflowType=machine_learning"), out);

    String again = CliRuns.succeeds("sweep", cfg.toString(), "--set", "experiment=" + experiment, "--output", dir.toString(),
        "--tracking-uri", uri).out();
    assertEquals(3, again.split("skip \\(finished\\)", -1).length - 1, again);
    assertEquals(runs.size(), CliRuns.searchRuns(uri, experiment).size(), "a rerun creates no runs");
  }

  /** The shared pre-training run (rl.steps 0) does not check the grid's RL values against its own zero RL steps. */
  @Test
  void aSharedPretrainingRunStartsUnderAGridOverRlWarmupSteps() throws Exception {
    Path cfg = TinyRuns.config(tmp, "warmup-grid", 30, 10, """
        sweep:
          grid:
            rl.warmup_steps: [0, 5]
          parallel: 1
          share_pretraining: true
        """);
    Path dir = tmp.resolve("warmup-grid-run");
    String out = CliRuns.succeeds("sweep", cfg.toString(), "--output", dir.toString(), "--no-tracking").out();
    assertTrue(out.contains("failed or interrupted: 0"), out);
    for (String cell : new String[] {"rl.warmup_steps=0", "rl.warmup_steps=5"}) {
      assertTrue(Files.isRegularFile(dir.resolve("cells").resolve(cell).resolve("summary.json")), cell + ": " + out);
    }
  }

  @Test
  void aConfigWithoutAGridIsNotASweep() throws Exception {
    for (String grid : new String[] {"sweep:\n  grid: {}\n", ""}) {
      Path cfg = TinyRuns.config(tmp, "nogrid", 30, 10, grid);
      String text = CliRuns.exits(2, "sweep", cfg.toString(), "--output", tmp.resolve("nogrid").toString(),
          "--no-tracking").err();
      assertTrue(text.contains(cfg + ": sweep.grid is empty or missing; expected a mapping of config keys to lists "
          + "of values"), text);
      assertTrue(Files.notExists(tmp.resolve("nogrid")), "nothing is started");
    }
  }

  @Test
  void cellsGetShortDistinctRunNames() {
    assertEquals("levenshtein · scst · seed 2",
        SweepCommand.runLabel(List.of("rl.reward=levenshtein", "rl.baseline=scst", "seed=2")));
    assertEquals("baseline none · learning rate 0.001 · attention none",
        SweepCommand.runLabel(List.of("rl.baseline=none", "rl.learning_rate=0.001", "model.attention=none")));
    assertEquals("reward bleu 0.5, exact-match 0.5",
        SweepCommand.runLabel(List.of("rl.reward={bleu: 0.5, exact-match: 0.5}")));
    assertEquals("base", SweepCommand.runLabel(List.of()));
    // Labels that would collide fall back to the full overrides.
    var cells = List.of(new org.seqrl.experiments.config.SweepCell("a.x=foo", List.of("a.x=foo")),
        new org.seqrl.experiments.config.SweepCell("b.y=foo", List.of("b.y=foo")));
    assertEquals(List.of("a.x=foo", "b.y=foo"),
        List.copyOf(SweepCommand.runLabels(cells).values()));
  }

  @Test
  void cellsShareTheCoresAmongTheCellsThatRunAtOnce() {
    assertEquals(1, SweepCommand.cellThreads(null, 2, 2, 8), "2 cells at once on 2 cores");
    assertEquals(2, SweepCommand.cellThreads(null, 2, 1, 8), "one cell at a time gets both cores");
    assertEquals(2, SweepCommand.cellThreads(null, 64, 32, 100), "the default's half the cores at once on 64");
    // Fewer cells left than workers: the cores of the workers that stay idle go to the cells that run.
    assertEquals(8, SweepCommand.cellThreads(null, 64, 32, 8), "8 cells, 32 workers, 64 cores");
    assertEquals(2, SweepCommand.cellThreads(null, 2, 2, 1), "the one cell left to run");
    assertEquals(1, SweepCommand.cellThreads(null, 2, 4, 8), "more workers than cores: still one thread");
    assertEquals(3, SweepCommand.cellThreads("3", 64, 32, 8), "SEQRL_CELL_THREADS decides");
    assertEquals(2, SweepCommand.cellThreads(" ", 2, 1, 8), "blank is unset");
    for (String bad : new String[] {"0", "-1", "two", "1.5"}) {
      var e = assertThrows(org.seqrl.experiments.cli.UserInputException.class,
          () -> SweepCommand.cellThreads(bad, 2, 1, 8));
      assertEquals("SEQRL_CELL_THREADS: '" + bad + "' is not a thread count; expected a whole number >= 1, or unset "
          + "to share the cores among the cells that run at once", e.getMessage());
    }
  }

  static java.util.Map<String, String> tags(JsonNode run) {
    java.util.Map<String, String> tags = new java.util.TreeMap<>();
    run.path("data").path("tags").forEach(t -> tags.put(t.get("key").asText(), t.get("value").asText()));
    return tags;
  }

  /** Decoder stacks, connections and both places of the norm-stabilizer are sweep.grid keys like any other. */
  @Test
  void sweepsOverDecoderStacksConnectionsAndRegularisers() throws Exception {
    String uri = TestServers.shared().uri();
    String experiment = "sweep-stacks-" + System.nanoTime();
    Path cfg = TinyRuns.config(tmp, "stacks", 20, 5, """
        sweep:
          grid:
            model.decoder_layers: [1, 2]
            model.layer_connections: [none, residual]
            model.norm_stabilizer_on: [logits]
            model.init_state_mean_ratio: [0.5]
          parallel: 2
        """);
    Path dir = tmp.resolve("stacks-run");
    String out = CliRuns.succeeds("sweep", cfg.toString(), "--set", "experiment=" + experiment, "--set", "model.encoder_layers=2",
        "--set", "model.norm_stabilizer=0.1", "--output", dir.toString(), "--tracking-uri", uri).out();
    assertTrue(out.contains("failed or interrupted: 0"), out);
    for (String layers : new String[] {"1", "2"}) {
      for (String conn : new String[] {"none", "residual"}) {
        try (var cells = Files.list(dir.resolve("cells"))) {
          Path cell = cells.filter(p -> p.getFileName().toString().contains("model.decoder_layers=" + layers)
              && p.getFileName().toString().contains("model.layer_connections=" + conn)).findFirst().orElseThrow();
          String yaml = Files.readString(cell.resolve("config.yaml"));
          assertTrue(yaml.contains("decoder_layers: " + layers) && yaml.contains("norm_stabilizer_on:"), yaml);
          JsonNode s = TrainingRun.JSON.readTree(cell.resolve("summary.json").toFile());
          assertEquals(25, s.get("steps").get("total").asLong(), cell.toString());
        }
      }
    }
  }
}
