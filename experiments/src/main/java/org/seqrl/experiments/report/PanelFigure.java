package org.seqrl.experiments.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Small multiples: a grid of line charts, each with its own y range and title, over one x range,
 * with an optional shaded band around a line and an optional vertical marker (a phase boundary).
 * One axis per quantity is what makes a figure readable when the quantities differ by orders of
 * magnitude (BLEU in [0, 1] beside 140 steps/s).
 */
final class PanelFigure {

  /** Line colours (Tableau 10 without its grey, which would read as an axis or gridline). */
  static final List<Color> PALETTE = List.of(new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
      new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
      new Color(188, 189, 34), new Color(23, 190, 207));
  /** Opacity of a band over the white plot: light enough that the lines of other series show through it. */
  static final int BAND_ALPHA = 60;
  static final Color BOUNDARY = new Color(90, 90, 90);
  /**
   * Background of the figure and of the legends; the plot areas are white, so they stand out as
   * panels. Slightly blue, so that no grey of a gridline or an axis has exactly this colour.
   */
  static final Color BACKGROUND = new Color(234, 237, 242);
  static final int PANEL_WIDTH = 520;
  static final int PANEL_BASE_HEIGHT = 320;
  static final int LEGEND_ROW = 19;
  static final int TITLE_HEIGHT = 40;
  /** Name of the invisible series that keeps XChart's ticks round (see {@link #chart}). */
  private static final String ANCHOR = " axis anchor";
  /** Tick intervals a y axis aims at; XChart's rounding of the step makes that 3 to 7.5 (see {@link #chart}). */
  static final double Y_TICK_INTERVALS = 4.3;

  /** One line: its points, and optionally a band (low, high) at some of its x values. */
  record Curve(String name, SortedMap<Double, Double> line, SortedMap<Double, double[]> band, Color colour) {}

  /** One chart of the grid; panels with the same x title share one x range. */
  record Panel(String title, String xTitle, String yTitle, List<Curve> curves) {}

  private PanelFigure() {}

  /** The colour of the i-th series, cycling through the palette. */
  static Color colour(int i) {
    return PALETTE.get(Math.floorMod(i, PALETTE.size()));
  }

  static Color bandColour(Color line) {
    return new Color(line.getRed(), line.getGreen(), line.getBlue(), BAND_ALPHA);
  }

