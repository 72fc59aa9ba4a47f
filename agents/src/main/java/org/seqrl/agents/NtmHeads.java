package org.seqrl.agents;

import java.util.Arrays;

/**
 * The memory side of one {@link NtmCell} step for one row, forward and backward side by side:
 * the write heads address the previous memory and write to it (erase, then add), then the read
 * heads address the written memory and read from it. The interface row {@code xi} holds every
 * head's addressing (write heads first, {@link NtmSpec#addressWidth} each), then each write head's
 * erase and add vectors. State arrays are the cell's: memory, read vectors, read and write
 * weightings from index {@code memArray} on. One instance per cell run: it keeps each row and
 * head's addressing stages from the forward pass for the backward pass (which used to compute them
 * again), and scratch arrays, so that neither pass allocates per row.
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
  /**
   * Per row and head (row * (W + R) + head, write heads first), the addressing stages of the
   * forward pass: the content weighting, the interpolated one, the shifted one [N each] and the
   * shift weighting [2S+1] ({@link #stageWidth} floats); each slot's norm and dot with the key
   * ({@code 2N} doubles).
   */
  private final float[] stages;
  private final double[] contentStats;
  private final int stageWidth;
  // scratch
  private final double[] z;
  private final double[] writeScratch;
  private final float[] dMem1;
  private final double[] dw;
  private final double[][] dWw;
  private final double[] dWs;
  private final double[] dWg;
  private final double[] dWc;
  private final double[] ds;
  /** Also the read's accumulators in the forward pass. */
  private final double[] dk;

  /** For a run of {@code rows} rows (steps * batch). */
  NtmHeads(NtmSpec spec, int memArray, int rows) {
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
    stageWidth = 3 * slots + 2 * range + 1;
    stages = new float[rows * (reads + writes) * stageWidth];
    contentStats = new double[rows * (reads + writes) * 2 * slots];
    z = new double[slots];
    writeScratch = new double[NtmAddressing.writeScratch(writes, m)];
    dMem1 = new float[slots * m];
    dw = new double[slots];
    dWw = new double[writes][slots];
    dWs = new double[slots];
    dWg = new double[slots];
    dWc = new double[slots];
    ds = new double[2 * range + 1];
    dk = new double[m];
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
      head(mem0, mo, xi, xr + h * aw, wwPrev, wo, wwOut, wo, stage(row, h));
    }
    NtmAddressing.writeForward(mem0, mo, slots, m, writes, wwOut, row * writes * slots, xi, at(eOff, xr, eAt), xi,
        at(aOff, xr, aAt), writeScratch, mem1, mo);
    for (int h = 0; h < reads; h++) {
      int wo = (row * reads + h) * slots;
      head(mem1, mo, xi, xr + (writes + h) * aw, wrPrev, wo, wrOut, wo, stage(row, writes + h));
      NtmAddressing.readForward(mem1, mo, slots, m, wrOut, wo, dk, out[memArray + 1], (row * reads + h) * m);
    }
  }

  /**
   * Backward of {@link #forward} for row {@code row}, batch index {@code i}, in place: on entry
   * {@code dState} ([B, width] per array) holds the gradients of the row's memory-side state after
   * the step; on return the memory's and the weightings' hold those of the state before it, and
   * the interface's gradient is added into {@code dXi} (position-major like {@code xi}). The read
   * vectors' entries are left as they were (the cell replaces them).
   */
  void backward(float[][] prev, float[][] out, float[] xi, int row, int i, float[][] dState, float[] dXi) {
    float[] mem0 = prev[memArray];
    float[] mem1 = out[memArray];
    float[] wrPrev = prev[memArray + 2];
    float[] wwPrev = prev[memArray + 3];
    float[] wrOut = out[memArray + 2];
    float[] wwOut = out[memArray + 3];
    float[] dMem = dState[memArray];
    float[] dWr = dState[memArray + 2];
    float[] dWwState = dState[memArray + 3];
    int mo = row * slots * m;
    int lm = i * slots * m;
    int xr = row * iw;
    // the gradients after the step move to scratch; the row's dState entries then collect those before it
    System.arraycopy(dMem, lm, dMem1, 0, slots * m);
    Arrays.fill(dMem, lm, lm + slots * m, 0f);
    for (int h = reads - 1; h >= 0; h--) {
      int wo = (row * reads + h) * slots;
      int dwo = (i * reads + h) * slots;
      for (int j = 0; j < slots; j++) {
        dw[j] = dWr[dwo + j];
      }
      Arrays.fill(dWr, dwo, dwo + slots, 0f);
      NtmAddressing.readBackward(mem1, mo, slots, m, wrOut, wo, dState[memArray + 1], (i * reads + h) * m, dMem1, 0, dw);
      headBackward(mem1, mo, xi, xr + (writes + h) * aw, wrPrev, wo, wrOut, wo, stage(row, writes + h), dw, dMem1, 0,
          dXi, dWr, dwo);
    }
    for (int h = 0; h < writes; h++) {
      int dwo = (i * writes + h) * slots;
      for (int j = 0; j < slots; j++) {
        dWw[h][j] = dWwState[dwo + j];
      }
      Arrays.fill(dWwState, dwo, dwo + slots, 0f);
    }
    NtmAddressing.writeBackward(mem0, mo, slots, m, writes, wwOut, row * writes * slots, xi, at(eOff, xr, eAt), xi,
        at(aOff, xr, aAt), dMem1, 0, dMem, lm, dWw, dXi, dXi, writeScratch);
    for (int h = writes - 1; h >= 0; h--) {
      int wo = (row * writes + h) * slots;
      headBackward(mem0, mo, xi, xr + h * aw, wwPrev, wo, wwOut, wo, stage(row, h), dWw[h], dMem, lm, dXi, dWwState,
          (i * writes + h) * slots);
    }
  }

  /** Index of row {@code row}'s head {@code head} (write heads first) in the stage arrays. */
  private int stage(int row, int head) {
    return row * (reads + writes) + head;
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
   * {@code hOff} and the head's previous weighting; the chain's stages are kept at index {@code q}
   * for {@link #headBackward}.
   */
  private void head(float[] mem, int mOff, float[] xi, int hOff, float[] wPrev, int pOff, float[] w, int wOff, int q) {
    int wc = q * stageWidth;
    int wg = wc + slots;
    int ws = wg + slots;
    int s = ws + slots;
    NtmAddressing.contentForward(mem, mOff, slots, m, xi, hOff, xi[hOff + m], contentStats, q * 2 * slots, z, stages,
        wc);
    NtmAddressing.interpolateForward(stages, wc, wPrev, pOff, xi[hOff + m + 1], slots, stages, wg);
    NtmAddressing.shiftForward(stages, wg, xi, hOff + m + 2, range, slots, z, stages, s, stages, ws);
    NtmAddressing.sharpenForward(stages, ws, xi[hOff + m + 2 * range + 3], slots, z, w, wOff);
  }

  /**
   * Backward of {@link #head} from the stages it kept at {@code q}: from {@code dw} (overwritten),
   * adds into dMem, dXi (at hOff) and dWPrev.
   */
  private void headBackward(float[] mem, int mOff, float[] xi, int hOff, float[] wPrev, int pOff, float[] w, int wOff,
      int q, double[] dw, float[] dMem, int dmOff, float[] dXi, float[] dWPrev, int dpOff) {
    int wc = q * stageWidth;
    int wg = wc + slots;
    int ws = wg + slots;
    int s = ws + slots;
    int gamma = hOff + m + 2 * range + 3;
    Arrays.fill(dWs, 0);
    Arrays.fill(dWg, 0);
    Arrays.fill(dWc, 0);
    dXi[gamma] += (float) NtmAddressing.sharpenBackward(stages, ws, xi[gamma], slots, w, wOff, dw, dWs);
    NtmAddressing.shiftBackward(stages, wg, range, slots, stages, s, dWs, dWg, ds, dXi, hOff + m + 2);
    dXi[hOff + m + 1] += (float) NtmAddressing.interpolateBackward(stages, wc, wPrev, pOff, xi[hOff + m + 1], slots,
        dWg, dWc, dWPrev, dpOff);
    dXi[hOff + m] += (float) NtmAddressing.contentBackward(mem, mOff, slots, m, xi, hOff, xi[hOff + m], contentStats,
        q * 2 * slots, stages, wc, dWc, dk, dMem, dmOff, dXi, hOff);
  }
}
