package org.seqrl.experiments.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.experiments.report.SweepReport;
import org.seqrl.experiments.tracking.LocalMlflowServer;
import org.seqrl.experiments.tracking.MlflowConnection;
import org.seqrl.experiments.tracking.RunRecorder;
import org.seqrl.experiments.tracking.TrackingTarget;

/**
 * What a sweep's parent run carries when the sweep ends: each cell's final dev value of
 * {@code eval.best_metric}, the best cell, and the comparison report ({@code report/}), so that
 * the parent answers "which cell won?" in the MLflow UI without another command.
 */
final class SweepSummary {
  private SweepSummary() {}

  /**
   * Logs, at step 0, {@code final_<metric>/<cell label>} for every finished RL cell,
   * {@code best/final_<metric>} with the tag {@code seqrl.sweep.best_cell}, and the cell counts.
   * Shared pre-training runs are not cells and are left out.
   */
  static void log(RunRecorder parent, SeqrlConfig config, List<SweepCommand.CellResult> results) throws IOException {
    String metric = config.eval().bestMetric();
    String shortName = metric.startsWith("eval/") ? metric.substring("eval/".length()) : metric;
    boolean higherBetter = config.eval().bestDirection() == org.seqrl.rl.MetricDirection.MAX;
    String best = null;
    double bestValue = Double.NaN;
    int finished = 0;
    int failed = 0;
    for (SweepCommand.CellResult r : results) {
      if (r.pretraining()) {
        continue;
      }
      if (r.exitCode() != 0) {
        failed++;
        continue;
      }
      finished++;
      Path summary = r.dir().resolve(TrainingRun.SUMMARY_FILE);
      if (!Files.isRegularFile(summary)) {
        continue;
      }
      JsonNode cell = TrainingRun.JSON.readTree(summary.toFile());
      // eval/reward stands for each cell's own reward (eval/reward_bleu, ...): read the key the cell resolved.
      String cellMetric = cell.path("best_metric").asText(metric);
      JsonNode v = cell.path("final").path(cellMetric.startsWith("eval/") ? cellMetric.substring(5) : cellMetric);
      if (!v.isNumber()) {
        continue;
      }
      double value = v.asDouble();
      parent.logMetric("final_" + shortName + "/" + keySegment(r.label()), value, 0);
      if (Double.isFinite(value) && (best == null || (higherBetter ? value > bestValue : value < bestValue))) {
        best = r.label();
        bestValue = value;
      }
    }
    parent.logMetric("sweep/cells_finished", finished, 0);
    parent.logMetric("sweep/cells_failed", failed, 0);
    if (best != null) {
      parent.logMetric("best/final_" + shortName, bestValue, 0);
      parent.setTag("seqrl.sweep.best_cell", best);
      parent.setTag("seqrl.sweep.best_by", String.format(Locale.ROOT, "final dev %s (%s is better)", metric,
          higherBetter ? "higher" : "lower"));
    }
  }

  /**
   * Builds {@code seqrl report --parent-run} for the parent into {@code <sweep>/report/} and logs it
   * under {@code report/}. A failure (server away, no eval metrics) is one line: the sweep's own
   * results are safe in the cells' directories and the report can be built later.
   */
  static void report(RunRecorder parent, TrackingTarget target, SeqrlConfig config, Path sweepDir) {
    if (!parent.flush(Duration.ofSeconds(60)) || parent.runId().isEmpty()) {
      System.out.println("seqrl: the sweep's MLflow run is not on the server yet; build its report later with "
          + "`seqrl report --parent-run ID` (`seqrl sync " + sweepDir + "` delivers the records first)");
      return;
    }
    String id = parent.runId().get();
    try {
      String uri = target.embedded() ? LocalMlflowServer.ensureRunning(target.server()).uri() : target.uri();
      try (MlflowConnection conn = new MlflowConnection(uri, target.credentials())) {
        SweepReport.Output o = SweepReport.ofParent(conn, id).write(sweepDir.resolve("report"),
            config.eval().bestMetric());
        parent.logArtifact(o.markdown(), "report");
        if (o.curves() != null) {
          parent.logArtifact(o.curves(), "report");
        }
        System.out.println("report: " + o.markdown() + " (also logged to the sweep's MLflow run under report/)");
      }
    } catch (IOException | RuntimeException e) {
      System.out.println("seqrl: could not build the sweep report (" + e.getMessage() + "); `seqrl report --parent-run "
          + id + "` builds it later");
    }
  }

  /** A run label as a metric-key segment (MLflow allows letters, digits, {@code _ - . / : space}). */
  static String keySegment(String label) {
    return label.replace(" · ", " ").replaceAll("[^A-Za-z0-9_.\\- :]", "_");
  }
}
