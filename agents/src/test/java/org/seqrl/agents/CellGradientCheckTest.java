package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.CellType;

/**
 * Every cell kind on its own: a run over a padded batch, loss {@code sum_t sum_k <W_kt, state_k(t)>}
 * over all state arrays, checked against finite differences (float32 Richardson, as in
 * {@link GradientCheckTest}) for every parameter entry, the inputs and the initial state. A new
 * {@link CellType} gets its case here without a new test.
 *
 * <p>The loss sums about 70 float32 outputs with unit-scale weights, so its rounding (~1e-6) over a
 * difference step of 2e-2 leaves a few 1e-5 of noise in a numeric derivative: hence an absolute
 * tolerance of 5e-5 (the whole-model check's loss is normalised and allows 1e-5). A 3% error in any
 * weight is still caught ({@link #aWrongGradientIsCaught}).
 */
class CellGradientCheckTest {
  private static final int T = 4;
  private static final int B = 3;
  private static final int IN = 2;
  private static final int H = 3;
  private static final int[] LENGTHS = {4, 2, 3};
  /** Difference step and tolerances of a check. */
  record Tolerance(double step, double abs, double rel) {}

  static final Tolerance CELLS = new Tolerance(2e-2, 5e-5, 2e-3);
  /**
   * NTMs: sharpening (ln of small weights) and softmaxes of
   * the interface curve fast enough that Richardson at 2e-2 leaves ~1 % truncation error, and the
   * loss over ~400 float32 state entries is noisy to ~4e-6, so a step of 1e-2 with 2.5e-4 / 0.5 %
   * (measured: truncation and noise both under half of it; a 3 % error is still caught).
   */
  static final Tolerance NTM_VARIANTS = new Tolerance(1e-2, 2.5e-4, 5e-3);
  /** The NTM's memory in these checks: 4 slots of 3, one head each, shifts -1..1, an LSTM controller. */
  static final NtmSpec SMALL_MEMORY = new NtmSpec(4, 3, 1, 1, 1, NtmSpec.Controller.LSTM, 1e-6);

  /** A cell with its parameters, fixed inputs, initial state and loss weights. */
  private static final class Setup implements AutoCloseable {
    final Params params = new Params();
    final Blas blas = new Blas();
    final RecurrentCell cell;
    final float[] x;
    final float[][] s0;
    final float[][] w;

    Setup(CellType type, NtmSpec memory) {
      Rng init = new Rng(3);
      cell = RecurrentCell.create(type, Seq2SeqConfig.Init.DEFAULT, memory, params, "c", IN, H, init);
      for (Param p : params.all()) { // non-zero biases, so that their gradients are checked where they matter
        for (int i = 0; i < p.size(); i++) {
          p.value[i] += (float) (0.3 * (2 * init.nextDouble() - 1));
        }
      }
      Random r = new Random(type.ordinal() + 1);
      x = randomArray(r, T * B * IN, 1.0);
      s0 = new float[cell.stateArrays()][];
      w = new float[cell.stateArrays()][];
      for (int k = 0; k < s0.length; k++) {
        s0[k] = randomArray(r, B * cell.stateWidth(k), 0.5);
        w[k] = randomArray(r, T * B * cell.stateWidth(k), 1.0);
      }
      if (cell instanceof NtmCell ntm) { // weightings are distributions over the slots
        int slots = ntm.spec().slots();
        // memory entries of magnitude 0.5-1: a slot of near-zero norm would make the cosine curve faster than a step of 2e-2 resolves
        float[] mem = s0[ntm.memoryArray()];
        for (int i = 0; i < mem.length; i++) {
          mem[i] = (float) ((r.nextBoolean() ? 1 : -1) * (0.5 + 0.5 * r.nextDouble()));
        }
        for (int k = ntm.memoryArray() + 2; k < s0.length; k++) {
          for (int o = 0; o < s0[k].length; o += slots) {
            double[] z = new double[slots];
            for (int i = 0; i < slots; i++) {
              z[i] = r.nextGaussian();
            }
            NtmAddressing.softmax(z, slots, s0[k], o);
          }
        }
      }
    }

    private static float[] randomArray(Random r, int n, double scale) {
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = (float) (r.nextGaussian() * scale);
      }
      return a;
    }

    CellRun forward() {
      params.markChanged();
      params.syncMirror();
      CellRun run = cell.run(T, B, LENGTHS, cell.project(blas, x, 0, T * B, IN, 0));
      for (int t = 0; t < T; t++) {
        run.forward(blas, t, t == 0 ? s0 : run.out, t == 0 ? 0 : run.at(t - 1));
      }
      return run;
    }

    double loss() {
      CellRun run = forward();
      double l = 0;
      for (int k = 0; k < w.length; k++) {
        for (int i = 0; i < w[k].length; i++) {
          l += (double) w[k][i] * run.out[k][i];
        }
      }
      return l;
    }

    /** Analytic gradients: parameters (in their grad arrays), then {@code [dx, ds0_0, ds0_1, ...]}. */
    float[][] backward() {
      params.zeroGrad();
      CellRun run = forward();
      float[][] dState = new float[w.length][];
      for (int k = 0; k < w.length; k++) {
        dState[k] = new float[B * cell.stateWidth(k)];
      }
      for (int t = T - 1; t >= 0; t--) {
        for (int k = 0; k < w.length; k++) {
          int wk = B * cell.stateWidth(k);
          Mat.axpy(1f, w[k], t * wk, dState[k], 0, wk);
        }
        run.backward(blas, t, dState);
      }
      run.accumulateRecurrent(blas);
      run.accumulateInput(blas, x, IN, 0);
      float[] dx = new float[T * B * IN];
      run.addInputGradient(blas, 0, T, dx, 0, IN, 0);
      float[][] g = new float[1 + w.length][];
      g[0] = dx;
      System.arraycopy(dState, 0, g, 1, w.length);
      return g;
    }

