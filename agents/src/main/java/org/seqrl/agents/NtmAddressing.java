package org.seqrl.agents;

/**
 * The Neural Turing Machine's addressing stages and memory operations (Graves, Wayne & Danihelka
 * 2014, section 3), each a forward and its hand-written backward side by side, for one row and one
 * head: N memory slots of width M, row-major {@code [N*M]}; weightings {@code [N]}. Backward
 * functions add into their gradient arguments ({@code +=}), so that a head's gradient can collect
 * several paths. Arithmetic inside a stage is in double; what is stored is float32.
 *
 * <p>Numerical choices (see docs/ntm.md): cosine similarity divides by {@code |k||m| + EPS} (as the
 * paper's reference reimplementations do), so that an all-zero key or slot gives similarity 0,
 * not NaN; sharpening is computed as {@code softmax(gamma * ln(w + EPS))}, the same function as
 * {@code w^gamma / sum w^gamma} but without underflow of {@code w^gamma} for small weights.
 */
final class NtmAddressing {
  private NtmAddressing() {}

  /** Added to the cosine denominator and to the weights before the logarithm of sharpening. */
  static final double EPS = 1e-8;

  static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** {@code out = softmax(z)} over n entries; z and out may be the same array. */
  static void softmax(double[] z, int n, float[] out, int oOff) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, z[i]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      z[i] = Math.exp(z[i] - max);
      sum += z[i];
    }
    for (int i = 0; i < n; i++) {
      out[oOff + i] = (float) (z[i] / sum);
    }
  }

  /** {@code dz = y ⊙ (dy - <y, dy>)}: the backward of a softmax whose output is y. */
  static double[] softmaxBackward(float[] y, int yOff, double[] dy, int n) {
    double dot = 0;
    for (int i = 0; i < n; i++) {
      dot += y[yOff + i] * dy[i];
    }
    double[] dz = new double[n];
    for (int i = 0; i < n; i++) {
      dz[i] = y[yOff + i] * (dy[i] - dot);
    }
    return dz;
  }

  // ---- content addressing: w_i = softmax_i(beta K(k, M_i)), beta = softplus(betaRaw)

  /** Content weighting into {@code w[wOff..+n]} from memory, key [m] and the raw key strength. */
  static void contentForward(float[] mem, int mOff, int n, int m, float[] key, int kOff, float betaRaw,
      float[] w, int wOff) {
    double beta = softplus(betaRaw);
    double kn = norm(key, kOff, m);
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      int r = mOff + i * m;
      z[i] = beta * dotd(key, kOff, mem, r, m) / (kn * norm(mem, r, m) + EPS);
    }
    softmax(z, n, w, wOff);
  }

  /**
   * Backward of {@link #contentForward} given its output {@code w} and {@code dw}: adds into
   * {@code dMem}, {@code dKey} and returns the gradient of the raw key strength.
   */
  static double contentBackward(float[] mem, int mOff, int n, int m, float[] key, int kOff, float betaRaw,
      float[] w, int wOff, double[] dw, float[] dMem, int dmOff, float[] dKey, int dkOff) {
    double beta = softplus(betaRaw);
    double kn = norm(key, kOff, m);
    double[] dz = softmaxBackward(w, wOff, dw, n);
    double dBeta = 0;
    double[] dk = new double[m];
    double dKn = 0;
    for (int i = 0; i < n; i++) {
      int r = mOff + i * m;
      double mn = norm(mem, r, m);
      double dot = dotd(key, kOff, mem, r, m);
      double den = kn * mn + EPS;
      double cos = dot / den;
      dBeta += dz[i] * cos;
      double dCos = dz[i] * beta;
      double dDot = dCos / den;
      double dDen = -dCos * dot / (den * den);
      dKn += dDen * mn;
      double dMn = dDen * kn;
      // d|m|/dm = m/|m|, taken as 0 at m = 0 (where the EPS keeps the similarity at 0)
      double sMn = mn > 0 ? dMn / mn : 0;
      int dr = dmOff + i * m;
      for (int j = 0; j < m; j++) {
        dk[j] += dDot * mem[r + j];
        dMem[dr + j] += (float) (dDot * key[kOff + j] + sMn * mem[r + j]);
      }
    }
    double sKn = kn > 0 ? dKn / kn : 0;
    for (int j = 0; j < m; j++) {
      dKey[dkOff + j] += (float) (dk[j] + sKn * key[kOff + j]);
    }
    return dBeta * sigmoid(betaRaw);
  }

  // ---- interpolation: w = g wc + (1 - g) wPrev, g = sigmoid(gRaw)

  static void interpolateForward(float[] wc, int cOff, float[] wPrev, int pOff, float gRaw, int n, float[] w, int wOff) {
    double g = sigmoid(gRaw);
    for (int i = 0; i < n; i++) {
      w[wOff + i] = (float) (g * wc[cOff + i] + (1 - g) * wPrev[pOff + i]);
    }
  }

  /** Adds into {@code dWc} and {@code dWPrev}; returns the gradient of the raw gate. */
  static double interpolateBackward(float[] wc, int cOff, float[] wPrev, int pOff, float gRaw, int n, double[] dw,
      double[] dWc, float[] dWPrev, int dpOff) {
    double g = sigmoid(gRaw);
    double dg = 0;
    for (int i = 0; i < n; i++) {
      dWc[i] += g * dw[i];
      dWPrev[dpOff + i] += (float) ((1 - g) * dw[i]);
      dg += dw[i] * (wc[cOff + i] - wPrev[pOff + i]);
    }
    return dg * g * (1 - g);
  }

  // ---- convolutional shift: s = softmax(sRaw) over shifts -S..S; w'_i = sum_k w_{(i-k) mod N} s_k

  /** Shift weighting {@code s} [2S+1] into {@code sOut}; shifted weighting into {@code w}. */
  static void shiftForward(float[] wg, int gOff, float[] sRaw, int rOff, int range, int n, float[] sOut, int sOff,
      float[] w, int wOff) {
    int k = 2 * range + 1;
    double[] z = new double[k];
    for (int j = 0; j < k; j++) {
      z[j] = sRaw[rOff + j];
    }
    softmax(z, k, sOut, sOff);
    for (int i = 0; i < n; i++) {
      double acc = 0;
      for (int j = 0; j < k; j++) {
        acc += wg[gOff + Math.floorMod(i - (j - range), n)] * (double) sOut[sOff + j];
      }
      w[wOff + i] = (float) acc;
    }
  }

  /** Adds into {@code dWg}; adds the gradient of the raw shift logits into {@code dSRaw}. */
  static void shiftBackward(float[] wg, int gOff, int range, int n, float[] s, int sOff, double[] dw, double[] dWg,
      float[] dSRaw, int dsOff) {
    int k = 2 * range + 1;
    double[] ds = new double[k];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        int src = Math.floorMod(i - (j - range), n);
        dWg[src] += dw[i] * s[sOff + j];
        ds[j] += dw[i] * wg[gOff + src];
      }
    }
    double[] dz = softmaxBackward(s, sOff, ds, k);
    for (int j = 0; j < k; j++) {
      dSRaw[dsOff + j] += (float) dz[j];
    }
  }

  // ---- sharpening: w_i = ws_i^gamma / sum_j ws_j^gamma = softmax(gamma ln(ws + EPS)), gamma = 1 + softplus(gammaRaw)

  static void sharpenForward(float[] ws, int sOff, float gammaRaw, int n, float[] w, int wOff) {
    double gamma = 1 + softplus(gammaRaw);
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      z[i] = gamma * Math.log(ws[sOff + i] + EPS);
    }
    softmax(z, n, w, wOff);
  }

  /** Given the output {@code w}: adds into {@code dWs}; returns the gradient of the raw gamma. */
  static double sharpenBackward(float[] ws, int sOff, float gammaRaw, int n, float[] w, int wOff, double[] dw,
      double[] dWs) {
    double gamma = 1 + softplus(gammaRaw);
    double[] dz = softmaxBackward(w, wOff, dw, n);
    double dGamma = 0;
    for (int i = 0; i < n; i++) {
      double p = ws[sOff + i] + EPS;
      dGamma += dz[i] * Math.log(p);
      dWs[i] += dz[i] * gamma / p;
    }
    return dGamma * sigmoid(gammaRaw);
  }

  // ---- read: r_j = sum_i w_i M_ij

  static void readForward(float[] mem, int mOff, int n, int m, float[] w, int wOff, float[] r, int rOff) {
    for (int j = 0; j < m; j++) {
      double acc = 0;
      for (int i = 0; i < n; i++) {
        acc += (double) w[wOff + i] * mem[mOff + i * m + j];
      }
      r[rOff + j] = (float) acc;
    }
  }

  /** Adds into {@code dMem} and {@code dW}. */
  static void readBackward(float[] mem, int mOff, int n, int m, float[] w, int wOff, float[] dr, int drOff,
      float[] dMem, int dmOff, double[] dW) {
    for (int i = 0; i < n; i++) {
      double acc = 0;
      for (int j = 0; j < m; j++) {
        acc += (double) dr[drOff + j] * mem[mOff + i * m + j];
        dMem[dmOff + i * m + j] += w[wOff + i] * dr[drOff + j];
      }
      dW[i] += acc;
    }
  }

  // ---- write by erase and add, h heads (paper 3.2): M~ = M ⊙ prod_h (1 - w_h e_h^T); M' = M~ + sum_h w_h a_h^T,
  //      e_h = sigmoid(eRaw_h), a_h as given

  /**
   * {@code memOut = write(mem)} with {@code heads} write heads: weighting of head h at
   * {@code w[wOff + h*n]}, raw erase at {@code eRaw[eOff[h]]}, add at {@code add[aOff[h]]}.
   */
  static void writeForward(float[] mem, int mOff, int n, int m, int heads, float[] w, int wOff, float[] eRaw,
      int[] eOff, float[] add, int[] aOff, float[] memOut, int oOff) {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double keep = 1;
        double plus = 0;
        for (int h = 0; h < heads; h++) {
          double wi = w[wOff + h * n + i];
          keep *= 1 - wi * sigmoid(eRaw[eOff[h] + j]);
          plus += wi * add[aOff[h] + j];
        }
        memOut[oOff + i * m + j] = (float) (mem[mOff + i * m + j] * keep + plus);
      }
    }
  }

  /**
   * Backward of {@link #writeForward} from {@code dOut} (gradient of the written memory): adds into
   * {@code dMem}, the weightings' gradients {@code dW[h][i]}, and the raw erase and add gradients.
   */
  static void writeBackward(float[] mem, int mOff, int n, int m, int heads, float[] w, int wOff, float[] eRaw,
      int[] eOff, float[] add, int[] aOff, float[] dOut, int doOff, float[] dMem, int dmOff, double[][] dW,
      float[] dERaw, float[] dAdd) {
    double[] f = new double[heads];
    double[][] dE = new double[heads][m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double g = dOut[doOff + i * m + j];
        double mij = mem[mOff + i * m + j];
        double keep = 1;
        for (int h = 0; h < heads; h++) {
          f[h] = 1 - w[wOff + h * n + i] * sigmoid(eRaw[eOff[h] + j]);
          keep *= f[h];
        }
        dMem[dmOff + i * m + j] += (float) (g * keep);
        for (int h = 0; h < heads; h++) {
          double others = 1; // the product without head h, not keep / f[h]: f[h] may be 0
          for (int q = 0; q < heads; q++) {
            if (q != h) {
              others *= f[q];
            }
          }
          double wi = w[wOff + h * n + i];
          double e = sigmoid(eRaw[eOff[h] + j]);
          double dProd = -g * mij * others; // gradient of w_hi e_hj
          dW[h][i] += dProd * e + g * add[aOff[h] + j];
          dE[h][j] += dProd * wi;
          dAdd[aOff[h] + j] += (float) (g * wi);
        }
      }
    }
    for (int h = 0; h < heads; h++) {
      for (int j = 0; j < m; j++) {
        double e = sigmoid(eRaw[eOff[h] + j]);
        dERaw[eOff[h] + j] += (float) (dE[h][j] * e * (1 - e));
      }
    }
  }

  static double norm(float[] a, int off, int n) {
    return Math.sqrt(dotd(a, off, a, off, n));
  }

  static double dotd(float[] a, int ao, float[] b, int bo, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) a[ao + i] * b[bo + i];
    }
    return s;
  }
}
