package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.seqrl.agents.Params.Param;
import org.seqrl.agents.Seq2SeqConfig.CellType;

/**
 * The JZS cells compute the paper's equations (Jozefowicz et al. 2015, MUT1-3), written here
 * once more in double precision straight from the paper, with x as wide as h (so that the raw-input
 * terms are the paper's own); their gradients are checked in {@link CellGradientCheckTest}.
 */
class JzsCellTest {
  private static final int H = 4;
  private static final int B = 2;
  private static final int T = 3;

  @ParameterizedTest
  @EnumSource(value = CellType.class, names = {"JZS1", "JZS2", "JZS3"})
  void forwardIsThePapersEquations(CellType type) {
    try (Params params = new Params(); Blas blas = new Blas()) {
      Rng init = new Rng(5);
      RecurrentCell cell = RecurrentCell.create(type, params, "c", H, H, init);
      for (Param p : params.all()) {
        for (int i = 0; i < p.size(); i++) {
          p.value[i] += (float) (0.5 * (2 * init.nextDouble() - 1));
        }
      }
      params.syncMirror();
      Random r = new Random(8);
      float[] x = new float[T * B * H];
      float[] h0 = new float[B * H];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < h0.length; i++) {
        h0[i] = (float) (0.5 * r.nextGaussian());
      }
      CellRun run = cell.run(T, B, null, cell.project(blas, x, 0, T * B, H, 0));
      for (int t = 0; t < T; t++) {
        run.forward(blas, t, t == 0 ? new float[][] {h0} : run.out, t == 0 ? 0 : run.at(t - 1));
      }
      float[] wx = params.get("c.Wx").value;
      float[] wh = params.get("c.Wh").value;
      float[] b = params.get("c.b").value;
      int wxCols = params.get("c.Wx").cols;
      int whCols = params.get("c.Wh").cols;
      for (int i = 0; i < B; i++) {
        double[] h = new double[H];
        for (int j = 0; j < H; j++) {
          h[j] = h0[i * H + j];
        }
        for (int t = 0; t < T; t++) {
          double[] xt = new double[H];
          for (int j = 0; j < H; j++) {
            xt[j] = x[(t * B + i) * H + j];
          }
          double[] th = new double[H];
          for (int j = 0; j < H; j++) {
            th[j] = Math.tanh(h[j]);
          }
          double[] z = new double[H];
          double[] rr = new double[H];
          double[] next = new double[H];
          // Wx blocks in gate order without the raw gate; Wh blocks: [W_hr, W_hh] for JZS1, else [W_hz, W_hr, W_hh]
          int wxZ = 0;
          int wxR = type == CellType.JZS2 ? -1 : 1;
          int wxN = type == CellType.JZS1 ? -1 : type == CellType.JZS2 ? 1 : 2;
          int whZ = type == CellType.JZS1 ? -1 : 0;
          int whR = type == CellType.JZS1 ? 0 : 1;
          int whN = whR + 1;
          for (int j = 0; j < H; j++) {
            double az = b[j] + dot(xt, wx, wxCols, wxZ * H + j);
            if (type == CellType.JZS2) {
              az += dot(h, wh, whCols, whZ * H + j);
            } else if (type == CellType.JZS3) {
              az += dot(th, wh, whCols, whZ * H + j);
            }
            z[j] = sigmoid(az);
            double ar = b[H + j] + dot(h, wh, whCols, whR * H + j);
            ar += type == CellType.JZS2 ? xt[j] : dot(xt, wx, wxCols, wxR * H + j);
            rr[j] = sigmoid(ar);
          }
          double[] rh = new double[H];
          for (int j = 0; j < H; j++) {
            rh[j] = rr[j] * h[j];
          }
          for (int j = 0; j < H; j++) {
            double an = b[2 * H + j] + dot(rh, wh, whCols, whN * H + j);
            an += type == CellType.JZS1 ? Math.tanh(xt[j]) : dot(xt, wx, wxCols, wxN * H + j);
            next[j] = Math.tanh(an) * z[j] + h[j] * (1 - z[j]);
          }
          h = next;
          for (int j = 0; j < H; j++) {
            assertEquals(h[j], run.hOut[run.at(t) + i * H + j], 2e-5, type + " t=" + t + " row " + i + " unit " + j);
          }
        }
      }
    }
  }

  private static double dot(double[] v, float[] w, int cols, int col) {
    double s = 0;
    for (int k = 0; k < v.length; k++) {
      s += v[k] * w[k * cols + col];
    }
    return s;
  }

  private static double sigmoid(double a) {
    return 1 / (1 + Math.exp(-a));
  }

  /** The paper's parameter counts: MUT1 has no W_xh and no W_hz, MUT2 no W_xr, MUT3 all nine. */
  @Test
  void parameterShapesAreThePapers() {
    int in = 5;
    int[][] expected = {{2, 2}, {2, 3}, {3, 3}}; // Wx blocks, Wh blocks
    CellType[] types = {CellType.JZS1, CellType.JZS2, CellType.JZS3};
    for (int k = 0; k < 3; k++) {
      try (Params params = new Params()) {
        RecurrentCell.create(types[k], params, "c", in, H, new Rng(1));
        assertEquals(expected[k][0] * H, params.get("c.Wx").cols, types[k] + " Wx");
        assertEquals(expected[k][1] * H, params.get("c.Wh").cols, types[k] + " Wh");
        assertEquals(3 * H, params.get("c.b").cols, types[k] + " b");
      }
    }
  }

  /** An input narrower or wider than h is projected by fixed random signs of scale 1/sqrt(in); equal widths by the identity. */
  @Test
  void rawProjectionIsTheIdentityOrScaledSigns() {
    float[] id = GatedCell.rawProjection(3, 3);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(i == j ? 1f : 0f, id[i * 3 + j]);
      }
    }
    float[] p = GatedCell.rawProjection(16, 8);
    int plus = 0;
    for (float v : p) {
      assertEquals(0.25f, Math.abs(v), 0f);
      plus += v > 0 ? 1 : 0;
    }
    assertTrue(plus > 40 && plus < 88, "signs balanced: " + plus + " of 128 positive");
    float[] again = GatedCell.rawProjection(16, 8);
    for (int i = 0; i < p.length; i++) {
      assertEquals(p[i], again[i], 0f, "a function of the shapes only");
    }
  }
}
