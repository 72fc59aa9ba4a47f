package org.seqrl.agents;

/**
 * JZS3, the paper's MUT3: z = σ(x W_xz + tanh(h) W_hz + b_z); r = σ(x W_xr + h W_hr + b_r);
 * h' = tanh((r ⊙ h) W_hh + x W_xh + b_h) ⊙ z + h ⊙ (1 - z). No raw-input term, so no projection.
 * Wx holds z's, r's and n's blocks; Wh holds W_hz, W_hr, W_hh.
 */
final class Jzs3Cell extends JzsCell {
  Jzs3Cell(Params params, String prefix, int in, int hidden, Rng init) {
    super(params, prefix, in, hidden, -1, true, init);
  }

  @Override
  public CellRun run(int steps, int batch, int[] lengths, float[][] pre) {
    return new JzsRun(steps, batch, lengths, pre) {
      /** tanh(h) per position. */
      final float[] th = new float[steps * n];
      /** One position's gradient of tanh(h). */
      final float[] dTh = new float[n];

      @Override
      void zForward(Blas blas, int o) {
        System.arraycopy(hPrev, o, th, o, n);
        Activations.tanh(th, o, o + n);
        blas.gemm(false, false, batch, hidden, hidden, 1f, th, o, hidden, wh, 0, 1f, gate[Z], o, hidden);
      }

      @Override
      void zBackward(Blas blas, int o, float[] dH) {
        float[] d = dTh;
        blas.gemm(false, true, batch, hidden, hidden, 1f, dGate[Z], o, hidden, wh, 0, 0f, d, 0, hidden);
        for (int k = 0; k < n; k++) {
          dH[k] += d[k] * (1f - th[o + k] * th[o + k]);
        }
      }

      @Override
      void zAccumulate(Blas blas) {
        blas.gemm(true, false, hidden, hidden, steps * batch, 1f, th, 0, hidden, dGate[Z], 0, hidden, 1f, wh.grad, 0,
            recurrentWidth());
      }
    };
  }
}