    @Override
    public void close() {
      blas.close();
      params.close();
    }
  }

  /** The worst disagreement as a fraction of the tolerance, with the analytic gradient of {@code distorted} scaled by {@code factor}. */
  static double worst(CellType type, String distorted, double factor, List<String> report) {
    return worst(type, SMALL_MEMORY, type == CellType.NTM ? NTM_VARIANTS : CELLS, distorted, factor, report);
  }

  static double worst(CellType type, NtmSpec memory, Tolerance tol, String distorted, double factor, List<String> report) {
    try (Setup s = new Setup(type, memory)) {
      float[][] inputGrads = s.backward();
      List<float[]> values = new ArrayList<>();
      List<double[]> analytic = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (Param p : s.params.all()) {
        double f = p.name.equals(distorted) ? factor : 1;
        double[] g = new double[p.size()];
        for (int i = 0; i < g.length; i++) {
          g[i] = p.grad[i] * f;
        }
        values.add(p.value);
        analytic.add(g);
        names.add(p.name);
      }
      float[][] inputs = new float[1 + s.s0.length][];
      inputs[0] = s.x;
      System.arraycopy(s.s0, 0, inputs, 1, s.s0.length);
      for (int k = 0; k < inputs.length; k++) {
        double[] g = new double[inputGrads[k].length];
        for (int i = 0; i < g.length; i++) {
          g[i] = inputGrads[k][i];
        }
        values.add(inputs[k]);
        analytic.add(g);
        names.add(k == 0 ? "x" : "state" + (k - 1));
      }
      double worst = 0;
      for (int a = 0; a < values.size(); a++) {
        float[] v = values.get(a);
        for (int i = 0; i < v.length; i++) {
          float orig = v[i];
          double[] d = new double[2];
          for (int k = 0; k < 2; k++) {
            double h = k == 0 ? tol.step() : tol.step() / 2;
            v[i] = (float) (orig + h);
            double up = s.loss();
            v[i] = (float) (orig - h);
            double down = s.loss();
            d[k] = (up - down) / ((double) (float) (orig + h) - (double) (float) (orig - h));
          }
          v[i] = orig;
          double numeric = (4 * d[1] - d[0]) / 3;
          double ga = analytic.get(a)[i];
          double ratio = Math.abs(numeric - ga) / (tol.abs() + tol.rel() * Math.max(Math.abs(numeric), Math.abs(ga)));
          if (ratio > worst) {
            worst = ratio;
            report.add(names.get(a) + "[" + i + "] numeric " + numeric + " analytic " + ga);
          }
        }
      }
      return worst;
    }
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void everyParameterInputAndInitialStateMatchesFiniteDifferences(CellType type) {
    List<String> where = new ArrayList<>();
    double w = worst(type, "", 1, where);
    System.out.printf("%s cell: worst %.3f x tolerance at %s%n", type, w, where.isEmpty() ? "-" : where.get(where.size() - 1));
    assertTrue(w < 1, type + ": worst disagreement " + w + " x tolerance at " + where.get(where.size() - 1));
  }

  /** The check can fail: a 3% error in one parameter's gradient is caught, for each of the cell's weights. */
  /** The NTM with a feed-forward controller, and with two heads of each kind and a wider shift. */
  @org.junit.jupiter.api.Test
  void ntmVariantsMatchFiniteDifferences() {
    for (NtmSpec spec : List.of(new NtmSpec(4, 3, 1, 1, 1, NtmSpec.Controller.FEEDFORWARD, 1e-6),
        new NtmSpec(5, 2, 2, 1, 1, NtmSpec.Controller.LSTM, 1e-6), new NtmSpec(5, 2, 1, 2, 1, NtmSpec.Controller.LSTM, 1e-6),
        new NtmSpec(5, 2, 1, 1, 2, NtmSpec.Controller.LSTM, 1e-6), new NtmSpec(5, 2, 2, 2, 2, NtmSpec.Controller.LSTM, 1e-6))) {
      List<String> where = new ArrayList<>();
      double w = worst(CellType.NTM, spec, NTM_VARIANTS, "", 1, where);
      System.out.printf("NTM %s: worst %.3f x tolerance at %s%n", spec, w, where.isEmpty() ? "-" : where.get(where.size() - 1));
      assertTrue(w < 1, spec + ": worst disagreement " + w + " x tolerance at " + where.get(where.size() - 1));
    }
  }

  /** The NTM's own weights: a 3 % error in the read-vector input or the interface layer is caught too. */
  @org.junit.jupiter.api.Test
  void aWrongNtmGradientIsCaught() {
    for (String name : List.of("c.Wr", "c.Wi", "c.bi")) {
      double w = worst(CellType.NTM, name, 1.03, new ArrayList<>());
      assertTrue(w > 1, "NTM " + name + ": a 3% error went unnoticed (worst " + w + " x tolerance)");
      NtmSpec wide = new NtmSpec(5, 2, 2, 2, 2, NtmSpec.Controller.LSTM, 1e-6);
      double v = worst(CellType.NTM, wide, NTM_VARIANTS, name, 1.03, new ArrayList<>());
      assertTrue(v > 1, "NTM " + wide + " " + name + ": a 3% error went unnoticed (worst " + v + " x tolerance)");
    }
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void aWrongGradientIsCaught(CellType type) {
    for (String name : List.of("c.Wx", "c.Wh", "c.b")) {
      double w = worst(type, name, 1.03, new ArrayList<>());
      assertTrue(w > 1, type + " " + name + ": a 3% error went unnoticed (worst " + w + " x tolerance)");
    }
  }
}
