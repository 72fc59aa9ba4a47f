package org.seqrl.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Axis;
import org.knowm.xchart.internal.chartpart.Chart;

class PanelFigureTest {

  private static final int STEPS = 17_000;

  /** Linear warmup to 0.002 over 200 steps, then a cosine decay to 0: the schedule of a real run. */
  private static double learningRate(long step) {
    return step <= 200 ? 1e-5 * step : 0.001 * (1 + Math.cos(Math.PI * (step - 200) / (STEPS - 200)));
  }

  private static PanelFigure.Panel perStep(String metric, LongToDoubleFunction value) {
    SortedMap<Double, Double> line = new TreeMap<>();
    for (long s = 1; s <= STEPS; s++) {
      line.put((double) s, value.applyAsDouble(s));
    }
    return new PanelFigure.Panel("gradient, entropy, lr: lr", "step", "",
        List.of(new PanelFigure.Curve(metric, line, new TreeMap<>(), Color.BLUE)));
  }

  /**
   * The chart of one panel as {@link PanelFigure#write} draws it in a figure whose panels leave room
   * for {@code legendRows} legend rows, rendered so that its ticks exist.
   */
  private static XYChart rendered(PanelFigure.Panel p, int legendRows) {
    SortedMap<Double, Double> line = p.curves().get(0).line();
    double lo = line.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double hi = line.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    XYChart chart = PanelFigure.chart(p, PanelFigure.PANEL_BASE_HEIGHT + PanelFigure.LEGEND_ROW * legendRows,
        line.firstKey(),
        line.lastKey(), PanelFigure.niceRange(lo, hi), OptionalDouble.empty());
    BitmapEncoder.getBufferedImage(chart);
    return chart;
  }

  /**
   * The tick labels XChart drew on an axis: those whose tick falls inside the axis, as its
   * AxisTickLabels paints them. The axes are XChart internals, reached by reflection.
   */
  private static List<String> drawnTicks(XYChart chart, boolean yAxis) throws ReflectiveOperationException {
    Method pairOf = Chart.class.getDeclaredMethod("getAxisPair");
    pairOf.setAccessible(true);
    Object pair = pairOf.invoke(chart);
    Method axisOf = pair.getClass().getDeclaredMethod(yAxis ? "getYAxis" : "getXAxis");
    axisOf.setAccessible(true);
    Axis<?, ?> axis = (Axis<?, ?>) axisOf.invoke(pair);
    double length = yAxis ? axis.getBounds().getHeight() : axis.getBounds().getWidth();
    List<String> labels = axis.getAxisTickCalculator().getTickLabels();
    List<Double> at = axis.getAxisTickCalculator().getTickLocations();
    List<String> drawn = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      if (labels.get(i) != null && at.get(i) > 0 && at.get(i) < length) {
        drawn.add(labels.get(i));
      }
    }
    return drawn;
  }

  /** True for 1, 2, 2.5 or 5 times a power of ten. */
  private static boolean round(BigDecimal step) {
    BigDecimal mantissa = step.movePointLeft(step.precision() - step.scale() - 1).stripTrailingZeros();
    return List.of("1", "2", "2.5", "5").contains(mantissa.toPlainString());
  }

  /**
   * A handful of labels (at most {@code most}), equally spaced by a round step, each a multiple of
   * it: ticks XChart chose, not data values it picked every so many points (as it does for data it
   * finds equally spaced).
   */
  private static void assertRoundTicks(List<String> labels, int most, String what) {
    assertTrue(labels.size() >= 4 && labels.size() <= most, what + ": " + labels.size() + " ticks " + labels);
    List<BigDecimal> v = labels.stream().map(l -> new BigDecimal(l.replace(",", ""))).toList();
    BigDecimal step = v.get(1).subtract(v.get(0));
    assertTrue(step.signum() > 0 && round(step), what + ": step " + step + " in " + labels);
    for (int i = 1; i < v.size(); i++) {
      assertEquals(0, v.get(i).subtract(v.get(i - 1)).compareTo(step), what + ": uneven ticks " + labels);
      assertEquals(0, v.get(i).remainder(step).signum(), what + ": " + v.get(i) + " is off the step " + step);
    }
  }

  /**
   * One point per step over 17,000 steps, in a short panel (a figure of one legend row) and a tall
   * one (six rows, as in a run's figure with its dev evaluation panels).
   */
  @Test
  void aLearningRateGetsAHandfulOfRoundTicks() throws Exception {
    for (int rows : new int[] {1, 6}) {
      XYChart chart = rendered(perStep("pretrain/lr", PanelFigureTest::learningRate), rows);
      List<String> y = drawnTicks(chart, true);
      assertRoundTicks(y, 8, "lr y axis, " + rows + " legend rows");
      // plain decimals with a leading zero, short enough to read
      assertTrue(y.contains("0.001") && y.stream().allMatch(l -> l.length() <= 6), "lr y axis: " + y);
      // 2,000 steps apart, as on the panels of evaluations every 2,500 steps
      assertRoundTicks(drawnTicks(chart, false), 10, "step axis");
    }
  }

  @Test
  void aNoisyMetricGetsAHandfulOfRoundTicks() throws Exception {
    for (int rows : new int[] {1, 6}) {
      XYChart chart = rendered(perStep("pretrain/loss", s -> 35.0 / Math.sqrt(s) + (s % 7) * 0.1), rows);
      assertRoundTicks(drawnTicks(chart, true), 8, "loss y axis, " + rows + " legend rows");
      assertRoundTicks(drawnTicks(chart, false), 10, "step axis");
    }
  }

  @Test
  void tickLabelsArePlainOrScientificByThePanelsMagnitude() {
    var lr = PanelFigure.yTickFormat(0, 0.002);
    assertEquals(List.of("0", "0.0005", "0.001", "0.0015", "0.002"),
        List.of(0.0, 0.0005, 0.001, 0.0015, 0.002).stream().map(lr).toList());
    assertEquals("-0.68", PanelFigure.yTickFormat(-0.7, -0.5).apply(-0.68));
    assertEquals("0", lr.apply(-0.0));
    assertEquals("12", PanelFigure.yTickFormat(0, 12).apply(12.0));
    var tiny = PanelFigure.yTickFormat(0, 4e-5);
    assertEquals(List.of("0", "1E-5", "2.5E-5"), List.of(0.0, 1e-5, 2.5e-5).stream().map(tiny).toList());
    assertEquals("2E6", PanelFigure.yTickFormat(0, 3e6).apply(2e6));
  }
}
