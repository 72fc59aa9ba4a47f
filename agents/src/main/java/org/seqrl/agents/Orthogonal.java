package org.seqrl.agents;

/** Random orthogonal matrices for {@code model.init: orthogonal}. */
final class Orthogonal {
  private Orthogonal() {}

  /**
   * An n x n orthogonal matrix, row-major, drawn uniformly (Haar): the Q of a Gaussian matrix's QR
   * decomposition with R's diagonal positive, which modified Gram-Schmidt on the rows gives by
   * construction (Mezzadri 2007). In double, so that Q Q^T = I to ~1e-15 before the float cast.
   */
  static double[] matrix(int n, Rng rng) {
    double[] q = new double[n * n];
    for (int i = 0; i < q.length; i++) {
      q[i] = rng.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      int ri = i * n;
      for (int k = 0; k < i; k++) {
        int rk = k * n;
        double dot = 0;
        for (int j = 0; j < n; j++) {
          dot += q[ri + j] * q[rk + j];
        }
        for (int j = 0; j < n; j++) {
          q[ri + j] -= dot * q[rk + j];
        }
      }
      double norm = 0;
      for (int j = 0; j < n; j++) {
        norm += q[ri + j] * q[ri + j];
      }
      norm = Math.sqrt(norm);
      for (int j = 0; j < n; j++) {
        q[ri + j] /= norm;
      }
    }
    return q;
  }
}
