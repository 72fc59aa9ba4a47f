package org.seqrl.experiments.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Learning curves: one line per series (a metric of one run, or a group's mean over seeds), value against step. */
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

  /** Single run: its curves for the given metric names, from histories keyed by metric name. */
  public static void writeRun(String runName, Map<String, SortedMap<Long, Double>> histories, Path png) throws IOException {
    write(runName, "value", histories, png);
  }
}
