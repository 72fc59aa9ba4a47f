package org.seqrl.experiments.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.Page;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.tracking.MlflowConnection;
import org.seqrl.rl.Evaluator;
import org.seqrl.rl.MetricDirection;

/**
 * Compares runs across seeds: cells are grouped by every param that varies across the runs
 * except the seed; per group, the final and best value of each {@code eval/*} metric as
 * mean ± sample std over seeds, and the mean learning curve of one metric.
 */
public final class SweepReport {

  /** One run as the report sees it. */
  record RunData(String id, String name, Map<String, String> params, Map<String, Double> latest,
      Map<String, List<Metric>> histories) {}

  /** Runs sharing the values of the varying params. */
  record Group(String label, List<RunData> runs) {}

  /** What {@link #write} produced. */
  public record Output(Path markdown, Path curves, List<String> groups) {}

  private final List<RunData> runs;
  private final String source;

  SweepReport(List<RunData> runs, String source) {
    this.runs = runs;
    this.source = source;
  }

  /** Child runs of a parent run. */
  public static SweepReport ofParent(MlflowConnection conn, String parentRunId) {
    Run parent;
    try {
      parent = conn.client().getRun(parentRunId);
    } catch (RuntimeException e) {
      throw new UserInputException("--parent-run: no run '" + parentRunId + "' on " + conn.uri() + " (" + e.getMessage() + ")");
    }
    List<Run> children = search(conn.client(), parent.getInfo().getExperimentId(),
        "tags.mlflow.parentRunId = '" + parentRunId + "'");
    return new SweepReport(load(conn.client(), children), "child runs of " + parentRunId);
  }

  /** Every run of an experiment that is not itself the parent of other runs. */
  public static SweepReport ofExperiment(MlflowConnection conn, String experiment) {
    String id = conn.experimentId(experiment)
        .orElseThrow(() -> new UserInputException("--experiment: no experiment '" + experiment + "' on " + conn.uri()));
    List<Run> all = search(conn.client(), id, "");
    var parents = all.stream().flatMap(r -> r.getData().getTagsList().stream())
        .filter(t -> t.getKey().equals("mlflow.parentRunId")).map(t -> t.getValue()).collect(Collectors.toSet());
    List<Run> leaves = all.stream().filter(r -> !parents.contains(r.getInfo().getRunId())).toList();
    return new SweepReport(load(conn.client(), leaves), "experiment '" + experiment + "'");
  }

  private static List<Run> search(MlflowClient client, String experimentId, String filter) {
    List<Run> out = new ArrayList<>();
    Page<Run> page = client.searchRuns(List.of(experimentId), filter, ViewType.ACTIVE_ONLY, 1000,
        List.of("attributes.start_time ASC"));
    while (true) {
      for (Run r : page.getItems()) {
        out.add(r);
      }
      if (!page.hasNextPage()) {
        return out;
      }
      page = page.getNextPage();
    }
  }

  private static List<RunData> load(MlflowClient client, List<Run> runs) {
    List<RunData> out = new ArrayList<>();
    for (Run r : runs) {
      Map<String, String> params = new TreeMap<>();
      r.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
      Map<String, Double> latest = new TreeMap<>();
      r.getData().getMetricsList().forEach(m -> latest.put(m.getKey(), m.getValue()));
      Map<String, List<Metric>> histories = new TreeMap<>();
      for (String key : latest.keySet()) {
        histories.put(key, client.getMetricHistory(r.getInfo().getRunId(), key));
      }
      out.add(new RunData(r.getInfo().getRunId(), r.getInfo().getRunName(), params, latest, histories));
    }
    return out;
  }

  static boolean isSeed(String param) {
    // A shared pre-training checkpoint path differs per seed, like the seed itself.
    return param.equals("seed") || param.endsWith(".seed") || param.equals("rl.init_checkpoint");
  }

