package org.seqrl.agents;

/**
 * The Neural Turing Machine's addressing stages and memory operations (Graves, Wayne & Danihelka
 * 2014, section 3), each a forward and its hand-written backward side by side, for one row and one
 * head: N memory slots of width M, row-major {@code [N*M]}; weightings {@code [N]}. Backward
 * functions add into their gradient arguments ({@code +=}), so that a head's gradient can collect
 * several paths. Arithmetic inside a stage is in double; what is stored is float32. No stage
 * allocates: the caller passes scratch arrays (a cell step runs them per row and head, so the
 * allocations used to be a large share of the step's cost), and a forward stage leaves in the
 * caller's arrays what its backward needs, so the backward does not compute the forward again.
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

  /** {@code dy <- y ⊙ (dy - <y, dy>)}, in place: the backward of a softmax whose output is y. */
  static void softmaxBackward(float[] y, int yOff, double[] dy, int n) {
    double dot = 0;
    for (int i = 0; i < n; i++) {
      dot += y[yOff + i] * dy[i];
    }
    for (int i = 0; i < n; i++) {
      dy[i] = y[yOff + i] * (dy[i] - dot);
    }
  }

  // ---- content addressing: w_i = softmax_i(beta K(k, M_i)), beta = softplus(betaRaw)

  /**
   * Content weighting into {@code w[wOff..+n]} from memory, key [m] and the raw key strength;
   * {@code z} is scratch [n]. Leaves each slot's norm |M_i| in {@code stats[sOff + i]} and k·M_i in
   * {@code stats[sOff + n + i]} for {@link #contentBackward}.
   */
  static void contentForward(float[] mem, int mOff, int n, int m, float[] key, int kOff, float betaRaw,
      double[] stats, int sOff, double[] z, float[] w, int wOff) {
    double beta = softplus(betaRaw);
    double kn = norm(key, kOff, m);
    for (int i = 0; i < n; i++) {
      int r = mOff + i * m;
      // |M_i|² and k·M_i in one pass (two independent sums, each in the order of dotd)
      double sq = 0;
      double dot = 0;
      for (int j = 0; j < m; j++) {
        double v = mem[r + j];
        sq += v * v;
        dot += key[kOff + j] * v;
      }
      double mn = Math.sqrt(sq);
      stats[sOff + i] = mn;
      stats[sOff + n + i] = dot;
      z[i] = beta * dot / (kn * mn + EPS);
    }
    softmax(z, n, w, wOff);
  }

  /**
   * Backward of {@link #contentForward} given its output {@code w}, its {@code stats} and {@code dw}
   * (overwritten): adds into {@code dMem}, {@code dKey} and returns the gradient of the raw key
   * strength; {@code dk} is scratch [m].
   */
  static double contentBackward(float[] mem, int mOff, int n, int m, float[] key, int kOff, float betaRaw,
      double[] stats, int sOff, float[] w, int wOff, double[] dw, double[] dk, float[] dMem, int dmOff, float[] dKey,
      int dkOff) {
    double beta = softplus(betaRaw);
    double kn = norm(key, kOff, m);
    softmaxBackward(w, wOff, dw, n);
    double[] dz = dw;
    double dBeta = 0;
    java.util.Arrays.fill(dk, 0, m, 0);
    double dKn = 0;
    for (int i = 0; i < n; i++) {
      int r = mOff + i * m;
      double mn = stats[sOff + i];
      double dot = stats[sOff + n + i];
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

  /**
   * Shift weighting {@code s} [2S+1] into {@code sOut}; shifted weighting into {@code w}; {@code z}
   * is scratch [2S+1]. Needs 2S+1 <= n, as {@link NtmSpec} requires.
   */
  static void shiftForward(float[] wg, int gOff, float[] sRaw, int rOff, int range, int n, double[] z, float[] sOut,
      int sOff, float[] w, int wOff) {
    int k = 2 * range + 1;
    for (int j = 0; j < k; j++) {
      z[j] = sRaw[rOff + j];
    }
    softmax(z, k, sOut, sOff);
    for (int i = 0; i < n; i++) {
      double acc = 0;
      for (int j = 0; j < k; j++) {
        acc += wg[gOff + wrap(i - (j - range), n)] * (double) sOut[sOff + j];
      }
      w[wOff + i] = (float) acc;
    }
  }

  /**
   * Adds into {@code dWg}; adds the gradient of the raw shift logits into {@code dSRaw}; {@code ds}
   * is scratch [2S+1].
   */
  static void shiftBackward(float[] wg, int gOff, int range, int n, float[] s, int sOff, double[] dw, double[] dWg,
      double[] ds, float[] dSRaw, int dsOff) {
    int k = 2 * range + 1;
    java.util.Arrays.fill(ds, 0, k, 0);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        int src = wrap(i - (j - range), n);
        dWg[src] += dw[i] * s[sOff + j];
        ds[j] += dw[i] * wg[gOff + src];
      }
    }
    softmaxBackward(s, sOff, ds, k);
    for (int j = 0; j < k; j++) {
      dSRaw[dsOff + j] += (float) ds[j];
    }
  }

  /** {@code i mod n} for i in [-n, 2n): a shift's source slot, without floorMod's division. */
  private static int wrap(int i, int n) {
    return i < 0 ? i + n : i >= n ? i - n : i;
  }

  // ---- sharpening: w_i = ws_i^gamma / sum_j ws_j^gamma = softmax(gamma ln(ws + EPS)), gamma = 1 + softplus(gammaRaw)

  /** {@code z} is scratch [n]. */
  static void sharpenForward(float[] ws, int sOff, float gammaRaw, int n, double[] z, float[] w, int wOff) {
    double gamma = 1 + softplus(gammaRaw);
    for (int i = 0; i < n; i++) {
      z[i] = gamma * Math.log(ws[sOff + i] + EPS);
    }
    softmax(z, n, w, wOff);
  }

  /** Given the output {@code w} and {@code dw} (overwritten): adds into {@code dWs}; returns the gradient of the raw gamma. */
  static double sharpenBackward(float[] ws, int sOff, float gammaRaw, int n, float[] w, int wOff, double[] dw,
      double[] dWs) {
    double gamma = 1 + softplus(gammaRaw);
    softmaxBackward(w, wOff, dw, n);
    double[] dz = dw;
    double dGamma = 0;
    for (int i = 0; i < n; i++) {
      double p = ws[sOff + i] + EPS;
      dGamma += dz[i] * Math.log(p);
      dWs[i] += dz[i] * gamma / p;
    }
    return dGamma * sigmoid(gammaRaw);
  }

  // ---- read: r_j = sum_i w_i M_ij

  /** {@code acc} is scratch [m]. */
  static void readForward(float[] mem, int mOff, int n, int m, float[] w, int wOff, double[] acc, float[] r, int rOff) {
    // slot by slot, along the memory's rows: each r_j still sums over i in order, in acc[j]
    java.util.Arrays.fill(acc, 0, m, 0);
    for (int i = 0; i < n; i++) {
      double wi = w[wOff + i];
      int row = mOff + i * m;
      for (int j = 0; j < m; j++) {
        acc[j] += wi * mem[row + j];
      }
    }
    for (int j = 0; j < m; j++) {
      r[rOff + j] = (float) acc[j];
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

  /** Doubles of scratch that {@link #writeForward} and {@link #writeBackward} need. */
  static int writeScratch(int heads, int m) {
    return 3 * heads * m;
  }

  /** The erase vectors e_h = sigmoid(eRaw_h) into {@code e[h*m..]}: once per row, not once per memory entry. */
  private static void erase(int m, int heads, float[] eRaw, int[] eOff, double[] e) {
    for (int h = 0; h < heads; h++) {
      for (int j = 0; j < m; j++) {
        e[h * m + j] = sigmoid(eRaw[eOff[h] + j]);
      }
    }
  }

  /**
   * {@code memOut = write(mem)} with {@code heads} write heads: weighting of head h at
   * {@code w[wOff + h*n]}, raw erase at {@code eRaw[eOff[h]]}, add at {@code add[aOff[h]]};
   * {@code scratch} has {@link #writeScratch} doubles.
   */
  static void writeForward(float[] mem, int mOff, int n, int m, int heads, float[] w, int wOff, float[] eRaw,
      int[] eOff, float[] add, int[] aOff, double[] scratch, float[] memOut, int oOff) {
    double[] e = scratch;
    erase(m, heads, eRaw, eOff, e);
    if (heads == 1) {
      writeForwardOneHead(mem, mOff, n, m, w, wOff, e, add, aOff[0], memOut, oOff);
      return;
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double keep = 1;
        double plus = 0;
        for (int h = 0; h < heads; h++) {
          double wi = w[wOff + h * n + i];
          keep *= 1 - wi * e[h * m + j];
          plus += wi * add[aOff[h] + j];
        }
        memOut[oOff + i * m + j] = (float) (mem[mOff + i * m + j] * keep + plus);
      }
    }
  }

  /**
   * {@link #writeForward} for one head (the paper's setup), without the loops over heads that cost
   * the general form most of its time; the same arithmetic (keep = 1 · f is exact, and 0 + w a
   * differs from w a only in the sign of a zero).
   */
  private static void writeForwardOneHead(float[] mem, int mOff, int n, int m, float[] w, int wOff, double[] e,
      float[] add, int aOff, float[] memOut, int oOff) {
    for (int i = 0; i < n; i++) {
      double wi = w[wOff + i];
      int r = i * m;
      for (int j = 0; j < m; j++) {
        memOut[oOff + r + j] = (float) (mem[mOff + r + j] * (1 - wi * e[j]) + wi * add[aOff + j]);
      }
    }
  }

  /**
   * Backward of {@link #writeForward} from {@code dOut} (gradient of the written memory): adds into
   * {@code dMem}, the weightings' gradients {@code dW[h][i]}, and the raw erase and add gradients;
   * {@code scratch} has {@link #writeScratch} doubles.
   */
  static void writeBackward(float[] mem, int mOff, int n, int m, int heads, float[] w, int wOff, float[] eRaw,
      int[] eOff, float[] add, int[] aOff, float[] dOut, int doOff, float[] dMem, int dmOff, double[][] dW,
      float[] dERaw, float[] dAdd, double[] scratch) {
    double[] e = scratch; // [heads*m], then dE [heads*m], then f [heads*m]
    int dE = heads * m;
    int f = 2 * heads * m;
    erase(m, heads, eRaw, eOff, e);
    java.util.Arrays.fill(scratch, dE, f, 0);
    if (heads == 1) {
      writeBackwardOneHead(mem, mOff, n, m, w, wOff, e, add, aOff[0], dOut, doOff, dMem, dmOff, dW[0], scratch, dE, dAdd);
    } else {
      writeBackwardHeads(mem, mOff, n, m, heads, w, wOff, e, add, aOff, dOut, doOff, dMem, dmOff, dW, scratch, dE, f,
          dAdd);
    }
    for (int h = 0; h < heads; h++) {
      for (int j = 0; j < m; j++) {
        double eh = e[h * m + j];
        dERaw[eOff[h] + j] += (float) (scratch[dE + h * m + j] * eh * (1 - eh));
      }
    }
  }

  /**
   * The memory, weighting, erase (into {@code dE[dEOff..]}, before the sigmoid) and add gradients of
   * a write with one head, in one pass: the same arithmetic as {@link #writeBackwardHeads} (keep = f
   * and others = 1 are exact there), about 3 x faster without its loops over heads.
   */
  private static void writeBackwardOneHead(float[] mem, int mOff, int n, int m, float[] w, int wOff, double[] e,
      float[] add, int aOff, float[] dOut, int doOff, float[] dMem, int dmOff, double[] dW, double[] dE, int dEOff,
      float[] dAdd) {
    for (int i = 0; i < n; i++) {
      int r = i * m;
      double wi = w[wOff + i];
      double dWi = dW[i];
      for (int j = 0; j < m; j++) {
        double g = dOut[doOff + r + j];
        dMem[dmOff + r + j] += (float) (g * (1 - wi * e[j]));
        double dProd = -g * mem[mOff + r + j]; // gradient of w_i e_j
        dWi += dProd * e[j] + g * add[aOff + j];
        dE[dEOff + j] += dProd * wi;
        dAdd[aOff + j] += (float) (g * wi);
      }
      dW[i] = dWi;
    }
  }

  /** The general form of {@link #writeBackwardOneHead}: f [heads*m] at {@code scratch[f..]} is scratch. */
  private static void writeBackwardHeads(float[] mem, int mOff, int n, int m, int heads, float[] w, int wOff,
      double[] e, float[] add, int[] aOff, float[] dOut, int doOff, float[] dMem, int dmOff, double[][] dW,
      double[] scratch, int dE, int f, float[] dAdd) {
    for (int i = 0; i < n; i++) {
      int r = i * m;
      for (int j = 0; j < m; j++) {
        double keep = 1;
        for (int h = 0; h < heads; h++) {
          scratch[f + h * m + j] = 1 - w[wOff + h * n + i] * e[h * m + j];
          keep *= scratch[f + h * m + j];
        }
        dMem[dmOff + r + j] += (float) (dOut[doOff + r + j] * keep);
      }
      // per head over the slot's entries, so that dW[h][i] sums in a register (in the same order)
      for (int h = 0; h < heads; h++) {
        double wi = w[wOff + h * n + i];
        double dWi = dW[h][i];
        for (int j = 0; j < m; j++) {
          double g = dOut[doOff + r + j];
          double others = 1; // the product without head h, not keep / f[h]: f[h] may be 0
          for (int q = 0; q < heads; q++) {
            if (q != h) {
              others *= scratch[f + q * m + j];
            }
          }
          double dProd = -g * mem[mOff + r + j] * others; // gradient of w_hi e_hj
          dWi += dProd * e[h * m + j] + g * add[aOff[h] + j];
          scratch[dE + h * m + j] += dProd * wi;
          dAdd[aOff[h] + j] += (float) (g * wi);
        }
        dW[h][i] = dWi;
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
