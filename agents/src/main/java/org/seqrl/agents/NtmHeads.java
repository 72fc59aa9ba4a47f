package org.seqrl.agents;

/**
 * The memory side of one {@link NtmCell} step for one row, forward and backward side by side:
 * the write heads address the previous memory and write to it (erase, then add), then the read
 * heads address the written memory and read from it. The interface row {@code xi} holds every
 * head's addressing (write heads first, {@link NtmSpec#addressWidth} each), then each write head's
 * erase and add vectors. State arrays are the cell's: memory, read vectors, read and write
 * weightings from index {@code memArray} on. One instance per cell run: it keeps the addressing
 * chain's scratch arrays, so a forward step allocates nothing.
 */
final class NtmHeads {
  private final int slots;
  private final int m;
  private final int reads;
  private final int writes;
  private final int range;
  private final int iw;
  private final int aw;
  private final int memArray;
  /** Offsets of each write head's erase and add vectors in an interface row, and those of the row at hand. */
  private final int[] eOff;
  private final int[] aOff;
  private final int[] eAt;
  private final int[] aAt;
  private final float[] wc;
  private final float[] wg;
  private final float[] s;
  private final float[] ws;

  NtmHeads(NtmSpec spec, int memArray) {
    this.slots = spec.slots();
    this.m = spec.width();
    this.reads = spec.readHeads();
    this.writes = spec.writeHeads();
    this.range = spec.shiftRange();
    this.iw = spec.interfaceWidth();
    this.aw = spec.addressWidth();
    this.memArray = memArray;
    eOff = new int[writes];
    aOff = new int[writes];
    eAt = new int[writes];
    aAt = new int[writes];
    for (int h = 0; h < writes; h++) {
      eOff[h] = (reads + writes) * aw + 2 * h * m;
      aOff[h] = eOff[h] + m;
    }
    wc = new float[slots];
    wg = new float[slots];
    s = new float[2 * range + 1];
    ws = new float[slots];
  }

  /** Row {@code row} (position-major, t * batch + i) of {@code out}'s memory arrays from {@code prev}'s and the interface. */
  void forward(float[][] prev, float[][] out, float[] xi, int row) {
    float[] mem0 = prev[memArray];
    float[] mem1 = out[memArray];
    float[] wrPrev = prev[memArray + 2];
    float[] wwPrev = prev[memArray + 3];
    float[] wrOut = out[memArray + 2];
    float[] wwOut = out[memArray + 3];
    int mo = row * slots * m;
    int xr = row * iw;
    for (int h = 0; h < writes; h++) {
      int wo = (row * writes + h) * slots;
      head(mem0, mo, xi, xr + h * aw, wwPrev, wo, wwOut, wo);
    }
    NtmAddressing.writeForward(mem0, mo, slots, m, writes, wwOut, row * writes * slots, xi, at(eOff, xr, eAt), xi,
        at(aOff, xr, aAt), mem1, mo);
    for (int h = 0; h < reads; h++) {
      int wo = (row * reads + h) * slots;
      head(mem1, mo, xi, xr + (writes + h) * aw, wrPrev, wo, wrOut, wo);
      NtmAddressing.readForward(mem1, mo, slots, m, wrOut, wo, out[memArray + 1], (row * reads + h) * m);
    }
  }

