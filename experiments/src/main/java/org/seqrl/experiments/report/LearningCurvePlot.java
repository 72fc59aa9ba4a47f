package org.seqrl.experiments.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Learning curves: {@link #write} draws comparable series on one axis; {@link #writeRun} draws a
 * run's metrics as small multiples, one axis per kind of metric.
 */
public final class LearningCurvePlot {

  private LearningCurvePlot() {}

  /**
   * Writes a PNG with one line per entry of {@code series} (name to step-sorted values).
   * Non-finite values are skipped, since a NaN would break the axis range.
   */
  public static void write(String title, String yLabel, Map<String, SortedMap<Long, Double>> series, Path png)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    // Many or long series names (a sweep's groups) would squeeze the plot to nothing beside it:
    // put the legend below and grow the figure with it.
    boolean legendBelow = series.size() > 6 || series.keySet().stream().anyMatch(k -> k.length() > 40);
    int height = legendBelow ? 560 + 22 * series.size() : 560;
    XYChart chart = new XYChartBuilder().width(legendBelow ? 1200 : 900).height(height).title(title).xAxisTitle("step")
        .yAxisTitle(yLabel).build();
    chart.getStyler().setMarkerSize(0);
    if (legendBelow) {
      chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
    }
    int added = 0;
    for (Map.Entry<String, SortedMap<Long, Double>> e : series.entrySet()) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      e.getValue().forEach((step, v) -> {
        if (Double.isFinite(v)) {
          xs.add(step.doubleValue());
          ys.add(v);
        }
      });
      if (xs.isEmpty()) {
        continue;
      }
      XYSeries s = chart.addSeries(e.getKey(), xs, ys);
      s.setMarker(SeriesMarkers.NONE);
      added++;
    }
    if (added == 0) {
      throw new IllegalArgumentException("no finite points to plot for '" + title + "'");
    }
    if (png.getParent() != null) {
      Files.createDirectories(png.getParent());
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /**
   * Series share a panel only while the panel's range is at most this many times the range of each
   * of them: every line then rises or falls over at least a quarter of its panel.
   */
  static final double SPREAD = 4;
  /** Longest panel title that fits over a panel. */
  private static final int TITLE_CHARS = 52;

  /**
   * Single run: small multiples, one panel per metric group ({@link MetricGroups.Group}) on one
   * step axis, a group split further where one axis would flatten a metric (chrF in 0..100 beside
   * BLEU in 0..1; see {@link #SPREAD}), and the start of RL marked when the run pre-trained first.
   */
  public static void writeRun(String runName, Map<String, SortedMap<Long, Double>> histories, Path png) throws IOException {
    List<PanelFigure.Panel> panels = runPanels(histories);
    if (panels.isEmpty()) {
      throw new IllegalArgumentException("no finite points to plot for '" + runName + "'");
    }
    Map<String, List<Long>> steps = new TreeMap<>();
    histories.forEach((k, v) -> steps.put(k, new ArrayList<>(v.keySet())));
    OptionalDouble boundary = MetricGroups.phaseBoundary(steps);
    String title = boundary.isPresent()
        ? runName + "  (dashed line: RL starts at step " + (long) Math.ceil(boundary.getAsDouble()) + ")" : runName;
    PanelFigure.write(title, panels, panels.size() > 4 ? 3 : 2, false, boundary, png);
  }

  static List<PanelFigure.Panel> runPanels(Map<String, SortedMap<Long, Double>> histories) {
    Map<MetricGroups.Group, Map<String, SortedMap<Double, Double>>> byGroup = new EnumMap<>(MetricGroups.Group.class);
    new TreeMap<>(histories).forEach((name, h) -> {
      SortedMap<Double, Double> line = new TreeMap<>();
      h.forEach((step, v) -> {
        if (Double.isFinite(v)) {
          line.put(step.doubleValue(), v);
        }
      });
      if (!line.isEmpty()) {
        byGroup.computeIfAbsent(MetricGroups.group(name), g -> new TreeMap<>()).put(name, line);
      }
    });
    List<PanelFigure.Panel> out = new ArrayList<>();
    byGroup.forEach((group, lines) -> {
      List<List<String>> clusters = byRange(lines);
      for (List<String> names : clusters) {
        List<PanelFigure.Curve> curves = new ArrayList<>();
        for (String n : names) {
          curves.add(new PanelFigure.Curve(n, lines.get(n), new TreeMap<>(), PanelFigure.colour(curves.size())));
        }
        String title = group.title;
        if (clusters.size() > 1) {
          // The panel's metrics, after the group's name if both fit over the panel.
          String which = names.stream().map(MetricGroups::base).distinct().collect(Collectors.joining(", "));
          title = (group.title + ": " + which).length() <= TITLE_CHARS ? group.title + ": " + which
              : which.length() <= TITLE_CHARS ? which : group.title + " (" + (clusters.indexOf(names) + 1) + ")";
        }
        out.add(new PanelFigure.Panel(title, "step", "", curves));
      }
    });
    return out;
  }

  /**
   * The names in clusters that can share an axis (see {@link #SPREAD}), first fit in name order. A
   * constant counts as spanning half its magnitude (1 if zero), so that a constant learning rate of
   * 0.001 is not flattened onto the axis of a gradient norm of 4 while a constant 0 goes anywhere.
   */
  static List<List<String>> byRange(Map<String, SortedMap<Double, Double>> lines) {
    List<List<String>> out = new ArrayList<>();
    List<double[]> ranges = new ArrayList<>(); // per cluster: min, max, smallest member span
    lines.forEach((name, l) -> {
      double lo = l.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double hi = l.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      double span = hi > lo ? hi - lo : lo != 0 ? Math.abs(lo) / 2 : 1;
      for (int i = 0; i < out.size(); i++) {
        double[] r = ranges.get(i);
        double uLo = Math.min(r[0], lo);
        double uHi = Math.max(r[1], hi);
        double smallest = Math.min(r[2], span);
        if (uHi - uLo <= SPREAD * smallest) {
          out.get(i).add(name);
          ranges.set(i, new double[] {uLo, uHi, smallest});
          return;
        }
      }
      out.add(new ArrayList<>(List.of(name)));
      ranges.add(new double[] {lo, hi, span});
    });
    return out;
  }
}
