package org.seqrl.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.SeqrlCli;
import org.seqrl.experiments.tracking.LocalMlflowServer;
import org.seqrl.experiments.tracking.MlflowConnection;
import org.seqrl.experiments.tracking.MlflowCredentials;
import org.seqrl.experiments.tracking.RunRecorder;
import org.seqrl.experiments.tracking.TestServers;
import org.seqrl.experiments.tracking.TrackingTarget;

class SweepReportTest {

  /** eval/bleu at steps 0, 10, 20 per (reward, seed). */
  static final Map<String, Map<Integer, double[]>> BLEU = Map.of(
      "bleu", Map.of(1, new double[] {0.1, 0.5, 0.4}, 2, new double[] {0.2, 0.6, 0.6}, 3, new double[] {0.0, 0.3, 0.5}),
      "levenshtein", Map.of(1, new double[] {0.05, 0.1, 0.2}, 2, new double[] {0.05, 0.3, 0.2}));

  @Test
  void reportGroupsCellsAndPoolsSeeds(@TempDir Path dir) throws Exception {
    LocalMlflowServer server = TestServers.shared();
    TrackingTarget target = TrackingTarget.of(server.uri());
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    String parentId;
    try (RunRecorder parent = RunRecorder.builder(target, dir.resolve("sweep")).experiment("report-test")
        .runName("sweep").console(quiet).start()) {
      for (var reward : BLEU.entrySet()) {
        for (var seed : reward.getValue().entrySet()) {
          String cell = reward.getKey() + "-" + seed.getKey();
          try (RunRecorder r = RunRecorder.builder(target, dir.resolve("sweep/" + cell)).experiment("report-test")
              .runName(cell).parent(parent).flushTimeout(Duration.ofSeconds(30)).console(quiet).start()) {
            r.logParams(Map.of("rl", Map.of("reward", reward.getKey(), "baseline", "scst"),
                "model", Map.of("hidden", 256), "seed", seed.getKey()));
            double[] v = seed.getValue();
            for (int i = 0; i < v.length; i++) {
              r.logMetric("eval/bleu", v[i], i * 10L);
              r.logMetric("train/loss", 1.0 / (i + 1), i * 10L);
            }
          }
        }
      }
      assertTrue(parent.flush(Duration.ofSeconds(30)));
      parentId = parent.runId().orElseThrow();
    }

    Path out = dir.resolve("out");
    int code = SeqrlCli.commandLine().execute("report", "--parent-run", parentId, "--out", out.toString(),
        "--metric", "eval/bleu", "--tracking-uri", server.uri());
    assertEquals(0, code);
    String md = Files.readString(out.resolve("report.md"));
    // Only rl.reward varies: seed is pooled, constant params do not split groups.
    assertTrue(md.contains("Grouped by: rl.reward;"), md);
    // Hand-computed: bleu finals 0.4, 0.6, 0.5 -> 0.5 ± 0.1; bests 0.5, 0.6, 0.5 -> 0.5333 ± 0.0577.
    assertTrue(md.contains("| rl.reward=bleu | 3 | 0.5000 ± 0.1000 | 0.5333 ± 0.0577 |"), md);
    // levenshtein finals 0.2, 0.2 -> 0.2 ± 0; bests 0.2, 0.3 -> 0.25 ± 0.0707.
    assertTrue(md.contains("| rl.reward=levenshtein | 2 | 0.2000 ± 0.0000 | 0.2500 ± 0.0707 |"), md);
    assertFalse(md.contains("train/loss final"), "only eval/* metrics are tabulated");
    assertTrue(md.contains("](curves.png)"));
    BufferedImage png = ImageIO.read(out.resolve("curves.png").toFile());
    // No RL-only metric logged: x is the step. One panel per reward (the only varying param).
    assertEquals(2 * PanelFigure.PANEL_WIDTH, png.getWidth());
    assertEquals(2, PlotTest.plotAreas(png).size());
    assertTrue(Files.readString(out.resolve("report.md")).contains("x is the run's step"));
    assertTrue(Files.size(out.resolve("curves.png")) > 5_000);
    assertTrue(distinctColours(png) > 10, "the curves image should not be blank");

    // By experiment: the same cells (the sweep's parent run is left out, being a parent).
    Path byExp = dir.resolve("by-experiment");
    assertEquals(0, SeqrlCli.commandLine().execute("report", "--experiment", "report-test", "--out", byExp.toString(),
        "--tracking-uri", server.uri()));
    String md2 = Files.readString(byExp.resolve("report.md"));
    assertTrue(md2.contains("(5 runs, 2 groups)"), md2);
    assertTrue(md2.contains("| rl.reward=bleu | 3 | 0.5000 ± 0.1000 | 0.5333 ± 0.0577 |"), md2);

    MlflowConnection conn = new MlflowConnection(server.uri(), MlflowCredentials.NONE);
    List<String> artifacts = conn.listArtifactFiles(parentId);
    assertTrue(artifacts.containsAll(List.of("report/report.md", "report/curves.png")), artifacts.toString());
  }

