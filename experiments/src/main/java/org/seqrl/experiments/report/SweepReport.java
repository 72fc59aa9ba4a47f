package org.seqrl.experiments.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
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
    return varyingParams(runs);
  }

  static List<String> varyingParams(List<RunData> runs) {
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

  static String meanStd(double[] xs) {
    if (xs.length == 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.4f ± %.4f", Stats.mean(xs), Stats.sampleStd(xs));
  }

  static final String RL_STEPS = "RL steps";
  static final String STEPS = "step";

  /**
   * The step before a run's first RL step (where its RL starts), if the run logged RL-only metrics
   * ({@link MetricGroups#isRl}); runs that only pre-trained have none.
   */
  static OptionalLong rlOrigin(RunData r) {
    Map<String, List<Long>> steps = new TreeMap<>();
    r.histories().forEach((k, ms) -> steps.put(k, ms.stream().map(Metric::getStep).toList()));
    OptionalLong first = MetricGroups.firstRlStep(steps);
    return first.isPresent() ? OptionalLong.of(first.getAsLong() - 1) : OptionalLong.empty();
  }

  /**
   * Per x: mean, sample std, number of runs and the 95 % bootstrap interval of the mean (lo, hi;
   * NaN for one run), where x is the step minus {@code origin} of the run
   * (points before the origin left out); a step logged twice in a run keeps its later value.
   */
  static SortedMap<Long, double[]> seedCurve(List<RunData> runs, String metric, Map<RunData, Long> origin) {
    SortedMap<Long, List<Double>> at = new TreeMap<>();
    for (RunData r : runs) {
      long o = origin.getOrDefault(r, 0L);
      SortedMap<Long, Metric> last = new TreeMap<>();
      for (Metric m : r.histories().getOrDefault(metric, List.of())) {
        Metric prev = last.get(m.getStep());
        if (prev == null || m.getTimestamp() >= prev.getTimestamp()) {
          last.put(m.getStep(), m);
        }
      }
      last.forEach((step, m) -> {
        if (step >= o && Double.isFinite(m.getValue())) {
          at.computeIfAbsent(step - o, k -> new ArrayList<>()).add(m.getValue());
        }
      });
    }
    SortedMap<Long, double[]> out = new TreeMap<>();
    at.forEach((x, vs) -> {
      double[] v = vs.stream().mapToDouble(Double::doubleValue).toArray();
      double[] ci = Stats.bootstrapMeanInterval(v, SeedComparison.LEVEL, SeedComparison.BOOTSTRAP_SEED);
      out.put(x, new double[] {Stats.mean(v), v.length > 1 ? Stats.sampleStd(v) : 0, v.length, ci[0], ci[1]});
    });
    return out;
  }

  /**
   * The sweep figure: one panel per value of {@link #panelParam}, one line per combination of the
   * other varying params (the same colour in every panel), with a band of the 95 % bootstrap
   * interval of the mean over seeds. Groups
   * with RL steps are drawn against RL steps, so that a long pre-training does not squeeze RL into
   * the right edge; groups without any (pre-training only) go to panels against their own steps.
   */
  List<PanelFigure.Panel> curvePanels(List<Group> groups, String metric) {
    Map<RunData, Long> origins = new IdentityHashMap<>();
    runs.forEach(r -> rlOrigin(r).ifPresent(o -> origins.put(r, o)));
    List<Group> rl = groups.stream().filter(g -> g.runs().stream().anyMatch(origins::containsKey)).toList();
    List<Group> plain = groups.stream().filter(g -> !rl.contains(g)).toList();
    List<PanelFigure.Panel> out = new ArrayList<>();
    if (rl.isEmpty()) {
      out.addAll(panelsOf(plain, metric, STEPS, Map.of(), ""));
    } else {
      out.addAll(panelsOf(rl, metric, RL_STEPS, origins, ""));
      out.addAll(panelsOf(plain, metric, STEPS, Map.of(), "no RL steps"));
    }
    return out;
  }

  private static List<PanelFigure.Panel> panelsOf(List<Group> groups, String metric, String xTitle,
      Map<RunData, Long> origins, String titlePrefix) {
    List<RunData> all = groups.stream().flatMap(g -> g.runs().stream()).toList();
    List<String> varying = varyingParams(all);
    String panelKey = varying.contains("rl.baseline") ? "rl.baseline" : varying.isEmpty() ? null : varying.get(0);
    List<String> seriesKeys = varying.stream().filter(k -> !k.equals(panelKey)).toList();
    Map<String, Map<String, SortedMap<Long, double[]>>> byPanel = new TreeMap<>();
    TreeSet<String> labels = new TreeSet<>();
    for (Group g : groups) {
      RunData any = g.runs().get(0);
      String panel = panelKey == null ? "" : panelKey + "=" + any.params().getOrDefault(panelKey, "-");
      String label = seriesKeys.isEmpty() ? "mean over seeds"
          : seriesKeys.stream().map(k -> k + "=" + any.params().getOrDefault(k, "-")).collect(Collectors.joining(", "));
      SortedMap<Long, double[]> c = seedCurve(g.runs(), metric, origins);
      if (!c.isEmpty()) {
        byPanel.computeIfAbsent(panel, p -> new TreeMap<>()).put(label, c);
        labels.add(label);
      }
    }
    List<String> colourOrder = new ArrayList<>(labels);
    List<PanelFigure.Panel> out = new ArrayList<>();
    byPanel.forEach((panel, series) -> {
      List<PanelFigure.Curve> curves = new ArrayList<>();
      series.forEach((label, c) -> {
        SortedMap<Double, Double> line = new TreeMap<>();
        SortedMap<Double, double[]> band = new TreeMap<>();
        c.forEach((x, v) -> {
          line.put(x.doubleValue(), v[0]);
          if (v[2] >= 2) {
            band.put(x.doubleValue(), new double[] {v[3], v[4]});
          }
        });
        int runsIn = (int) c.values().stream().mapToDouble(v -> v[2]).max().orElse(0);
        curves.add(new PanelFigure.Curve(label + " (" + runsIn + (runsIn == 1 ? " seed)" : " seeds)"), line, band,
            PanelFigure.colour(colourOrder.indexOf(label))));
      });
      String title = titlePrefix.isEmpty() ? (panel.isEmpty() ? "all runs" : panel)
          : titlePrefix + (panel.isEmpty() ? "" : ": " + panel);
      out.add(new PanelFigure.Panel(title, xTitle, metric, curves));
    });
    return out;
  }

  /** Writes {@code report.md} and, if the metric has any history, {@code curves.png} into {@code outDir}. */
  public Output write(Path outDir, String curveMetric) throws IOException {
    return write(outDir, curveMetric, OptionalDouble.empty());
  }

  /**
   * As {@link #write(Path, String)}, with the ranking and the paired comparisons of the curve
   * metric ({@link SeedComparison}) and, if {@code threshold} is given, steps to reach it.
   */
  public Output write(Path outDir, String curveMetric, OptionalDouble threshold) throws IOException {
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
    if (curve != null && Evaluator.direction(curve).isPresent()) {
      Map<RunData, Long> origins = new IdentityHashMap<>();
      runs.forEach(r -> rlOrigin(r).ifPresent(o -> origins.put(r, o)));
      md.append(new SeedComparison(curve, origins, threshold).markdown(groups, varying));
    }
    md.append("\n## Runs\n\n| run | id | group |\n|---|---|---|\n");
    for (Group g : groups) {
      for (RunData r : g.runs()) {
        md.append("| ").append(r.name()).append(" | ").append(r.id()).append(" | ").append(g.label()).append(" |\n");
      }
    }
    Path png = null;
    if (curve != null) {
      List<PanelFigure.Panel> panels = curvePanels(groups, curve);
      if (!panels.isEmpty()) {
        png = outDir.resolve("curves.png");
        PanelFigure.write(curve + ": mean over seeds, band = 95 % bootstrap interval", panels, panels.size() > 4 ? 3 : 2,
            true, OptionalDouble.empty(), png);
        boolean sinceRl = panels.stream().anyMatch(p -> p.xTitle().equals(RL_STEPS));
        md.append("\n## Learning curves: ").append(curve).append("\n\n")
            .append("One panel per value of rl.baseline if it varies (else of the first param that varies), "
                + "one colour per value of the other varying params; the line is the mean over seeds, the band the 95 % percentile-bootstrap interval of that mean (where ≥ 2 seeds logged the step). ")
            .append(sinceRl ? "x is RL steps: steps since the run's first RL step, minus one (0 = the model RL starts from); "
                + "runs without RL steps are drawn against their own steps." : "No run logged RL-only metrics, so x is the run's step.")
            .append("\n\n![").append(curve).append("](curves.png)\n");
      } else {
        md.append("\nNo run logged '").append(curve).append("'; no learning curve.\n");
      }
    }
    Path report = outDir.resolve("report.md");
    Files.writeString(report, md.toString());
    return new Output(report, png, groups.stream().map(Group::label).toList());
  }
}
