package org.seqrl.experiments.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChartBuilder;

/** The plots are read back pixel by pixel: what they must show, not only that a file exists. */
class PlotTest {

  // ---------------------------------------------------------------- heatmaps

  /** The colour {@link HeatmapPlot#COLOURS} gives a weight in [0, 1]: linear between equally spaced stops. */
  static Color mapColour(double w) {
    List<Color> c = HeatmapPlot.COLOURS;
    double pos = w * (c.size() - 1);
    int lo = Math.min((int) pos, c.size() - 2);
    double f = pos - lo;
    Color a = c.get(lo);
    Color b = c.get(lo + 1);
    return new Color((int) (a.getRed() + f * (b.getRed() - a.getRed())),
        (int) (a.getGreen() + f * (b.getGreen() - a.getGreen())), (int) (a.getBlue() + f * (b.getBlue() - a.getBlue())));
  }

  /** Clearly blue: a cell of weight 0.25 or more in the white-to-blue map (paler ones are near white). */
  private static boolean blue(int rgb) {
    Color c = new Color(rgb);
    return c.getBlue() - c.getRed() > 30;
  }

  private static void assertColour(Color want, int rgb, String what) {
    Color got = new Color(rgb);
    // one unit of slack per channel for rounding of the blend
    assertTrue(Math.abs(want.getRed() - got.getRed()) <= 1 && Math.abs(want.getGreen() - got.getGreen()) <= 1
        && Math.abs(want.getBlue() - got.getBlue()) <= 1, what + ": expected " + want + " but the pixel is " + got);
  }

