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
    HeatmapPlot.write(w, new String[] {"c", "a", "t"}, new String[] {"K", "AE", "T", "</s>"}, png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertTrue(img.getWidth() >= 400 && img.getHeight() >= 300);
    assertTrue(SweepReportTest.distinctColours(img) > 10);
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
