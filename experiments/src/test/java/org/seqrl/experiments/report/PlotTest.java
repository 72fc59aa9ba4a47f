package org.seqrl.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotTest {
  @Test
  void heatmapIsWrittenHeadless(@TempDir Path dir) throws Exception {
    double[][] w = {{0.7, 0.2, 0.1}, {0.1, 0.8, 0.1}, {0.0, 0.1, 0.9}, {0.3, 0.3, 0.4}};
    Path png = dir.resolve("att/heat.png");
    HeatmapPlot.write(w, new String[] {"c", "a", "t"}, new String[] {"K", "AE", "T", "</s>"},
        "Attention: dev sample 0 \"cat\", step 200", png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertTrue(SweepReportTest.distinctColours(img) > 10);
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

  @Test
  void learningCurveOfOneRun(@TempDir Path dir) throws Exception {
    var loss = new TreeMap<Long, Double>(Map.of(0L, 2.0, 1L, 1.5, 2L, 1.2, 3L, Double.NaN));
    var reward = new TreeMap<Long, Double>(Map.of(0L, 0.1, 1L, 0.3, 2L, 0.4));
    Path png = dir.resolve("curves.png");
    LearningCurvePlot.writeRun("run-1", Map.of("train/loss", loss, "train/reward_mean", reward), png);
    assertTrue(Files.size(png) > 2_000);
  }
}
