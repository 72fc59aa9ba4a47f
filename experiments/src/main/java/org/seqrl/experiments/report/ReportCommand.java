package org.seqrl.experiments.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.tracking.LocalMlflowServer;
import org.seqrl.experiments.tracking.MlflowConnection;
import org.seqrl.experiments.tracking.TrackingTarget;
import org.seqrl.experiments.tracking.TrackingUriOption;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqrl report}: a Markdown + PNG comparison of runs across seeds, read from MLflow. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Compare runs across seeds (groups = params that vary, except seed): final and best eval/* "
        + "metrics as mean ± std; for the --metric, a ranking with 95%% bootstrap intervals, sample efficiency, "
        + "and paired-by-seed tests of which differences are significant; mean learning curves. "
        + "Writes report.md and curves.png.")
public final class ReportCommand implements Callable<Integer> {

  static final class Source {
    @Option(names = "--experiment", paramLabel = "NAME", description = "All runs of this experiment.")
    String experiment;

    @Option(names = "--parent-run", paramLabel = "ID", description = "The child runs of this (sweep) run; the report is also logged to it.")
    String parentRun;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: report).")
  Path out = Path.of("report");

  @Option(names = "--metric", paramLabel = "NAME", description = "Metric for the learning curves (default: the first eval/* metric).")
  String metric;

  @Option(names = "--threshold", paramLabel = "X",
      description = "Also report RL steps until the curve metric first reaches X (in its own direction).")
  Double threshold;

  @Mixin TrackingUriOption tracking;

  @Override
  public Integer call() throws IOException {
    TrackingTarget target = tracking.target();
    String uri = target.embedded() ? LocalMlflowServer.ensureRunning(target.server()).uri() : target.uri();
    try (MlflowConnection conn = new MlflowConnection(uri, target.credentials())) {
      SweepReport report = source.parentRun != null ? SweepReport.ofParent(conn, source.parentRun)
          : SweepReport.ofExperiment(conn, source.experiment);
      SweepReport.Output o = report.write(out, metric,
          threshold == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(threshold));
      if (source.parentRun != null) {
        conn.uploadArtifact(source.parentRun, o.markdown(), "report/report.md");
        if (o.curves() != null) {
          conn.uploadArtifact(source.parentRun, o.curves(), "report/curves.png");
        }
      }
      System.out.println("seqrl report: " + o.groups().size() + " groups -> " + o.markdown().toAbsolutePath()
          + (source.parentRun != null ? " (also logged to run " + source.parentRun + " under report/)" : ""));
      return 0;
    } catch (org.mlflow.tracking.MlflowClientException e) {
      throw new UserInputException("MLflow at " + target.describe() + " failed: " + e.getMessage(), e);
    }
  }
}