  /**
   * Backward of {@link #forward} for row {@code row}, batch index {@code i}: from the gradients of
   * the row's memory-side state after the step ({@code dState}, [B, width] per array), adds into
   * the gradients of that state before it ({@code dMem0}, {@code dWrPrev}, {@code dWwPrev}, [B, width])
   * and of the interface ({@code dXi}, position-major like {@code xi}).
   */
  void backward(float[][] prev, float[][] out, float[] xi, int row, int i, float[][] dState, float[] dMem0,
      float[] dWrPrev, float[] dWwPrev, float[] dXi) {
    float[] mem0 = prev[memArray];
    float[] mem1 = out[memArray];
    float[] wrPrev = prev[memArray + 2];
    float[] wwPrev = prev[memArray + 3];
    float[] wrOut = out[memArray + 2];
    float[] wwOut = out[memArray + 3];
    int mo = row * slots * m;
    int lm = i * slots * m;
    int xr = row * iw;
    float[] dMem1 = java.util.Arrays.copyOfRange(dState[memArray], lm, lm + slots * m);
    for (int h = reads - 1; h >= 0; h--) {
      int wo = (row * reads + h) * slots;
      double[] dw = new double[slots];
      for (int j = 0; j < slots; j++) {
        dw[j] = dState[memArray + 2][(i * reads + h) * slots + j];
      }
      NtmAddressing.readBackward(mem1, mo, slots, m, wrOut, wo, dState[memArray + 1], (i * reads + h) * m, dMem1, 0, dw);
      head(mem1, mo, xi, xr + (writes + h) * aw, wrPrev, wo, new float[slots], 0);
      headBackward(mem1, mo, xi, xr + (writes + h) * aw, wrPrev, wo, wrOut, wo, dw, dMem1, 0, dXi, dWrPrev,
          (i * reads + h) * slots);
    }
    double[][] dWw = new double[writes][slots];
    for (int h = 0; h < writes; h++) {
      for (int j = 0; j < slots; j++) {
        dWw[h][j] = dState[memArray + 3][(i * writes + h) * slots + j];
      }
    }
    NtmAddressing.writeBackward(mem0, mo, slots, m, writes, wwOut, row * writes * slots, xi, at(eOff, xr, eAt), xi,
        at(aOff, xr, aAt), dMem1, 0, dMem0, lm, dWw, dXi, dXi);
    for (int h = writes - 1; h >= 0; h--) {
      int wo = (row * writes + h) * slots;
      head(mem0, mo, xi, xr + h * aw, wwPrev, wo, new float[slots], 0);
      headBackward(mem0, mo, xi, xr + h * aw, wwPrev, wo, wwOut, wo, dWw[h], dMem0, lm, dXi, dWwPrev,
          (i * writes + h) * slots);
    }
  }

  /** {@code offsets} shifted by {@code by}, into {@code into}. */
  private static int[] at(int[] offsets, int by, int[] into) {
    for (int h = 0; h < into.length; h++) {
      into[h] = offsets[h] + by;
    }
    return into;
  }

  /**
   * One head's addressing chain: its weighting into {@code w[wOff..]} from memory, the interface at
   * {@code hOff} and the head's previous weighting; the chain's stages stay in the scratch arrays
   * for {@link #headBackward}.
   */
  private void head(float[] mem, int mOff, float[] xi, int hOff, float[] wPrev, int pOff, float[] w, int wOff) {
    NtmAddressing.contentForward(mem, mOff, slots, m, xi, hOff, xi[hOff + m], wc, 0);
    NtmAddressing.interpolateForward(wc, 0, wPrev, pOff, xi[hOff + m + 1], slots, wg, 0);
    NtmAddressing.shiftForward(wg, 0, xi, hOff + m + 2, range, slots, s, 0, ws, 0);
    NtmAddressing.sharpenForward(ws, 0, xi[hOff + m + 2 * range + 3], slots, w, wOff);
  }

  /** After {@link #head} with the same arguments: from {@code dw}, adds into dMem, dXi (at hOff) and dWPrev. */
  private void headBackward(float[] mem, int mOff, float[] xi, int hOff, float[] wPrev, int pOff, float[] w, int wOff,
      double[] dw, float[] dMem, int dmOff, float[] dXi, float[] dWPrev, int dpOff) {
    int gamma = hOff + m + 2 * range + 3;
    double[] dWs = new double[slots];
    dXi[gamma] += (float) NtmAddressing.sharpenBackward(ws, 0, xi[gamma], slots, w, wOff, dw, dWs);
    double[] dWg = new double[slots];
    NtmAddressing.shiftBackward(wg, 0, range, slots, s, 0, dWs, dWg, dXi, hOff + m + 2);
    double[] dWc = new double[slots];
    dXi[hOff + m + 1] += (float) NtmAddressing.interpolateBackward(wc, 0, wPrev, pOff, xi[hOff + m + 1], slots, dWg,
        dWc, dWPrev, dpOff);
    dXi[hOff + m] += (float) NtmAddressing.contentBackward(mem, mOff, slots, m, xi, hOff, xi[hOff + m], wc, 0, dWc,
        dMem, dmOff, dXi, hOff);
  }
}
