package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.Params.Param;

/**
 * Layer normalisation over each row: {@code y = g * (x - mean) / sqrt(var + eps) + b}. The forward
 * keeps the normalised rows and each row's {@code 1 / sigma}, all the backward needs.
 */
final class LayerNorm {
  private static final float EPS = 1e-5f;
  /** Rows a thread takes at least (a row of width 256 costs well under a microsecond). */
  private static final int ROWS_PER_THREAD = 16;
  /** Columns a thread sums at least in the backward's gain and bias gradients. */
  private static final int COLUMNS_PER_THREAD = 64;
  final int width;
  private final Param gain;
  private final Param bias;

  /** Adds {@code prefix.g} (ones) and {@code prefix.b} (zeros). */
  LayerNorm(Params params, String prefix, int width, Rng init) {
    this.width = width;
    gain = params.add(prefix + ".g", 1, width, init, 0, false);
    Arrays.fill(gain.value, 1f);
    bias = params.add(prefix + ".b", 1, width, init, 0, false);
  }

  /**
   * Rows {@code [0, rows)} of {@code x} from {@code xOff} into {@code y} from {@code yOff} ({@code y}
   * may be {@code x}); keeps {@code xhat} from {@code hOff} and {@code rstd} from {@code rOff}.
   */
  void forward(float[] x, int xOff, int rows, float[] y, int yOff, float[] xhat, int hOff, float[] rstd, int rOff) {
    int d = width;
    float[] g = gain.value;
    float[] b = bias.value;
    RowSplit.run(rows, ROWS_PER_THREAD, (from, to) -> {
      for (int i = from; i < to; i++) {
        int xo = xOff + i * d;
        int ho = hOff + i * d;
        int yo = yOff + i * d;
        // the sums run in Mat's partial sums and the elementwise loops on their own, so that they
        // vectorise: one sequential sum over a row was most of a layer norm's time
        float mean = Mat.sum(x, xo, d) / d;
        for (int j = 0; j < d; j++) {
          xhat[ho + j] = x[xo + j] - mean;
        }
        float var = Mat.dot(xhat, ho, xhat, ho, d);
        float rs = (float) (1 / Math.sqrt(var / d + EPS));
        rstd[rOff + i] = rs;
        for (int j = 0; j < d; j++) {
          float h = xhat[ho + j] * rs;
          xhat[ho + j] = h;
          y[yo + j] = g[j] * h + b[j];
        }
      }
    });
  }

  /** Adds the gain and bias gradients for {@code dy} and adds the input gradient into {@code dx} (rows from the given offsets). */
  void backward(float[] dy, int dyOff, int rows, float[] xhat, int hOff, float[] rstd, int rOff, float[] dx, int dxOff) {
    int d = width;
    float[] g = gain.value;
    float[] gg = gain.grad;
    float[] gb = bias.grad;
    // the gain and bias sums by column ranges, each column summed over the rows in row order (the
    // same bits on any thread count); the input gradient by row ranges
    RowSplit.run(d, COLUMNS_PER_THREAD, (from, to) -> {
      for (int i = 0; i < rows; i++) {
        int yo = dyOff + i * d;
        int ho = hOff + i * d;
        for (int j = from; j < to; j++) {
          gg[j] += dy[yo + j] * xhat[ho + j];
        }
        for (int j = from; j < to; j++) {
          gb[j] += dy[yo + j];
        }
      }
    });
    RowSplit.run(rows, ROWS_PER_THREAD, (from, to) -> {
      float[] dh = new float[d];
      for (int i = from; i < to; i++) {
        int yo = dyOff + i * d;
        int ho = hOff + i * d;
        int xo = dxOff + i * d;
        for (int j = 0; j < d; j++) {
          dh[j] = dy[yo + j] * g[j];
        }
        float m1 = Mat.sum(dh, 0, d) / d;
        float m2 = Mat.dot(dh, 0, xhat, ho, d) / d;
        float rs = rstd[rOff + i];
        for (int j = 0; j < d; j++) {
          dx[xo + j] += rs * (dh[j] - m1 - xhat[ho + j] * m2);
        }
      }
    });
  }
}