  @Test
  void seedCurveAveragesSeedsPerStepSinceTheirOrigin() {
    var a = new SweepReport.RunData("a", "a", Map.of(), Map.of(), Map.of("m", List.of(metric(0, 1.0), metric(10, 3.0))));
    var b = new SweepReport.RunData("b", "b", Map.of(), Map.of(), Map.of("m", List.of(metric(0, 2.0), metric(10, 5.0),
        metric(20, 7.0))));
    var c = SweepReport.seedCurve(List.of(a, b), "m", Map.of());
    assertEquals(List.of(0L, 10L, 20L), List.copyOf(c.keySet()));
    // mean, sample std, runs
    assertEquals(List.of(1.5, Math.sqrt(0.5), 2.0), List.of(c.get(0L)[0], c.get(0L)[1], c.get(0L)[2]));
    assertEquals(List.of(4.0, Math.sqrt(2), 2.0), List.of(c.get(10L)[0], c.get(10L)[1], c.get(10L)[2]));
    assertEquals(List.of(7.0, 0.0, 1.0), List.of(c.get(20L)[0], c.get(20L)[1], c.get(20L)[2]));
    // b's RL started after step 10: its points before are left out, step 20 is RL step 10
    var since = SweepReport.seedCurve(List.of(b), "m", Map.of(b, 10L));
    assertEquals(Map.of(0L, 5.0, 10L, 7.0), Map.of(0L, since.get(0L)[0], 10L, since.get(10L)[0]));
    assertEquals(2, since.size());
  }

  @Test
  void rankingAndPairedTestsDecideOnlyWhatTheSeedsSupport(@TempDir Path dir) throws Exception {
    // 6 seeds per baseline. scst beats none by 0.1 on every seed (on top of a shared seed effect);
    // rloo is scst plus alternating ±0.004: a difference the seeds cannot support.
    List<SweepReport.RunData> runs = new java.util.ArrayList<>();
    Map<String, Double> level = Map.of("none", 0.5, "scst", 0.6, "rloo", 0.6);
    for (String baseline : level.keySet()) {
      for (int seed = 1; seed <= 6; seed++) {
        double seedEffect = 0.02 * (seed - 3.5);
        double jitter = baseline.equals("rloo") ? (seed % 2 == 0 ? 0.004 : -0.004) : baseline.equals("none") ? 0.001 * seed : 0;
        double end = level.get(baseline) + seedEffect + jitter;
        double start = 0.4 + seedEffect;
        List<org.mlflow.api.proto.Service.Metric> bleu = List.of(metric(100, start), metric(110, (start + end) / 2), metric(120, end));
        List<org.mlflow.api.proto.Service.Metric> reward = List.of(metric(101, 0.1), metric(120, 0.2));
        runs.add(new SweepReport.RunData(baseline + seed, baseline, Map.of("rl.baseline", baseline, "seed", "" + seed),
            Map.of(), Map.of("eval/bleu", bleu, "rl/reward_mean", reward)));
      }
    }
    String md = Files.readString(new SweepReport(runs, "test").write(dir, "eval/bleu", java.util.OptionalDouble.of(0.5)).markdown());
    assertTrue(md.contains("## Ranking by eval/bleu (higher is better)"), md);
    // none: finals 0.5 + seed effect + 0.001 * seed, mean 0.5035; AUC over RL steps 0..20 = (start + 2 mid + end) / 4
    assertTrue(md.contains("| 3 | rl.baseline=none | 6 | 0.5035 |"), md);
    // steps to 0.5 for none: seeds 4-6 reach it at RL step 10 ((start + end)/2 >= 0.5 needs seed effect >= 0.05 - ...), seeds 1-3 later or never
    assertTrue(md.matches("(?s).*\\| 3 \\| rl\\.baseline=none \\|[^\\n]*\\| \\d+ \\([3-6]/6\\) \\|\\n.*"), md);
    assertTrue(md.contains("| rl.baseline=none | rl.baseline=rloo | rl.baseline | 6 |"), md);
    String noneVsScst = md.lines().filter(l -> l.startsWith("| rl.baseline=none | rl.baseline=scst |")).findFirst().orElseThrow();
    assertTrue(noneVsScst.endsWith("| b better |"), noneVsScst);
    // none - scst = -0.1 + 0.001 * seed: mean -0.0965
    assertTrue(noneVsScst.contains("| -0.0965 |"), noneVsScst);
    String rlooVsScst = md.lines().filter(l -> l.startsWith("| rl.baseline=rloo | rl.baseline=scst |")).findFirst().orElseThrow();
    assertTrue(rlooVsScst.endsWith("| not significant |"), rlooVsScst);
    // Holm over the three rows of the table
    assertTrue(md.contains("Holm-adjusted over all 3 rows"), md);
  }

  @Test
  void rlOriginIsTheStepBeforeTheFirstRlStep() {
    var r = new SweepReport.RunData("a", "a", Map.of(), Map.of(), Map.of("train/mle_loss", List.of(metric(1, 1), metric(2, 1)),
        "train/reward_mean", List.of(metric(3, 0.1), metric(4, 0.2))));
    assertEquals(2L, SweepReport.rlOrigin(r).orElseThrow());
    var mle = new SweepReport.RunData("b", "b", Map.of(), Map.of(), Map.of("train/mle_loss", List.of(metric(1, 1))));
    assertTrue(SweepReport.rlOrigin(mle).isEmpty());
  }

  static org.mlflow.api.proto.Service.Metric metric(long step, double v) {
    return org.mlflow.api.proto.Service.Metric.newBuilder().setKey("m").setStep(step).setValue(v).setTimestamp(step).build();
  }

  static int distinctColours(BufferedImage img) {
    java.util.Set<Integer> c = new java.util.HashSet<>();
    for (int x = 0; x < img.getWidth(); x += 3) {
      for (int y = 0; y < img.getHeight(); y += 3) {
        c.add(img.getRGB(x, y));
      }
    }
    return c.size();
  }
}
