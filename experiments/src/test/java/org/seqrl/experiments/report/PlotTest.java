package org.seqrl.experiments.report;

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
    LearningCurvePlot.writeRun("run-1", series, png);
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
}
