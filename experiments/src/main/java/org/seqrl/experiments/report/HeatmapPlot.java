package org.seqrl.experiments.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/** Attention heatmaps: one row per output token, one column per source token. */
public final class HeatmapPlot {

  /**
   * The colour map, weight 0 to 1 in equal steps with linear blending between neighbours: orange,
   * orange-red, dark red (XChart's own default, stated here so that a test can check each cell).
   */
  static final List<Color> COLOURS = List.of(new Color(255, 165, 0), new Color(255, 69, 0), new Color(139, 0, 0));

  private HeatmapPlot() {}

  /**
   * Writes a PNG of {@code weights[i][j]}, the attention of output step {@code i} on source position {@code j}.
   *
   * @throws IllegalArgumentException when the shape does not match the token arrays
   */
  public static void write(double[][] weights, String[] sourceTokens, String[] outputTokens, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (weights.length != outputTokens.length) {
      throw new IllegalArgumentException("attention weights have " + weights.length + " rows but there are "
          + outputTokens.length + " output tokens; expected one row per output token");
    }
    for (int i = 0; i < weights.length; i++) {
      if (weights[i].length != sourceTokens.length) {
        throw new IllegalArgumentException("attention row " + i + " has " + weights[i].length + " weights but there are "
            + sourceTokens.length + " source tokens; expected one weight per source token");
      }
    }
    int width = Math.max(400, 60 + 40 * sourceTokens.length);
    int height = Math.max(300, 80 + 30 * outputTokens.length);
    HeatMapChart chart = new HeatMapChartBuilder().width(width).height(height)
        .title("Attention").xAxisTitle("source").yAxisTitle("output").build();
    chart.getStyler().setLegendVisible(true).setPlotContentSize(0.95);
    chart.getStyler().setMin(0.0);
    chart.getStyler().setMax(1.0);
    chart.getStyler().setRangeColors(COLOURS.toArray(new Color[0]));
    // The y axis grows upwards; rows are flipped so that the first output token is at the top, as read.
    int rows = weights.length;
    List<Number[]> cells = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < sourceTokens.length; j++) {
        cells.add(new Number[] {j, rows - 1 - i, weights[i][j]});
      }
    }
    List<String> yLabels = new ArrayList<>(labels(outputTokens));
    java.util.Collections.reverse(yLabels);
    chart.addSeries("attention", labels(sourceTokens), yLabels, cells);
    if (png.getParent() != null) {
      Files.createDirectories(png.getParent());
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** Repeated tokens (common in characters) get their position, so that axis labels stay distinct. */
  static List<String> labels(String[] tokens) {
    Set<String> seen = new HashSet<>();
    boolean repeats = false;
    for (String t : tokens) {
      repeats |= !seen.add(t);
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < tokens.length; i++) {
      out.add(repeats ? i + ":" + tokens[i] : tokens[i]);
    }
    return out;
  }
}