  /** Params whose value differs between runs (a missing param counts as a value), seeds excluded. */
  List<String> varyingParams() {
    TreeSet<String> keys = new TreeSet<>();
    runs.forEach(r -> keys.addAll(r.params().keySet()));
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      if (!isSeed(k) && runs.stream().map(r -> r.params().getOrDefault(k, "")).distinct().count() > 1) {
        out.add(k);
      }
    }
    return out;
  }

  List<Group> groups() {
    List<String> varying = varyingParams();
    Map<String, List<RunData>> byLabel = new TreeMap<>();
    for (RunData r : runs) {
      String label = varying.isEmpty() ? "all runs"
          : varying.stream().map(k -> k + "=" + r.params().getOrDefault(k, "-")).collect(Collectors.joining(", "));
      byLabel.computeIfAbsent(label, l -> new ArrayList<>()).add(r);
    }
    List<Group> out = new ArrayList<>();
    byLabel.forEach((l, rs) -> out.add(new Group(l, rs)));
    return out;
  }

  List<String> evalMetrics() {
    TreeSet<String> keys = new TreeSet<>();
    runs.forEach(r -> r.latest().keySet().stream().filter(k -> k.startsWith("eval/")).forEach(keys::add));
    return new ArrayList<>(keys);
  }

  /** The last logged value (highest step, then latest timestamp) of each run that has the metric. */
  static double[] finals(List<RunData> runs, String metric) {
    return runs.stream().map(r -> last(r.histories().get(metric))).filter(Optional::isPresent)
        .mapToDouble(Optional::get).toArray();
  }

  static double[] bests(List<RunData> runs, String metric) {
    MetricDirection direction = direction(metric);
    return runs.stream().filter(r -> r.histories().containsKey(metric) && !r.histories().get(metric).isEmpty())
        .mapToDouble(r -> direction.best(r.histories().get(metric).stream().mapToDouble(Metric::getValue).toArray()))
        .toArray();
  }

  /** Which way a reported metric improves; the report reports {@code eval/*} metrics only, which all have one. */
  static MetricDirection direction(String metric) {
    return Evaluator.direction(metric).orElseThrow(() -> new IllegalArgumentException(
        "'" + metric + "' is not an evaluation metric; the report ranks eval/* metrics only"));
  }

  private static Optional<Double> last(List<Metric> history) {
    if (history == null || history.isEmpty()) {
      return Optional.empty();
    }
    Metric best = history.get(0);
    for (Metric m : history) {
      if (m.getStep() > best.getStep() || (m.getStep() == best.getStep() && m.getTimestamp() >= best.getTimestamp())) {
        best = m;
      }
    }
    return Optional.of(best.getValue());
  }

  /** Mean over the group's runs at each step where any run logged the metric. */
  static SortedMap<Long, Double> meanCurve(List<RunData> runs, String metric) {
    SortedMap<Long, double[]> sums = new TreeMap<>();
    for (RunData r : runs) {
      for (Metric m : r.histories().getOrDefault(metric, List.of())) {
        double[] s = sums.computeIfAbsent(m.getStep(), k -> new double[2]);
        s[0] += m.getValue();
        s[1] += 1;
      }
    }
    SortedMap<Long, Double> out = new TreeMap<>();
    sums.forEach((step, s) -> out.put(step, s[0] / s[1]));
    return out;
  }

  static String meanStd(double[] xs) {
    if (xs.length == 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.4f ± %.4f", Stats.mean(xs), Stats.sampleStd(xs));
  }

  /** Writes {@code report.md} and, if the metric has any history, {@code curves.png} into {@code outDir}. */
  public Output write(Path outDir, String curveMetric) throws IOException {
    if (runs.isEmpty()) {
      throw new UserInputException("no runs found for " + source + "; nothing to report");
    }
    Files.createDirectories(outDir);
    List<Group> groups = groups();
    List<String> metrics = evalMetrics();
    String curve = curveMetric != null ? curveMetric : metrics.isEmpty() ? null : metrics.get(0);

    StringBuilder md = new StringBuilder();
    md.append("# SeqRL report\n\n");
    md.append("Source: ").append(source).append(" (").append(runs.size()).append(" runs, ")
        .append(groups.size()).append(" groups).\n\n");
    List<String> varying = varyingParams();
    md.append("Grouped by: ").append(varying.isEmpty() ? "(no param varies)" : String.join(", ", varying))
        .append("; seeds pooled. Values are mean ± sample standard deviation over the runs of a group.\n\n");
    md.append("| group | runs |");
    for (String m : metrics) {
      md.append(' ').append(m).append(" final | ").append(m).append(" best (").append(direction(m) == MetricDirection.MIN ? "min" : "max").append(")").append(" |");
    }
    md.append('\n').append("|---|---|").append("---|---|".repeat(metrics.size())).append('\n');
    for (Group g : groups) {
      md.append("| ").append(g.label()).append(" | ").append(g.runs().size()).append(" |");
      for (String m : metrics) {
        md.append(' ').append(meanStd(finals(g.runs(), m))).append(" | ").append(meanStd(bests(g.runs(), m))).append(" |");
      }
      md.append('\n');
    }
    md.append("\n## Runs\n\n| run | id | group |\n|---|---|---|\n");
    for (Group g : groups) {
      for (RunData r : g.runs()) {
        md.append("| ").append(r.name()).append(" | ").append(r.id()).append(" | ").append(g.label()).append(" |\n");
      }
    }
    Path png = null;
    if (curve != null) {
      Map<String, SortedMap<Long, Double>> series = new LinkedHashMap<>();
      for (Group g : groups) {
        SortedMap<Long, Double> c = meanCurve(g.runs(), curve);
        if (!c.isEmpty()) {
          series.put(g.label(), c);
        }
      }
      if (!series.isEmpty()) {
        png = outDir.resolve("curves.png");
        LearningCurvePlot.write(curve + " (mean over seeds)", curve, series, png);
        md.append("\n## Learning curves: ").append(curve).append("\n\n![").append(curve).append("](curves.png)\n");
      } else {
        md.append("\nNo run logged '").append(curve).append("'; no learning curve.\n");
      }
    }
    Path report = outDir.resolve("report.md");
    Files.writeString(report, md.toString());
    return new Output(report, png, groups.stream().map(Group::label).toList());
  }
}
