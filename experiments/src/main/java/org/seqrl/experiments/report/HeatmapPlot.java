package org.seqrl.experiments.report;

import java.awt.Color;
import java.awt.Font;
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

  private HeatmapPlot() {}

  /**
   * A sequential colour map from white (weight 0) through light to dark blue (weight 1), after
   * ColorBrewer's "Blues": weak attention stays pale, so that only strong attention draws the eye.
   * (XChart's default ramp starts at orange, which made 0.0 look like a strong weight.)
   */
  static final Color[] WHITE_TO_BLUE = {
      new Color(0xFFFFFF), new Color(0xDEEBF7), new Color(0x9ECAE1), new Color(0x4292C6), new Color(0x08519C),
      new Color(0x08306B)};

  /** The colour map as stops, weight 0 to 1 in equal steps with linear blending between neighbours (for tests). */
  static final List<Color> COLOURS = List.of(WHITE_TO_BLUE);

  /** As {@link #write(double[][], String[], String[], String, Path)} with the title "Attention". */
  public static void write(double[][] weights, String[] sourceTokens, String[] outputTokens, Path png) throws IOException {
    write(weights, sourceTokens, outputTokens, "Attention", png);
  }

  /**
   * Writes a PNG of {@code weights[i][j]}, the attention of output step {@code i} on source position {@code j};
   * the title says what it shows (e.g. which sample, step, layer and head).
   *
   * @throws IllegalArgumentException when the shape does not match the token arrays
   */
  public static void write(double[][] weights, String[] sourceTokens, String[] outputTokens, String title, Path png)
      throws IOException {
    write(weights, sourceTokens, outputTokens, title, "source", "output", png);
  }

  /** The same with the axes named (e.g. an NTM's memory: slots across, steps down). */
  public static void write(double[][] weights, String[] sourceTokens, String[] outputTokens, String title,
      String xAxis, String yAxis, Path png) throws IOException {
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
    // Cells big enough to read (28-80 px, wider for longer tokens), plus room for labels, legend and a title
    // that XChart draws over the plot area only.
    int cellW = Math.min(80, Math.max(28, 8 * longest(sourceTokens) + 12));
    int labelW = Math.min(200, 8 * longest(outputTokens) + 70);
    int legendW = 110;
    int width = Math.max(labelW + cellW * sourceTokens.length, 8 * title.length() + 30) + legendW;
    int height = Math.max(220, 130 + 28 * outputTokens.length);
    HeatMapChart chart = chart(width, height, title, xAxis, yAxis, 0.0, 1.0);
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
    save(chart, png);
  }

  /**
   * Writes a PNG of an NTM head's weighting over time, as the NTM paper draws it: one column per step
   * ({@code weights[t]}, labelled by {@code stepLabels[t]}, e.g. the token read or produced), one row per
   * memory slot, slot 0 at the bottom, coloured by log10 of the weight (so an even spread is seen). Cells
   * are small (a 128-slot memory is about 500 px tall) and the axes label every slot and step only while
   * they fit, then every k-th, so a long sequence over a large memory stays one readable picture instead of
   * one 28-px column per slot.
   *
   * @throws IllegalArgumentException when the steps do not match the labels or have different slot counts
   */
  public static void writeOverTime(double[][] weights, String[] stepLabels, String title, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (weights.length != stepLabels.length || weights.length == 0) {
      throw new IllegalArgumentException("memory weighting has " + weights.length + " steps but there are "
          + stepLabels.length + " step labels; expected one label per step, at least one step");
    }
    int slots = weights[0].length;
    for (int t = 0; t < weights.length; t++) {
      if (weights[t].length != slots) {
        throw new IllegalArgumentException("memory weighting step " + t + " has " + weights[t].length
            + " slots but step 0 has " + slots + "; expected the same memory at every step");
      }
    }
    int steps = weights.length;
    int cellW = Math.max(6, Math.min(28, 900 / steps));
    int cellH = Math.max(4, Math.min(28, 600 / Math.max(1, slots)));
    int width = Math.max(130 + cellW * steps, 8 * title.length() + 30) + 110;
    int height = 150 + 8 * longest(stepLabels) + cellH * slots;
    // Colour is log10 of the weight from -3 (0.001 or less: white) to 0 (dark): a head spread evenly over 128
    // slots (0.008 each) shows as a pale wash, where a linear scale would draw it as white, i.e. as no access.
    HeatMapChart chart = chart(width, height, title + " (colour: log10 weight)", "step (encoder, then decoder)",
        "memory slot", LOG_FLOOR, 0.0);
    chart.getStyler().setXAxisLabelRotation(90);
    // Labels need about 14 px across (rotated) and 12 px down; keep every k-th where cells are smaller.
    // XChart drops overlapping tick labels on its own, so only round slot numbers (every 1, 2, 4, 8, ...) are offered.
    int everyStep = (int) Math.ceil(14.0 / cellW);
    int everySlot = roundSpacing(cellH);
    chart.getStyler().setxAxisTickLabelsFormattingFunction(x -> {
      int t = (int) Math.round(x);
      return t >= 0 && t < steps && t % everyStep == 0 ? stepLabels[t] : "";
    });
    // Slot 0 at the bottom (y = k): XChart places the y ticks itself and only formats them, so round slot
    // numbers line up with its ticks only when y is the slot number.
    chart.getStyler().setyAxisTickLabelsFormattingFunction(y -> {
      int k = (int) Math.round(y);
      return k >= 0 && k < slots && k % everySlot == 0 ? Integer.toString(k) : "";
    });
    List<Integer> xs = new ArrayList<>();
    for (int t = 0; t < steps; t++) {
      xs.add(t);
    }
    List<Integer> ys = new ArrayList<>();
    for (int y = 0; y < slots; y++) {
      ys.add(y);
    }
    List<Number[]> cells = new ArrayList<>();
    for (int t = 0; t < steps; t++) {
      for (int k = 0; k < slots; k++) {
        cells.add(new Number[] {t, k, Math.max(LOG_FLOOR, Math.log10(Math.max(weights[t][k], 1e-300)))});
      }
    }
    chart.addSeries("weighting", xs, ys, cells);
    save(chart, png);
  }

  /** A heat map in the white-to-blue colour map over [min, max], with its legend, border and title font. */
  private static HeatMapChart chart(int width, int height, String title, String xAxis, String yAxis, double min,
      double max) {
    HeatMapChart chart = new HeatMapChartBuilder().width(width).height(height)
        .title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
    chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    chart.getStyler().setGradientColorColumnWeight(16);
    chart.getStyler().setLegendVisible(true).setPlotContentSize(1.0);
    chart.getStyler().setRangeColors(WHITE_TO_BLUE);
    chart.getStyler().setMin(min);
    chart.getStyler().setMax(max);
    chart.getStyler().setDrawBorder(true);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    return chart;
  }

  private static void save(HeatMapChart chart, Path png) throws IOException {
    if (png.getParent() != null) {
      Files.createDirectories(png.getParent());
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** The lowest log10 weight {@link #writeOverTime} tells apart from 0: a thousandth. */
  static final double LOG_FLOOR = -3.0;

  /** The smallest of 1, 2, 4, 8, ... slots whose labels stand at least 24 px apart. */
  private static int roundSpacing(int cellPx) {
    int every = 1;
    while (every * cellPx < 24) {
      every *= 2;
    }
    return every;
  }

  private static int longest(String[] tokens) {
    int n = 1;
    for (String t : tokens) {
      n = Math.max(n, t.length() + 3);
    }
    return n;
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
