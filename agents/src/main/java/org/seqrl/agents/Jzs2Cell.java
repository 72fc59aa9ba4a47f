package org.seqrl.agents;

/**
 * JZS2, the paper's MUT2: z = σ(x W_xz + h W_hz + b_z); r = σ(x P + h W_hr + b_r), the raw input
 * with no trained input weights; h' = tanh((r ⊙ h) W_hh + x W_xh + b_h) ⊙ z + h ⊙ (1 - z). P is
 * {@link GatedCell#rawProjection} (the identity when x is as wide as h, as the paper has it). Wx
 * holds z's and n's blocks; Wh holds W_hz, W_hr, W_hh.
 */
final class Jzs2Cell extends JzsCell {
  Jzs2Cell(Params params, String prefix, int in, int hidden, Rng init) {
    super(params, prefix, in, hidden, R, true, init);
  }

  @Override
  public CellRun run(int steps, int batch, int[] lengths, float[][] pre) {
    return new JzsRun(steps, batch, lengths, pre) {
      @Override
      void zForward(Blas blas, int o) {
        blas.gemm(false, false, batch, hidden, hidden, 1f, hPrev, o, hidden, wh, 0, 1f, gate[Z], o, hidden);
      }

      @Override
      void zBackward(Blas blas, int o, float[] dH) {
        blas.gemm(false, true, batch, hidden, hidden, 1f, dGate[Z], o, hidden, wh, 0, 1f, dH, 0, hidden);
      }

      @Override
      void zAccumulate(Blas blas) {
        blas.gemm(true, false, hidden, hidden, steps * batch, 1f, hPrev, 0, hidden, dGate[Z], 0, hidden, 1f, wh.grad, 0,
            recurrentWidth());
      }
    };
  }
}
