package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/**
 * The encoder→decoder bridge: every decoder layer's initial h, {@code tanh(z W + b)} with
 * {@code W} [D, layers*H] (layer l takes columns {@code [l*H, (l+1)*H)}) and {@code z} the
 * encoder's final states or, with a mean ratio ρ > 0 (hidden-state averaging),
 * {@code (1 − ρ) · final + ρ · mean of the top outputs over the source's first max(len, 1) positions}.
 * With one layer and ρ = 0 it is the bridge checkpoints have always held ({@code bridge.W}, {@code bridge.b}).
 */
final class Bridge {
  private final Blas blas;
  private final Param w;
  private final Param b;
  private final int width;
  private final int encWidth;
  private final float meanRatio;

  /** Adds {@code bridge.W} [encWidth, width] and {@code bridge.b}. */
  Bridge(Blas blas, Params params, int encWidth, int width, double meanRatio, Rng init) {
    this.blas = blas;
    this.w = params.add("bridge.W", encWidth, width, init, 1 / Math.sqrt(encWidth), false);
    this.b = params.add("bridge.b", 1, width, init, 0, false);
    this.width = width;
    this.encWidth = encWidth;
    this.meanRatio = (float) meanRatio;
  }

  /** Whether the bridge reads the encoder's outputs (and so sends a gradient into them). */
  boolean readsOutputs() {
    return meanRatio != 0;
  }

  /** What the bridge reads [B, D]. */
  float[] input(Encoding en) {
    if (meanRatio == 0) {
      return en.fin;
    }
    int d = encWidth;
    float[] z = new float[en.batch * d];
    for (int i = 0; i < en.batch; i++) {
      int n = Math.max(en.lengths[i], 1);
      float f = meanRatio / n;
      for (int p = 0; p < n; p++) {
        Mat.axpy(f, en.bsd, (i * en.len + p) * d, z, i * d, d);
      }
      Mat.axpy(1f - meanRatio, en.fin, i * d, z, i * d, d);
    }
    return z;
  }

  /** Initial states of every source [B, width] from {@link #input}. */
  float[] forward(float[] z, int batch) {
    float[] s0 = Linear.forward(blas, z, 0, batch, w, null);
    Activations.tanhWithBias(s0, 0, batch, width, b.value);
    return s0;
  }

  /**
   * Backward from {@code dS0} (the gradient of {@link #forward}'s output, overwritten): adds the
   * parameter gradients and into {@code dBsd} (when {@link #readsOutputs}); returns the gradient of the final states.
   */
  float[] backward(Encoding en, float[] z, float[] s0, float[] dS0, float[] dBsd) {
    Mat.tanhBackward(dS0, s0, dS0.length);
    Linear.accumulate(blas, z, dS0, en.batch, w, b);
    float[] dz = Linear.inputGradient(blas, dS0, en.batch, w);
    if (meanRatio == 0) {
      return dz;
    }
    int d = encWidth;
    float[] dFin = new float[dz.length];
    Mat.axpy(1f - meanRatio, dz, 0, dFin, 0, dz.length);
    for (int i = 0; i < en.batch; i++) {
      int n = Math.max(en.lengths[i], 1);
      for (int p = 0; p < n; p++) {
        Mat.axpy(meanRatio / n, dz, i * d, dBsd, (i * en.len + p) * d, d);
      }
    }
    return dFin;
  }
}