  /**
   * Every cell shows its weight's colour, the first output token is the top row and the first source
   * token the left column; the cell block is found from its blue cells, then divided into rows x columns.
   */
  @Test
  void heatmapIsWrittenHeadlessWithItsTitle(@TempDir Path dir) throws Exception {
    double[][] w = {{1.0, 0.0, 0.0}, {0.25, 0.5, 0.25}, {0.0, 0.1, 0.9}, {0.6, 0.3, 0.1}};
    Path png = dir.resolve("att/heat.png");
    HeatmapPlot.write(w, new String[] {"c", "a", "t"}, new String[] {"K", "AE", "T", "</s>"},
        "Attention: dev sample 0 \"cat\", step 200", png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertTrue(SweepReportTest.distinctColours(img) > 10);
    // Column 0 (weights 1.0, 0.25, 0.0, 0.6) gives the left, top and bottom edges: the top-left and
    // bottom-left cells are blue; row 2 (0.0, 0.1, 0.9) gives the right edge: its last cell is blue.
    int left = Integer.MAX_VALUE;
    for (int x = 0; x < img.getWidth() / 2 && left == Integer.MAX_VALUE; x++) {
      for (int y = 0; y < img.getHeight(); y++) {
        if (blue(img.getRGB(x, y))) {
          left = x;
          break;
        }
      }
    }
    assertTrue(left < img.getWidth() / 2, "no heatmap cells in the left half");
    int probeX = left + 3;
    int top = 0;
    while (!blue(img.getRGB(probeX, top))) {
      top++;
    }
    int bottom = top;
    for (int y = top; y < img.getHeight(); y++) {
      if (blue(img.getRGB(probeX, y))) {
        bottom = y;
      }
    }
    double cellH = (bottom - top + 1) / 4.0;
    int row2 = (int) (top + 2.5 * cellH);
    int x = left;
    while (!blue(img.getRGB(x, row2))) {
      x++;
    }
    int right = x;
    while (right + 1 < img.getWidth() && blue(img.getRGB(right + 1, row2))) {
      right++;
    }
    double cellW = (right - left + 1) / 3.0;
    assertTrue(cellW > 20 && cellH > 15, "cell block " + left + ".." + right + " x " + top + ".." + bottom);
    for (int i = 0; i < w.length; i++) {
      for (int j = 0; j < w[i].length; j++) {
        int cx = (int) (left + (j + 0.5) * cellW);
        int cy = (int) (top + (i + 0.5) * cellH);
        assertColour(mapColour(w[i][j]), img.getRGB(cx, cy), "cell (" + i + ", " + j + ") of weight " + w[i][j]);
      }
    }
    // Kept as test output to look at (target/plots/).
    Path kept = Path.of("target", "plots", "heatmap-cat.png");
    Files.createDirectories(kept.getParent());
    Files.copy(png, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** Zero weights are white and strong ones dark blue: no warm colour anywhere, as XChart's default ramp had. */
  @Test
  void heatmapColoursZeroWhiteAndSizesToTheTokens(@TempDir Path dir) throws Exception {
    int n = 6;
    double[][] w = new double[n][n];
    for (int i = 0; i < n; i++) {
      w[i][n - 1 - i] = 1.0;
    }
    String[] src = {"a", "b", "c", "d", "e", "f"};
    Path png = dir.resolve("diag.png");
    HeatmapPlot.write(w, src, src, "diagonal", png);
    BufferedImage img = ImageIO.read(png.toFile());
    int warm = 0;
    int darkBlue = 0;
    int white = 0;
    for (int x = 0; x < img.getWidth(); x++) {
      for (int y = 0; y < img.getHeight(); y++) {
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        warm += r > 150 && r > b + 60 ? 1 : 0;
        darkBlue += b > 90 && r < 40 && g < 90 ? 1 : 0;
        white += r == 255 && g == 255 && b == 255 ? 1 : 0;
      }
    }
    assertEquals(0, warm, "no orange or red in a white-to-blue map");
    assertTrue(darkBlue > n * 20 * 20, "the six 1.0 cells are dark blue: " + darkBlue + " px");
    assertTrue(white > img.getWidth() * img.getHeight() / 3, "the thirty 0.0 cells are white");

    String[] many = new String[24];
    java.util.Arrays.fill(many, "x");
    double[][] wide = new double[2][24];
    HeatmapPlot.write(wide, many, new String[] {"y", "z"}, "wide", dir.resolve("wide.png"));
    BufferedImage wideImg = ImageIO.read(dir.resolve("wide.png").toFile());
    assertTrue(wideImg.getWidth() >= 24 * 28, "24 source tokens get at least 28 px each: " + wideImg.getWidth());
    assertTrue(wideImg.getHeight() < img.getHeight(), "two output rows need less height than six");
  }

  /**
   * An NTM memory over time: steps across, slots up the y axis from slot 0 at the bottom;
   * a 128-slot memory over 45 steps stays one screen (the slot-per-column layout was 7,948 px wide).
   */
  @Test
  void memoryWeightingIsDrawnStepsAcrossSlotsUpAndStaysReadable(@TempDir Path dir) throws Exception {
    int steps = 45;
    int slots = 128;
    String[] labels = new String[steps];
    for (int t = 0; t < steps; t++) {
      labels[t] = (t < 20 ? "in " : "out ") + (t % 8);
    }
    double[][] first = new double[steps][slots];
    first[0][0] = 1.0;
    double[][] last = new double[steps][slots];
    last[steps - 1][slots - 1] = 1.0;
    HeatmapPlot.writeOverTime(first, labels, "first step, first slot", dir.resolve("first.png"));
    HeatmapPlot.writeOverTime(last, labels, "last step, last slot", dir.resolve("last.png"));
    BufferedImage a = ImageIO.read(dir.resolve("first.png").toFile());
    BufferedImage b = ImageIO.read(dir.resolve("last.png").toFile());
    assertTrue(a.getWidth() <= 1500 && a.getHeight() <= 1000, "fits a screen: " + a.getWidth() + " x " + a.getHeight());
    assertTrue(a.getHeight() >= slots * 4, "at least 4 px per slot: " + a.getHeight());
    double[] ca = darkCentre(a);
    double[] cb = darkCentre(b);
    // the one 1.0 cell: bottom left for (step 0, slot 0), top right for (last step, last slot)
    assertTrue(ca[0] < cb[0] - a.getWidth() / 2.0, "step 0 is left of the last step: " + ca[0] + " vs " + cb[0]);
    assertTrue(ca[1] > cb[1] + a.getHeight() / 3.0, "slot 0 is below the last slot: " + ca[1] + " vs " + cb[1]);
    // a head spread evenly (1/128 per slot) is a visible wash on the log scale, not white as "no access"
    double[][] even = new double[steps][slots];
    for (double[] row : even) {
      java.util.Arrays.fill(row, 1.0 / slots);
    }
    HeatmapPlot.writeOverTime(even, labels, "even", dir.resolve("even.png"));
    BufferedImage c = ImageIO.read(dir.resolve("even.png").toFile());
    int tinted = 0;
    for (int x = 0; x < c.getWidth() - 90; x++) {
      for (int y = 0; y < c.getHeight(); y++) {
        int rgb = c.getRGB(x, y);
        tinted += (rgb & 0xff) > ((rgb >> 16) & 0xff) + 20 ? 1 : 0;
      }
    }
    assertTrue(tinted > steps * slots * 4 * 6 / 2, "the even weighting tints the plot: " + tinted + " px");
    var e = assertThrows(IllegalArgumentException.class, () -> HeatmapPlot.writeOverTime(new double[][] {{1, 0}, {1}},
        new String[] {"a", "b"}, "x", dir.resolve("x.png")));
    assertTrue(e.getMessage().contains("step 1 has 1 slots but step 0 has 2"), e.getMessage());
  }

  /** The centre (x, y) of the dark blue pixels: where the weight-1 cells are (the legend, in the rightmost 90 px, is left out). */
  private static double[] darkCentre(BufferedImage img) {
    double sx = 0;
    double sy = 0;
    int n = 0;
    for (int x = 0; x < img.getWidth() - 90; x++) {
      for (int y = 0; y < img.getHeight(); y++) {
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int bl = rgb & 0xff;
        if (bl > 90 && r < 40 && g < 90) {
          sx += x;
          sy += y;
          n++;
        }
      }
    }
    assertTrue(n > 0, "no dark cell drawn");
    return new double[] {sx / n, sy / n};
  }

  @Test
  void heatmapRejectsMismatchedShapes(@TempDir Path dir) {
    var e = assertThrows(IllegalArgumentException.class, () -> HeatmapPlot.write(new double[][] {{1, 0}},
        new String[] {"a"}, new String[] {"b"}, dir.resolve("x.png")));
    assertTrue(e.getMessage().contains("row 0 has 2 weights"), e.getMessage());
  }

  @Test
  void repeatedTokensGetDistinctLabels() {
    assertEquals(List.of("0:a", "1:b", "2:a"), HeatmapPlot.labels(new String[] {"a", "b", "a"}));
    assertEquals(List.of("a", "b"), HeatmapPlot.labels(new String[] {"a", "b"}));
  }

  // ---------------------------------------------------------------- learning curves

  /** XChart's series colours in the order series are added (the default theme, as LearningCurvePlot uses). */
  private static final Color[] SERIES = new XYChartBuilder().build().getStyler().getSeriesColors();

  /**
   * Whether a pixel is drawn in a series colour: the colour as drawn (translucent, over the white
   * plot) blended with white by antialiasing, at least half covered; gridlines under the line
   * darken it a little, hence the tolerance.
   */
  private static boolean drawnIn(int rgb, Color series) {
    double a = series.getAlpha() / 255.0;
    double[] want = {series.getRed() * a + 255 * (1 - a), series.getGreen() * a + 255 * (1 - a),
        series.getBlue() * a + 255 * (1 - a)};
    Color p = new Color(rgb);
    double[] got = {p.getRed(), p.getGreen(), p.getBlue()};
    int k = 0;
    for (int c = 1; c < 3; c++) {
      if (255 - want[c] > 255 - want[k]) {
        k = c;
      }
    }
    double coverage = (255 - got[k]) / (255 - want[k]);
    if (coverage < 0.5) {
      return false;
    }
    for (int c = 0; c < 3; c++) {
      if (Math.abs(255 - coverage * (255 - want[c]) - got[c]) > 15) {
        return false;
      }
    }
    return true;
  }

  /** Pixels of the i-th series colour. */
  private static List<int[]> pixelsOf(BufferedImage img, int series) {
    List<int[]> out = new ArrayList<>();
    for (int x = 0; x < img.getWidth(); x++) {
      for (int y = 0; y < img.getHeight(); y++) {
        if (drawnIn(img.getRGB(x, y), SERIES[series])) {
          out.add(new int[] {x, y});
        }
      }
    }
    return out;
  }

  /** The drawn line of a series: its leftmost run of columns (the legend's sample line lies further right). */
  private record Line(int left, int right, List<int[]> pixels) {
    /** Middle of the line's pixels in column x (which must hold some). */
    double yAt(int x) {
      double sum = 0;
      int n = 0;
      for (int[] p : pixels) {
        if (p[0] == x) {
          sum += p[1];
          n++;
        }
      }
      assertTrue(n > 0, "no line pixels in column " + x);
      return sum / n;
    }
  }

  private static Line line(BufferedImage img, int series) {
    List<int[]> px = pixelsOf(img, series);
    assertTrue(px.size() > 50, "series " + series + " has " + px.size() + " pixels");
    boolean[] col = new boolean[img.getWidth()];
    for (int[] p : px) {
      col[p[0]] = true;
    }
    int left = 0;
    while (!col[left]) {
      left++;
    }
    int right = left;
    while (col[right + 1]) {
      right++;
    }
    int l = left;
    int r = right;
    return new Line(left, right, px.stream().filter(p -> p[0] >= l && p[0] <= r).toList());
  }

  /**
   * Two curves on one axis: each is drawn in its own colour, a third series with no finite value is
   * left out (no third colour anywhere, legend included), the NaN at the loss's last step is skipped
   * (both lines span steps 0..2), and the points sit where a linear axis over the data puts them.
   */
  @Test
  void learningCurvesShowEachFiniteSeriesToScale(@TempDir Path dir) throws Exception {
    SortedMap<String, SortedMap<Long, Double>> series = new TreeMap<>();
    series.put("train/loss", new TreeMap<>(Map.of(0L, 2.0, 1L, 1.5, 2L, 1.2, 3L, Double.NaN)));
    series.put("train/reward_mean", new TreeMap<>(Map.of(0L, 0.1, 1L, 0.3, 2L, 0.4)));
    series.put("train/z_never_finite", new TreeMap<>(Map.of(0L, Double.NaN, 1L, Double.POSITIVE_INFINITY)));
    Path png = dir.resolve("curves.png");
    LearningCurvePlot.write("run-1", "value", series, png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(900, img.getWidth());
    assertEquals(560, img.getHeight());

    Line loss = line(img, 0);
    Line reward = line(img, 1);
    assertTrue(pixelsOf(img, 2).isEmpty(), "a third series colour is drawn");
    // Same x extent: both end at step 2; a plotted NaN step 3 would stretch the axis and the loss line.
    assertTrue(Math.abs(loss.left() - reward.left()) <= 2 && Math.abs(loss.right() - reward.right()) <= 2,
        "loss x " + loss.left() + ".." + loss.right() + ", reward x " + reward.left() + ".." + reward.right());
    assertTrue(loss.right() - loss.left() > img.getWidth() / 2, "the lines span the x axis");

    // Value -> pixel row is linear: fix it from the two step-0 points, predict the others.
    int x0 = loss.left() + 1;
    int x2 = loss.right() - 1;
    int x1 = (loss.left() + loss.right()) / 2;
    double y2v0 = loss.yAt(x0);
    double y01v0 = reward.yAt(x0);
    java.util.function.DoubleUnaryOperator row = v -> y01v0 + (v - 0.1) / (2.0 - 0.1) * (y2v0 - y01v0);
    assertTrue(y2v0 < y01v0 - 200, "larger values are higher up: " + y2v0 + " vs " + y01v0);
    assertEquals(row.applyAsDouble(1.5), loss.yAt(x1), 3, "loss at step 1");
    assertEquals(row.applyAsDouble(1.2), loss.yAt(x2), 3, "loss at step 2");
    assertEquals(row.applyAsDouble(0.3), reward.yAt(x1), 3, "reward at step 1");
    assertEquals(row.applyAsDouble(0.4), reward.yAt(x2), 3, "reward at step 2");
  }

  /** More than six series: the legend goes below and the figure grows with it; every series gets its colour. */
  @Test
  void manySeriesGetTheirOwnColoursAndALegendBelow(@TempDir Path dir) throws Exception {
    SortedMap<String, SortedMap<Long, Double>> series = new TreeMap<>();
    for (int k = 0; k < 8; k++) {
      series.put("cell-" + k, new TreeMap<>(Map.of(0L, (double) k, 10L, k + 0.5, 20L, k + 0.25)));
    }
    Path png = dir.resolve("many.png");
    LearningCurvePlot.write("sweep", "eval/bleu", series, png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(1200, img.getWidth());
    assertEquals(560 + 22 * 8, img.getHeight());
    for (int k = 0; k < 8; k++) {
      Line l = line(img, k);
      assertTrue(l.right() - l.left() > img.getWidth() / 2, "series " + k + " spans " + l.left() + ".." + l.right());
      // its legend sample sits in the strip added below the 560-pixel figure
      assertTrue(pixelsOf(img, k).stream().anyMatch(p -> p[1] > 560), "no legend entry below the plot for series " + k);
    }
  }

  @Test
  void allNonFiniteIsAnError(@TempDir Path dir) {
    var e = assertThrows(IllegalArgumentException.class, () -> LearningCurvePlot.write("t", "y",
        Map.of("m", new TreeMap<>(Map.of(0L, Double.NaN))), dir.resolve("x.png")));
    assertTrue(e.getMessage().contains("no finite points to plot for 't'"), e.getMessage());
  }

  // ---------------------------------------------------------------- small multiples

  /** Copies a figure to the directory named by -Dseqrl.plots.keep, to look at what the tests draw. */
  static void keep(Path png, String name) throws java.io.IOException {
    String dir = System.getProperty("seqrl.plots.keep");
    if (dir != null) {
      java.nio.file.Files.createDirectories(Path.of(dir));
      java.nio.file.Files.copy(png, Path.of(dir, name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * The plot areas of a figure, in reading order: rectangles at least 200 x 100 pixels without a
   * pixel of the figure's background. Titles, tick labels and legends are text on that background,
   * so only the (white) plot areas qualify.
   */
  static List<java.awt.Rectangle> plotAreas(BufferedImage img) {
    int bg = PanelFigure.BACKGROUND.getRGB();
    List<java.awt.Rectangle> open = new ArrayList<>();
    List<java.awt.Rectangle> done = new ArrayList<>();
    for (int y = 0; y < img.getHeight(); y++) {
      List<int[]> runs = new ArrayList<>();
      int x = 0;
      while (x < img.getWidth()) {
        if (img.getRGB(x, y) == bg) {
          x++;
          continue;
        }
        int start = x;
        while (x < img.getWidth() && img.getRGB(x, y) != bg) {
          x++;
        }
        if (x - start >= 200) {
          runs.add(new int[] {start, x - 1});
        }
      }
      List<java.awt.Rectangle> next = new ArrayList<>();
      for (int[] r : runs) {
        java.awt.Rectangle cont = null;
        for (java.awt.Rectangle o : open) {
          // tick marks stick out of the plot's border by a few pixels
          if (Math.abs(o.x - r[0]) <= 10 && Math.abs(o.x + o.width - 1 - r[1]) <= 10) {
            cont = o;
          }
        }
        if (cont != null) {
          cont.height++;
          open.remove(cont);
          next.add(cont);
        } else {
          next.add(new java.awt.Rectangle(r[0], y, r[1] - r[0] + 1, 1));
        }
      }
      open.forEach(done::add);
      open = next;
    }
    done.addAll(open);
    return done.stream().filter(r -> r.height >= 100)
        .sorted(java.util.Comparator.<java.awt.Rectangle>comparingInt(r -> r.y / 50).thenComparingInt(r -> r.x)).toList();
  }

  /** Pixels inside {@code area} drawn in {@code colour} (opaque, antialiased against white at least half covered). */
  static List<int[]> pixelsIn(BufferedImage img, java.awt.Rectangle area, Color colour) {
    List<int[]> out = new ArrayList<>();
    for (int x = area.x + 2; x < area.x + area.width - 2; x++) {
      for (int y = area.y + 2; y < area.y + area.height - 2; y++) {
        if (drawnIn(img.getRGB(x, y), colour)) {
          out.add(new int[] {x, y});
        }
      }
    }
    return out;
  }

  /** Pixels inside {@code area} of exactly a band's colour over white (a band where no line crosses it). */
  static long bandPixels(BufferedImage img, java.awt.Rectangle area, Color line) {
    Color band = PanelFigure.bandColour(line);
    double a = band.getAlpha() / 255.0;
    Color want = new Color((int) Math.round(line.getRed() * a + 255 * (1 - a)),
        (int) Math.round(line.getGreen() * a + 255 * (1 - a)), (int) Math.round(line.getBlue() * a + 255 * (1 - a)));
    long n = 0;
    for (int x = area.x; x < area.x + area.width; x++) {
      for (int y = area.y; y < area.y + area.height; y++) {
        Color p = new Color(img.getRGB(x, y));
        if (Math.abs(p.getRed() - want.getRed()) <= 3 && Math.abs(p.getGreen() - want.getGreen()) <= 3
            && Math.abs(p.getBlue() - want.getBlue()) <= 3) {
          n++;
        }
      }
    }
    return n;
  }

  private static int height(List<int[]> px) {
    return px.stream().mapToInt(p -> p[1]).max().orElse(0) - px.stream().mapToInt(p -> p[1]).min().orElse(0);
  }

  private static int width(List<int[]> px) {
    return px.stream().mapToInt(p -> p[0]).max().orElse(0) - px.stream().mapToInt(p -> p[0]).min().orElse(0);
  }

  private static SortedMap<Long, Double> curve(long from, long to, long every, java.util.function.LongToDoubleFunction f) {
    SortedMap<Long, Double> c = new TreeMap<>();
    for (long s = from; s <= to; s += every) {
      c.put(s, f.applyAsDouble(s));
    }
    return c;
  }

  /**
   * A run as TrainingRun logs it: 20 MLE steps, then 10 RL steps, one train/ namespace for both,
   * evaluations every 5 steps. Metrics from 0.001 (learning rate) to 140 (steps/s).
   */
  static Map<String, SortedMap<Long, Double>> pretrainThenRl() {
    Map<String, SortedMap<Long, Double>> h = new TreeMap<>();
    h.put("train/mle_loss", curve(1, 20, 1, s -> 14 - 0.1 * s));
    h.put("train/policy_loss", curve(21, 30, 1, s -> -20 + (s - 21)));
    h.put("train/reward_mean", curve(21, 30, 1, s -> -4 + 0.1 * (s - 21)));
    h.put("train/entropy", curve(1, 30, 1, s -> 2.5 - 0.03 * s));
    h.put("train/grad_norm", curve(1, 30, 1, s -> 1 + (s % 4)));
    h.put("train/lr", curve(1, 30, 1, s -> 1e-3 * (1 - s / 40.0)));
    h.put("perf/steps_per_s", curve(1, 30, 1, s -> 20 + (s * 37 % 120)));
    h.put("eval/bleu", curve(5, 30, 5, s -> 0.5 - 0.4 * Math.exp(-s / 10.0)));
    h.put("eval/chrf", curve(5, 30, 5, s -> 17 - 4.0 * Math.exp(-s / 10.0)));
    return h;
  }

  @Test
  void runMetricsAreGroupedIntoPanelsByKindAndScale() {
    List<PanelFigure.Panel> panels = LearningCurvePlot.runPanels(pretrainThenRl());
    assertEquals(List.of("rewards and advantages", "dev evaluation: bleu", "dev evaluation: chrf", "losses: mle_loss",
        "losses: policy_loss", "gradient, entropy, lr: entropy, grad_norm",
        "gradient, entropy, lr: lr", "speed"), panels.stream().map(PanelFigure.Panel::title).toList());
    assertEquals(List.of("train/entropy", "train/grad_norm"),
        panels.get(5).curves().stream().map(PanelFigure.Curve::name).toList());
  }

  @Test
  void seriesShareAPanelOnlyIfNoneIsFlattened() {
    Map<String, SortedMap<Double, Double>> lines = new TreeMap<>();
    lines.put("a", new TreeMap<>(Map.of(0.0, 0.0, 1.0, 1.0)));
    lines.put("b", new TreeMap<>(Map.of(0.0, 0.5, 1.0, 3.0)));   // union 0..3 <= 4 x 1: with a
    lines.put("c", new TreeMap<>(Map.of(0.0, 10.0, 1.0, 10.5))); // 0.5 wide, far off: alone
    lines.put("d", new TreeMap<>(Map.of(0.0, 0.0, 1.0, 0.0)));   // constant 0 counts as 1 wide: with a, b
    lines.put("e", new TreeMap<>(Map.of(0.0, 1e-3, 1.0, 1e-3))); // constant 0.001 counts as 0.0005 wide: alone
    assertEquals(List.of(List.of("a", "b", "d"), List.of("c"), List.of("e")), LearningCurvePlot.byRange(lines));
  }

  private static PanelFigure.Panel rlPanel(String title, double lo, double hi) {
    SortedMap<Double, Double> line = new TreeMap<>(Map.of(0.0, hi, 300.0, lo));
    return new PanelFigure.Panel(title, "RL steps", "eval/error", List.of(
        new PanelFigure.Curve("bleu", line, new TreeMap<>(), Color.BLUE)));
  }

  /**
   * A sweep grid's panels share one y range, but a collapsed cell (the study's step-value, 0.1 to
   * 0.65) would flatten every other panel's 0.04-0.1 curves: it keeps its own range instead.
   */
  @Test
  void aPanelFarWiderThanTheOthersKeepsItsOwnYRange() {
    List<PanelFigure.Panel> panels = List.of(rlPanel("scst", 0.04, 0.10), rlPanel("none", 0.05, 0.11),
        rlPanel("step-value", 0.05, 0.65), rlPanel("rloo", 0.045, 0.105));
    List<PanelFigure.YRange> y = PanelFigure.sharedYRanges(panels);
    for (int i : new int[] {0, 1, 3}) {
      assertEquals(new PanelFigure.YRange(0.04, 0.11, false), y.get(i));
    }
    assertEquals(new PanelFigure.YRange(0.05, 0.65, true), y.get(2));
    // two panels: no median to judge by, so they share everything
    List<PanelFigure.YRange> two = PanelFigure.sharedYRanges(List.of(panels.get(0), panels.get(2)));
    assertEquals(new PanelFigure.YRange(0.04, 0.65, false), two.get(0));
    assertEquals(new PanelFigure.YRange(0.04, 0.65, false), two.get(1));
  }

  @Test
  void yRangesEndOnRoundSteps() {
    assertArrayEquals(new double[] {0.1, 0.5}, PanelFigure.niceRange(0.1, 0.5), 1e-12);
    assertArrayEquals(new double[] {13, 17}, PanelFigure.niceRange(13.6667, 17), 1e-12);
    assertArrayEquals(new double[] {-4, -3}, PanelFigure.niceRange(-4, -3.1), 1e-12);
    assertArrayEquals(new double[] {0, 150}, PanelFigure.niceRange(20, 131), 1e-12);
    assertArrayEquals(new double[] {-1, 1}, PanelFigure.niceRange(0, 0), 1e-12);
    assertArrayEquals(new double[] {0.0009, 0.0011}, PanelFigure.niceRange(0.001, 0.001), 1e-12);
  }

  @Test
  void bothNamingsGroupAlike() {
    for (String ns : List.of("train/", "pretrain/", "rl/")) {
      assertEquals(MetricGroups.Group.LOSSES, MetricGroups.group(ns + "loss"));
      assertEquals(MetricGroups.Group.REWARDS, MetricGroups.group(ns + "reward/bleu"));
      assertEquals(MetricGroups.Group.OPTIMISATION, MetricGroups.group(ns + "grad_norm"));
    }
    assertEquals(MetricGroups.Group.EVAL, MetricGroups.group("eval/reward"));
    assertEquals(MetricGroups.Group.SPEED, MetricGroups.group("perf/steps_per_s"));
    assertEquals(MetricGroups.Group.OPTIMISATION, MetricGroups.group("diag/grad_snr"));
    // pretrain/ and rl/ namespaces: the boundary is where rl/ starts
    var steps = Map.of("pretrain/loss", List.of(1L, 2L, 3L), "rl/loss", List.of(4L, 5L), "eval/bleu", List.of(3L, 5L));
    assertEquals(3.5, MetricGroups.phaseBoundary(steps).orElseThrow());
    // one phase: no boundary
    assertTrue(MetricGroups.phaseBoundary(Map.of("train/reward_mean", List.of(1L, 2L))).isEmpty());
    assertTrue(MetricGroups.phaseBoundary(Map.of("train/mle_loss", List.of(1L, 2L))).isEmpty());
  }

  /**
   * The run figure read back: eight panels, each line filling much of its own panel's height (an
   * axis shared with 140 steps/s would flatten BLEU to a line at the bottom), every line across the
   * same step axis, and the dashed start of RL at the same place in each panel.
   */
  @Test
  void runFigureIsSmallMultiplesWithTheirOwnYRange(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("plots/learning-curves.png");
    LearningCurvePlot.writeRun("run-1", pretrainThenRl(), png);
    keep(png, "run.png");
    BufferedImage img = ImageIO.read(png.toFile());
    List<java.awt.Rectangle> areas = plotAreas(img);
    assertEquals(8, areas.size(), "panels: " + areas);
    double boundaryAt = Double.NaN;
    for (int i = 0; i < areas.size(); i++) {
      java.awt.Rectangle a = areas.get(i);
      // The tallest line of the panel (the losses panel holds MLE and policy loss, one of which is flatter).
      int tallest = 0;
      for (int c = 0; c < 3; c++) {
        tallest = Math.max(tallest, height(pixelsIn(img, a, PanelFigure.colour(c))));
      }
      assertTrue(tallest > 0.35 * a.height, "panel " + i + ": its tallest line spans " + tallest + " of " + a.height
          + " pixels: its y axis does not fit its metrics");
      List<int[]> dashed = pixelsIn(img, a, PanelFigure.BOUNDARY);
      java.util.Map<Integer, Long> byColumn = dashed.stream().collect(java.util.stream.Collectors.groupingBy(p -> p[0],
          java.util.stream.Collectors.counting()));
      int col = byColumn.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
      assertTrue(byColumn.get(col) > 0.3 * a.height, "panel " + i + ": no phase boundary line");
      double rel = (col - a.x) / (double) a.width;
      if (Double.isNaN(boundaryAt)) {
        boundaryAt = rel;
      }
      assertEquals(boundaryAt, rel, 0.02, "panel " + i + ": the boundary is elsewhere: the step axes differ");
    }
    // BLEU (0.17..0.5) has a panel to itself: its line rises over most of the panel's height.
    java.awt.Rectangle bleu = areas.get(1);
    assertTrue(height(pixelsIn(img, bleu, PanelFigure.colour(0))) > 0.6 * bleu.height, "BLEU panel");
    // Step axis 1..30: the boundary at 20.5 is at about 67 % of the plot width.
    assertEquals((20.5 - 1) / 29, boundaryAt, 0.06);
  }

  static org.mlflow.api.proto.Service.Metric metric(String key, long step, double v) {
    return org.mlflow.api.proto.Service.Metric.newBuilder().setKey(key).setStep(step).setValue(v).setTimestamp(step)
        .build();
  }

  /**
   * A sweep of 3 baselines x 2 rewards x 3 seeds, each run 100 MLE steps then 60 RL steps, and
   * 3 pre-training-only runs: a panel per baseline plus one for the runs without RL, each reward a
   * colour with a band; RL curves over RL steps 0..60, not squeezed into the last 60 of 160 steps.
   */
  @Test
  void sweepFigureIsAGridWithBandsOverRlSteps(@TempDir Path dir) throws Exception {
    List<SweepReport.RunData> runs = new ArrayList<>();
    String[] baselines = {"none", "rloo", "scst"};
    String[] rewards = {"bleu", "levenshtein"};
    for (int b = 0; b < baselines.length; b++) {
      for (int r = 0; r < rewards.length; r++) {
        for (int seed = 1; seed <= 3; seed++) {
          List<org.mlflow.api.proto.Service.Metric> bleu = new ArrayList<>();
          List<org.mlflow.api.proto.Service.Metric> reward = new ArrayList<>();
          List<org.mlflow.api.proto.Service.Metric> mle = new ArrayList<>();
          for (long s = 0; s <= 100; s += 50) {
            bleu.add(metric("eval/bleu", s, 0.1 + 0.002 * s));
          }
          for (long s = 1; s <= 100; s++) {
            mle.add(metric("train/mle_loss", s, 3 - s / 50.0));
          }
          for (long s = 101; s <= 160; s++) {
            reward.add(metric("train/reward_mean", s, 0.3));
            if (s % 10 == 0) {
              // rises over RL; the seeds spread by 0.03 each; baselines and rewards shift the level
              bleu.add(metric("eval/bleu", s, 0.3 + 0.004 * (s - 100) + 0.03 * (seed - 2) + 0.1 * b + 0.05 * r));
            }
          }
          Map<String, String> params = Map.of("rl.baseline", baselines[b], "rl.reward", rewards[r], "rl.steps", "60",
              "seed", "" + seed);
          runs.add(new SweepReport.RunData(b + "-" + r + "-" + seed, "cell", params, Map.of(),
              Map.of("eval/bleu", bleu, "train/reward_mean", reward, "train/mle_loss", mle)));
        }
      }
    }
    for (int seed = 1; seed <= 3; seed++) {
      List<org.mlflow.api.proto.Service.Metric> bleu = new ArrayList<>();
      for (long s = 0; s <= 100; s += 10) {
        bleu.add(metric("eval/bleu", s, 0.1 + 0.002 * s + 0.01 * seed));
      }
      runs.add(new SweepReport.RunData("p" + seed, "mle", Map.of("rl.baseline", "scst", "rl.reward", "bleu",
          "rl.steps", "0", "seed", "" + seed), Map.of(), Map.of("eval/bleu", bleu)));
    }
    SweepReport report = new SweepReport(runs, "test");
    List<PanelFigure.Panel> panels = report.curvePanels(report.groups(), "eval/bleu");
    assertEquals(List.of("rl.baseline=none", "rl.baseline=rloo", "rl.baseline=scst", "no RL steps"),
        panels.stream().map(PanelFigure.Panel::title).toList());
    assertEquals(List.of("rl.reward=bleu (3 seeds)", "rl.reward=levenshtein (3 seeds)"),
        panels.get(0).curves().stream().map(PanelFigure.Curve::name).toList());
    PanelFigure.Curve scstBleu = panels.get(2).curves().get(0);
    // x = RL steps: 0 is the last pre-training evaluation (step 100), 60 the last RL step
    assertEquals(List.of(0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0), new ArrayList<>(scstBleu.line().keySet()));
    assertEquals(0.3 + 0.04 + 0.2, scstBleu.line().get(10.0), 1e-9);
    // seeds at -0.03, 0, +0.03: the band is the 95 % bootstrap interval of their mean, inside ± 1 std
    double[] ci = Stats.bootstrapMeanInterval(new double[] {0.51, 0.54, 0.57}, 0.95, SeedComparison.BOOTSTRAP_SEED);
    assertEquals(ci[0], scstBleu.band().get(10.0)[0], 1e-9);
    assertEquals(ci[1], scstBleu.band().get(10.0)[1], 1e-9);
    assertTrue(ci[0] < 0.54 && ci[0] >= 0.51 && ci[1] > 0.54 && ci[1] <= 0.57, java.util.Arrays.toString(ci));
    assertEquals(RL_STEPS_TITLE, panels.get(0).xTitle());
    assertEquals("step", panels.get(3).xTitle());

    SweepReport.Output out = report.write(dir.resolve("report"), "eval/bleu");
    keep(out.curves(), "sweep.png");
    BufferedImage img = ImageIO.read(out.curves().toFile());
    List<java.awt.Rectangle> areas = plotAreas(img);
    assertEquals(4, areas.size(), "panels: " + areas);
    for (int i = 0; i < 3; i++) {
      java.awt.Rectangle a = areas.get(i);
      for (int c = 0; c < 2; c++) {
        List<int[]> line = pixelsIn(img, a, PanelFigure.colour(c));
        assertTrue(width(line) > 0.9 * a.width, "panel " + i + " series " + c + " spans " + width(line) + " of "
            + a.width + " pixels: not over RL steps");
        assertTrue(bandPixels(img, a, PanelFigure.colour(c)) > 500, "panel " + i + ": no band of series " + c);
      }
    }
    assertTrue(pixelsIn(img, areas.get(3), PanelFigure.colour(1)).isEmpty(), "the pre-training panel has one series");
    // The RL panels share one y range: every curve starts at 0.3, at the same height in each
    // panel, though the baselines end at different levels (own ranges would differ).
    double[] start = new double[3];
    for (int i = 0; i < 3; i++) {
      java.awt.Rectangle a = areas.get(i);
      // both lines start at 0.3, one over the other: their pixels together
      List<int[]> line = new ArrayList<>(pixelsIn(img, a, PanelFigure.colour(0)));
      line.addAll(pixelsIn(img, a, PanelFigure.colour(1)));
      int x0 = line.stream().mapToInt(p -> p[0]).min().orElseThrow();
      // the lowest pixel of the first column (the lines rise steeply from there), from the plot's bottom edge
      start[i] = a.y + a.height - line.stream().filter(p -> p[0] <= x0 + 1).mapToInt(p -> p[1]).max().orElseThrow();
    }
    assertEquals(start[0], start[1], 2, "RL panels 0 and 1 have different y ranges");
    assertEquals(start[0], start[2], 2, "RL panels 0 and 2 have different y ranges");
    String md = java.nio.file.Files.readString(out.markdown());
    assertTrue(md.contains("x is RL steps"), md);
  }

  private static final String RL_STEPS_TITLE = SweepReport.RL_STEPS;
}
