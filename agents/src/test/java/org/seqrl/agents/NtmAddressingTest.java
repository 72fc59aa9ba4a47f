package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each NTM addressing stage and memory operation on its own ({@link NtmAddressing}): exact values
 * on hand-computed cases, and every input's gradient against float32 Richardson finite differences
 * of the loss {@code sum_i c_i out_i} (random c), with the same tolerances as
 * {@link CellGradientCheckTest}; a 3 % error in one input's analytic gradient is caught.
 */
class NtmAddressingTest {
  private static final int N = 5;
  private static final int M = 3;
  private static final double STEP = 2e-2;
  private static final double ABS_TOL = 5e-5;
  private static final double REL_TOL = 2e-3;

  /** A stage under test: its inputs (perturbed in place), its output, and its analytic input gradients for output weights c. */
  record Case(String name, float[][] inputs, Supplier<float[]> forward, Function<float[], float[][]> backward) {
    @Override
    public String toString() {
      return name;
    }
  }

  static float[] random(Random r, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * scale);
    }
    return a;
  }

  /** A weighting over N slots: positive, sums to 1, not one-hot. */
  static float[] weighting(Random r) {
    double[] z = new double[N];
    for (int i = 0; i < N; i++) {
      z[i] = r.nextGaussian();
    }
    float[] w = new float[N];
    NtmAddressing.softmax(z, N, w, 0);
    return w;
  }

  static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  static Stream<Case> stages() {
    Random r = new Random(17);
    List<Case> cases = new ArrayList<>();
    {
      float[] mem = random(r, N * M, 1);
      float[] key = random(r, M, 1);
      float[] beta = {0.7f};
      float[] w = new float[N];
      cases.add(new Case("content", new float[][] {mem, key, beta}, () -> {
        NtmAddressing.contentForward(mem, 0, N, M, key, 0, beta[0], new double[2 * N], 0, new double[N], w, 0);
        return w.clone();
      }, c -> {
        double[] stats = new double[2 * N];
        NtmAddressing.contentForward(mem, 0, N, M, key, 0, beta[0], stats, 0, new double[N], w, 0);
        float[] dMem = new float[N * M];
        float[] dKey = new float[M];
        double dBeta = NtmAddressing.contentBackward(mem, 0, N, M, key, 0, beta[0], stats, 0, w, 0, toDouble(c),
            new double[M], dMem, 0, dKey, 0);
        return new float[][] {dMem, dKey, {(float) dBeta}};
      }));
    }
    {
      float[] wc = weighting(r);
      float[] wp = weighting(r);
      float[] g = {0.3f};
      cases.add(new Case("interpolate", new float[][] {wc, wp, g}, () -> {
        float[] w = new float[N];
        NtmAddressing.interpolateForward(wc, 0, wp, 0, g[0], N, w, 0);
        return w;
      }, c -> {
        double[] dWc = new double[N];
        float[] dWp = new float[N];
        double dg = NtmAddressing.interpolateBackward(wc, 0, wp, 0, g[0], N, toDouble(c), dWc, dWp, 0);
        return new float[][] {toFloat(dWc), dWp, {(float) dg}};
      }));
    }
    for (int range : new int[] {1, 2}) {
      float[] wg = weighting(r);
      float[] sRaw = random(r, 2 * range + 1, 1);
      cases.add(new Case("shift range " + range, new float[][] {wg, sRaw}, () -> {
        float[] s = new float[2 * range + 1];
        float[] w = new float[N];
        NtmAddressing.shiftForward(wg, 0, sRaw, 0, range, N, new double[2 * range + 1], s, 0, w, 0);
        return w;
      }, c -> {
        float[] s = new float[2 * range + 1];
        float[] w = new float[N];
        NtmAddressing.shiftForward(wg, 0, sRaw, 0, range, N, new double[2 * range + 1], s, 0, w, 0);
        double[] dWg = new double[N];
        float[] dS = new float[sRaw.length];
        NtmAddressing.shiftBackward(wg, 0, range, N, s, 0, toDouble(c), dWg, new double[2 * range + 1], dS, 0);
        return new float[][] {toFloat(dWg), dS};
      }));
    }
    {
      float[] ws = weighting(r);
      float[] gamma = {0.4f};
      float[] w = new float[N];
      cases.add(new Case("sharpen", new float[][] {ws, gamma}, () -> {
        NtmAddressing.sharpenForward(ws, 0, gamma[0], N, new double[N], w, 0);
        return w.clone();
      }, c -> {
        NtmAddressing.sharpenForward(ws, 0, gamma[0], N, new double[N], w, 0);
        double[] dWs = new double[N];
        double dGamma = NtmAddressing.sharpenBackward(ws, 0, gamma[0], N, w, 0, toDouble(c), dWs);
        return new float[][] {toFloat(dWs), {(float) dGamma}};
      }));
    }
    {
      float[] mem = random(r, N * M, 1);
      float[] w = weighting(r);
      cases.add(new Case("read", new float[][] {mem, w}, () -> {
        float[] out = new float[M];
        NtmAddressing.readForward(mem, 0, N, M, w, 0, new double[M], out, 0);
        return out;
      }, c -> {
        float[] dMem = new float[N * M];
        double[] dW = new double[N];
        NtmAddressing.readBackward(mem, 0, N, M, w, 0, c, 0, dMem, 0, dW);
        return new float[][] {dMem, toFloat(dW)};
      }));
    }
    for (int heads : new int[] {1, 2}) {
      float[] mem = random(r, N * M, 1);
      float[] w = new float[heads * N];
      for (int h = 0; h < heads; h++) {
        System.arraycopy(weighting(r), 0, w, h * N, N);
      }
      // erase and add of head h at 2hM and (2h+1)M of one interface vector, as the cell lays them out
      float[] xi = random(r, 2 * heads * M, 1);
      int[] eOff = new int[heads];
      int[] aOff = new int[heads];
      for (int h = 0; h < heads; h++) {
        eOff[h] = 2 * h * M;
        aOff[h] = (2 * h + 1) * M;
      }
      cases.add(new Case("write " + heads + " heads", new float[][] {mem, w, xi}, () -> {
        float[] out = new float[N * M];
        NtmAddressing.writeForward(mem, 0, N, M, heads, w, 0, xi, eOff, xi, aOff,
            new double[NtmAddressing.writeScratch(heads, M)], out, 0);
        return out;
      }, c -> {
        float[] dMem = new float[N * M];
        double[][] dW = new double[heads][N];
        float[] dXi = new float[xi.length];
        NtmAddressing.writeBackward(mem, 0, N, M, heads, w, 0, xi, eOff, xi, aOff, c, 0, dMem, 0, dW, dXi, dXi,
            new double[NtmAddressing.writeScratch(heads, M)]);
        float[] dWf = new float[heads * N];
        for (int h = 0; h < heads; h++) {
          for (int i = 0; i < N; i++) {
            dWf[h * N + i] = (float) dW[h][i];
          }
        }
        return new float[][] {dMem, dWf, dXi};
      }));
    }
    return cases.stream();
  }

  /** Worst disagreement / tolerance over all inputs, with input {@code distorted}'s analytic gradient scaled by {@code factor}. */
  static double worst(Case k, int distorted, double factor, List<String> report) {
    float[] c = random(new Random(5), k.forward().get().length, 1);
    Supplier<Double> loss = () -> {
      float[] out = k.forward().get();
      double l = 0;
      for (int i = 0; i < out.length; i++) {
        l += (double) c[i] * out[i];
      }
      return l;
    };
    float[][] grads = k.backward().apply(c);
    double worst = 0;
    for (int a = 0; a < k.inputs().length; a++) {
      float[] v = k.inputs()[a];
      for (int i = 0; i < v.length; i++) {
        float orig = v[i];
        double[] d = new double[2];
        for (int s = 0; s < 2; s++) {
          double h = s == 0 ? STEP : STEP / 2;
          v[i] = (float) (orig + h);
          double up = loss.get();
          v[i] = (float) (orig - h);
          double down = loss.get();
          d[s] = (up - down) / ((double) (float) (orig + h) - (double) (float) (orig - h));
        }
        v[i] = orig;
        double numeric = (4 * d[1] - d[0]) / 3;
        double analytic = grads[a][i] * (a == distorted ? factor : 1);
        double ratio = Math.abs(numeric - analytic) / (ABS_TOL + REL_TOL * Math.max(Math.abs(numeric), Math.abs(analytic)));
        if (ratio > worst) {
          worst = ratio;
          report.add("input " + a + "[" + i + "] numeric " + numeric + " analytic " + analytic);
        }
      }
    }
    return worst;
  }

  @ParameterizedTest
  @MethodSource("stages")
  void everyInputMatchesFiniteDifferences(Case k) {
    List<String> where = new ArrayList<>();
    double w = worst(k, -1, 1, where);
    System.out.printf("%s: worst %.3f x tolerance at %s%n", k, w, where.isEmpty() ? "-" : where.get(where.size() - 1));
    assertTrue(w < 1, k + ": worst " + w + " x tolerance at " + where.get(where.size() - 1));
  }

  /** The check can fail: a 3 % error in the gradient of any one input is caught. */
  @ParameterizedTest
  @MethodSource("stages")
  void aWrongGradientIsCaught(Case k) {
    for (int a = 0; a < k.inputs().length; a++) {
      double w = worst(k, a, 1.03, new ArrayList<>());
      assertTrue(w > 1, k + " input " + a + ": a 3% error went unnoticed (worst " + w + ")");
    }
  }

  @Test
  void stagesComputeWhatThePaperDefines() {
    // content: key equal to slot 1, orthogonal to slot 0; beta = softplus(0) = ln 2
    float[] mem = {1, 0, 0, 1};
    float[] w = new float[2];
    NtmAddressing.contentForward(mem, 0, 2, 2, new float[] {0, 2}, 0, 0f, new double[4], 0, new double[2], w, 0);
    double e = Math.exp(Math.log(2));
    assertEquals(1 / (1 + e), w[0], 1e-6);
    assertEquals(e / (1 + e), w[1], 1e-6);
    // shift by +1 with certainty moves the focus one slot on, circularly
    float[] shifted = new float[3];
    NtmAddressing.shiftForward(new float[] {0, 0, 1}, 0, new float[] {-50, -50, 50}, 0, 1, 3, new double[3], new float[3],
        0, shifted, 0);
    assertArrayEquals(new float[] {1, 0, 0}, shifted, 1e-6f);
    // sharpening with gamma = 2 (raw softplus^-1(1) = ln(e - 1)) squares and renormalises
    float[] sharp = new float[2];
    NtmAddressing.sharpenForward(new float[] {0.25f, 0.75f}, 0, (float) Math.log(Math.E - 1), 2, new double[2], sharp,
        0);
    assertEquals(0.1, sharp[0], 1e-6);
    assertEquals(0.9, sharp[1], 1e-6);
    // write: full erase of slot 0 (erase raw +50), then add [2, 3]
    float[] out = new float[4];
    NtmAddressing.writeForward(new float[] {5, 6, 7, 8}, 0, 2, 2, 1, new float[] {1, 0}, 0, new float[] {50, 50},
        new int[] {0}, new float[] {2, 3}, new int[] {0}, new double[NtmAddressing.writeScratch(1, 2)], out, 0);
    assertArrayEquals(new float[] {2, 3, 7, 8}, out, 1e-6f);
    // an all-zero memory gives a uniform content weighting, not NaN
    NtmAddressing.contentForward(new float[4], 0, 2, 2, new float[] {1, 1}, 0, 3f, new double[4], 0, new double[2], w, 0);
    assertArrayEquals(new float[] {0.5f, 0.5f}, w, 1e-6f);
  }
}
