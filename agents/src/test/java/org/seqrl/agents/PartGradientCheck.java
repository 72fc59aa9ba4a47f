package org.seqrl.agents;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The float32 Richardson check of one part on its own (as {@link CellGradientCheckTest} does for
 * cells): a part is its loss, a weighted sum of its outputs, and the analytic gradient of that loss
 * for every array it depends on (parameters and inputs), every entry of which is compared with
 * central differences at steps h and h/2 combined, so that truncation is O(h^4) and what is left is
 * float32 rounding of the loss (with the fast tanh and sigmoid, a few 1e-5 of a derivative for
 * losses of ~100 unit-scale outputs; hence the absolute tolerance of {@link CellGradientCheckTest}).
 * The step is 3e-2 rather than the cell check's 2e-2: with 2e-2 the attention cases came within
 * 0.9 of the tolerance from rounding alone, with 3e-2 within 0.64, and a 3% error is still caught.
 */
final class PartGradientCheck {
  static final double STEP = 3e-2;
  static final double ABS_TOL = 5e-5;
  static final double REL_TOL = 2e-3;

  private PartGradientCheck() {}

  /** An array the loss depends on and its analytic gradient. */
  record Entry(String name, float[] values, float[] analytic) {}

  /** A part under check. */
  interface Part {
    /** The loss at the arrays' current values (forward only). */
    double loss();

    /** Forward and backward: every array the loss depends on, with its analytic gradient (a copy). */
    List<Entry> gradients();
  }

  /** The worst disagreement as a fraction of the tolerance, with the analytic gradient of {@code distorted} scaled by {@code factor}. */
  static double worst(Part part, String distorted, double factor, List<String> report) {
    double worst = 0;
    int checked = 0;
    for (Entry e : part.gradients()) {
      double f = e.name().equals(distorted) ? factor : 1;
      float[] v = e.values();
      for (int i = 0; i < v.length; i++) {
        float orig = v[i];
        double[] d = new double[2];
        for (int k = 0; k < 2; k++) {
          double h = k == 0 ? STEP : STEP / 2;
          v[i] = (float) (orig + h);
          double up = part.loss();
          v[i] = (float) (orig - h);
          double down = part.loss();
          d[k] = (up - down) / ((double) (float) (orig + h) - (double) (float) (orig - h));
        }
        v[i] = orig;
        double numeric = (4 * d[1] - d[0]) / 3;
        double ga = e.analytic()[i] * f;
        double ratio = Math.abs(numeric - ga) / (ABS_TOL + REL_TOL * Math.max(Math.abs(numeric), Math.abs(ga)));
        checked++;
        if (ratio > worst) {
          worst = ratio;
          report.add(e.name() + "[" + i + "] numeric " + numeric + " analytic " + ga);
        }
      }
    }
    if (checked < 8) {
      throw new IllegalStateException("only " + checked + " entries checked");
    }
    return worst;
  }

  /** The entries of every parameter, each with its gradient as accumulated. */
  static List<Entry> parameters(Params params) {
    List<Entry> out = new ArrayList<>();
    for (Params.Param p : params.all()) {
      out.add(new Entry(p.name, p.value, p.grad.clone()));
    }
    return out;
  }

  /** Non-zero biases, so that their gradients are checked where they matter. */
  static void perturb(Params params, Rng rng) {
    for (Params.Param p : params.all()) {
      for (int i = 0; i < p.size(); i++) {
        p.value[i] += (float) (0.3 * (2 * rng.nextDouble() - 1));
      }
    }
  }

  static float[] random(Random r, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * scale);
    }
    return a;
  }

  static double dot(float[] w, float[] x, int xOff, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) w[i] * x[xOff + i];
    }
    return s;
  }
}