  /**
   * Writes the panels in a grid of {@code columns} columns under a figure title. Panels with the
   * same x title get the same x range (the union of their data); {@code boundary}, if present, is
   * drawn as a dashed vertical line in every panel whose x range contains it. With {@code shareY},
   * panels with the same x and y titles (one metric over one axis, as in a sweep's grid) also share
   * their y range, so that their heights compare across panels; a panel whose data spans more than
   * {@link #OWN_SCALE_FACTOR} times the median panel's keeps its own range and says so in its title,
   * so that one collapsed cell does not flatten every other panel's curves.
   */
  static void write(String title, List<Panel> panels, int columns, boolean shareY, OptionalDouble boundary, Path png)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (panels.isEmpty()) {
      throw new IllegalArgumentException("no finite points to plot for '" + title + "'");
    }
    Map<String, double[]> xRange = new HashMap<>();
    int legendRows = 1;
    for (Panel p : panels) {
      double[] r = xRange.computeIfAbsent(p.xTitle(), t -> new double[] {Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY});
      for (Curve c : p.curves()) {
        r[0] = Math.min(r[0], c.line().firstKey());
        r[1] = Math.max(r[1], c.line().lastKey());
      }
      legendRows = Math.max(legendRows, p.curves().size());
    }
    List<YRange> yRanges = shareY ? sharedYRanges(panels)
        : panels.stream().map(PanelFigure::dataRange).map(r -> new YRange(r[0], r[1], true)).toList();
    int panelHeight = PANEL_BASE_HEIGHT + LEGEND_ROW * legendRows;
    int cols = Math.min(columns, panels.size());
    int rows = (panels.size() + cols - 1) / cols;
    BufferedImage img = new BufferedImage(cols * PANEL_WIDTH, TITLE_HEIGHT + rows * panelHeight,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      int tw = g.getFontMetrics().stringWidth(title);
      g.drawString(title, Math.max(8, (img.getWidth() - tw) / 2), 27);
      for (int i = 0; i < panels.size(); i++) {
        double[] r = xRange.get(panels.get(i).xTitle());
        Panel p = panels.get(i);
        YRange y = yRanges.get(i);
        if (shareY && y.own()) {
          p = new Panel(p.title() + " (own y scale)", p.xTitle(), p.yTitle(), p.curves());
        }
        XYChart chart = chart(p, panelHeight, r[0], r[1], niceRange(y.lo(), y.hi()), boundary);
        BufferedImage part = BitmapEncoder.getBufferedImage(chart);
        g.drawImage(part, (i % cols) * PANEL_WIDTH, TITLE_HEIGHT + (i / cols) * panelHeight, null);
      }
    } finally {
      g.dispose();
    }
    if (png.getParent() != null) {
      Files.createDirectories(png.getParent());
    }
    ImageIO.write(img, "png", png.toFile());
  }

  /** A panel spanning more than this many times the median span of its group keeps its own y range. */
  static final double OWN_SCALE_FACTOR = 4;

  /** The y range a panel is drawn with, and whether it is the panel's own rather than its group's. */
  record YRange(double lo, double hi, boolean own) {}

  /** Panels with the same x and y titles form a group that shares its y range. */
  private static String axes(Panel p) {
    return p.xTitle() + "\n" + p.yTitle();
  }

  /**
   * Per panel, the y range it is drawn with: its group's union, except for a panel spanning more than
   * {@link #OWN_SCALE_FACTOR} times the group's median span, which keeps its own. Groups of fewer than
   * three panels have no median to speak of and share their whole range.
   */
  static List<YRange> sharedYRanges(List<Panel> panels) {
    List<double[]> own = panels.stream().map(PanelFigure::dataRange).toList();
    Map<String, List<Double>> spans = new HashMap<>();
    for (int i = 0; i < panels.size(); i++) {
      spans.computeIfAbsent(axes(panels.get(i)), k -> new ArrayList<>()).add(own.get(i)[1] - own.get(i)[0]);
    }
    Map<String, Double> limit = new HashMap<>();
    spans.forEach((key, s) -> {
      double median = s.stream().mapToDouble(Double::doubleValue).sorted().toArray()[(s.size() - 1) / 2];
      limit.put(key, s.size() >= 3 && median > 0 ? OWN_SCALE_FACTOR * median : Double.POSITIVE_INFINITY);
    });
    boolean[] outlier = new boolean[panels.size()];
    Map<String, double[]> shared = new HashMap<>();
    for (int i = 0; i < panels.size(); i++) {
      double[] r = own.get(i);
      outlier[i] = r[1] - r[0] > limit.get(axes(panels.get(i)));
      if (!outlier[i]) {
        shared.merge(axes(panels.get(i)), r, (a, b) -> new double[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
      }
    }
    List<YRange> out = new ArrayList<>();
    for (int i = 0; i < panels.size(); i++) {
      double[] y = outlier[i] ? own.get(i) : shared.get(axes(panels.get(i)));
      out.add(new YRange(y[0], y[1], outlier[i]));
    }
    return out;
  }

  /** Lowest and highest y of the panel's lines and bands. */
  private static double[] dataRange(Panel p) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Curve c : p.curves()) {
      for (double v : c.line().values()) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      for (double[] b : c.band().values()) {
        lo = Math.min(lo, b[0]);
        hi = Math.max(hi, b[1]);
      }
    }
    return new double[] {lo, hi};
  }

  static XYChart chart(Panel p, int height, double xMin, double xMax, double[] y, OptionalDouble boundary) {
    XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(height).title(p.title()).xAxisTitle(p.xTitle())
        .yAxisTitle(p.yTitle()).build();
    var st = chart.getStyler();
    st.setChartBackgroundColor(BACKGROUND);
    st.setLegendBackgroundColor(BACKGROUND);
    st.setLegendBorderColor(BACKGROUND);
    st.setLegendPosition(LegendPosition.OutsideS);
    st.setLegendPadding(4);
    st.setMarkerSize(6);
    st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    double xEnd = xMax > xMin ? xMax : xMin + 1;
    st.setXAxisMin(xMin);
    st.setXAxisMax(xEnd);
    st.setyAxisTickLabelsFormattingFunction(yTickFormat(y[0], y[1]));
    // XChart 3.8.8 ticks an axis at its data values, every k-th one unrounded and unsorted, when it
    // finds them equally spaced: it checks the axis minimum followed by the values in the order the
    // series were added, to 1e-4, which one point per step and a learning rate (changing by 1e-7 a
    // step) both pass. A first, invisible point at the axes' maxima fails that check, so that XChart
    // falls back to its round steps (1, 2 or 5 times a power of ten).
    XYSeries anchor = chart.addSeries(ANCHOR, new double[] {xEnd}, new double[] {y[1]});
    anchor.setLineStyle(SeriesLines.NONE);
    anchor.setMarker(SeriesMarkers.NONE);
    anchor.setShowInLegend(false);
    // Bands first, so that every line is drawn over every band.
    for (Curve c : p.curves()) {
      if (c.band().size() < 2) {
        continue;
      }
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      c.band().forEach((x, lh) -> {
        xs.add(x);
        ys.add(lh[1]);
      });
      List<Map.Entry<Double, double[]>> back = new ArrayList<>(c.band().entrySet());
      for (int k = back.size() - 1; k >= 0; k--) {
        xs.add(back.get(k).getKey());
        ys.add(back.get(k).getValue()[0]);
      }
      XYSeries s = chart.addSeries(c.name() + " band", xs, ys);
      s.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
      s.setFillColor(bandColour(c.colour()));
      s.setLineColor(bandColour(c.colour()));
      s.setLineStyle(SeriesLines.NONE);
      s.setMarker(SeriesMarkers.NONE);
      s.setShowInLegend(false);
    }
    for (Curve c : p.curves()) {
      List<Double> xs = new ArrayList<>(c.line().keySet());
      List<Double> ys = new ArrayList<>(c.line().values());
      XYSeries s = chart.addSeries(c.name(), xs, ys);
      s.setLineColor(c.colour());
      s.setMarkerColor(c.colour());
      s.setLineStyle(new BasicStroke(2f));
      // A single point has no line to draw: give it a dot.
      s.setMarker(xs.size() == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }
    st.setYAxisMin(y[0]);
    st.setYAxisMax(y[1]);
    if (boundary.isPresent() && boundary.getAsDouble() > xMin && boundary.getAsDouble() < xMax) {
      double b = boundary.getAsDouble();
      XYSeries s = chart.addSeries("phase boundary", new double[] {b, b}, y);
      s.setLineColor(BOUNDARY);
      s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
      s.setMarker(SeriesMarkers.NONE);
      // The figure's title says what the line is; a legend row in every panel would repeat it.
      s.setShowInLegend(false);
    }
    // XChart picks a y tick step of 1, 2 or 5 times a power of ten near span * hint / axis length,
    // which makes 0.7 to 1.75 times (length / hint) intervals: a hint of the length over
    // Y_TICK_INTERVALS gives 4 to 8 ticks at any panel height. The length is known once the chart is
    // laid out, which a first drawing does (its picture is thrown away).
    BitmapEncoder.getBufferedImage(chart);
    double length = chart.getScreenYFromChart(y[0]) - chart.getScreenYFromChart(y[1]);
    if (length > 0) {
      st.setYAxisTickMarkSpacingHint((int) Math.round(length / Y_TICK_INTERVALS));
    }
    return chart;
  }

  /**
   * Y tick labels: plain decimals with a leading zero and no trailing zeros (0, 0.0005, 0.001), or,
   * for a panel whose largest magnitude is below 0.001 or at least a million, scientific notation
   * (2.5E-5), which is shorter there. One notation per panel, decided by its range.
   */
  static Function<Double, String> yTickFormat(double lo, double hi) {
    double largest = Math.max(Math.abs(lo), Math.abs(hi));
    boolean scientific = largest < 1e-3 || largest >= 1e6;
    return v -> {
      if (v == 0) {
        return "0";
      }
      // Ticks are round decimals held in doubles: the shortest decimal of the double is the tick.
      BigDecimal d = BigDecimal.valueOf(v).round(MathContext.DECIMAL64).stripTrailingZeros();
      return scientific ? new DecimalFormat("0.###############E0", DecimalFormatSymbols.getInstance(Locale.ROOT))
          .format(d) : d.toPlainString();
    };
  }

  /**
   * The y range, widened to multiples of a round step (1, 2, 2.5 or 5 times a power of ten, about
   * five steps over the data), so that the ticks fall on round numbers; a constant gets a range
   * around it.
   */
  static double[] niceRange(double lo, double hi) {
    if (!(hi > lo)) {
      double pad = lo != 0 ? Math.abs(lo) * 0.1 : 1;
      lo -= pad;
      hi += pad;
    }
    double raw = (hi - lo) / 5;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = magnitude * 10;
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * magnitude >= raw) {
        step = m * magnitude;
        break;
      }
    }
    return new double[] {Math.floor(lo / step) * step, Math.ceil(hi / step) * step};
  }
}
