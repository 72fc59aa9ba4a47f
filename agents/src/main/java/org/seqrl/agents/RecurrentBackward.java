package org.seqrl.agents;

import org.seqrl.agents.Decoder.EncodingGradient;
import org.seqrl.agents.Params.Param;

/**
 * The backward of a {@link RecurrentDecoder}'s pass, kept from its forward: the output layer, output
 * dropout and attention outputs, each layer's cell run in reverse time from the top down (with the
 * norm-stabilizer's, the step critic's and skip connections' gradients added in), the layer connections, the
 * embeddings, the bridge, the attention keys and an NTM's start memory, into the gradient of the encoding.
 */
final class RecurrentBackward {
  private RecurrentBackward() {}

  static EncodingGradient backward(RecurrentDecoder d, RecurrentDecoder.RecurrentPass p, float[] dLogits, float[] dFeatures) {
    Blas blas = d.blas;
    Param embedding = d.embedding;
    Bridge bridge = d.bridge;
    RecurrentCell[] cells = d.cells;
    DecoderAttention attention = d.attention;
    OutputLayer output = d.output;
    int emb = d.emb;
    int hidden = d.hidden;
    int encWidth = d.encWidth;
    int layers = d.layers;
    boolean residual = d.residual;
    Stacking stacking = d.stacking;
    int[] inWidth = d.inWidth;
    Encoding en = p.en;
    int[] srcOf = p.srcOf;
    int rows = p.rows;
    int steps = p.steps;
    boolean drop = p.drop;
    SourceRows src = p.src;
    DecoderAttention.Pass att = p.att;
    CellRun[] runs = p.runs;
    float[][] xs = p.xs;
    float[][] masks = p.masks;
    float[][] ys = p.ys;
    float[] bridgeIn = p.bridgeIn;
    float[] s0Src = p.s0Src;
    int[] inIds = p.inIds;
    float[][] nsOut = p.nsOut;
    float[][] nsPrev = p.nsPrev;
    int r = rows;
    int tt = steps;
    int all = tt * r;
    int rh = r * hidden;
    // gradient of what each layer passes up, from the top down
    float[][] dYs = new float[layers][];
    // gradient of each layer's carried state (skip connections), where a layer above reads it
    float[][] dCs = new float[layers][];
    float[] dRead = output.backward(p.outputInput(), dLogits, all);
    if (p.outMask != null) {
      Dropout.backward(p.outMask, dRead, 0);
    }
    dYs[layers - 1] = att.outputsBackward(dRead, ys[layers - 1]);
    float[] dS0 = new float[en.batch * layers * hidden];
    float[][] dFirstState = null;
    for (int l = layers - 1; l >= 0; l--) {
      CellRun run = runs[l];
      float[] dY = dYs[l];
      float[] dC = dCs[l];
      float[][] dState = new float[cells[l].stateArrays()][];
      for (int k = 0; k < dState.length; k++) {
        dState[k] = new float[r * cells[l].stateWidth(k)];
      }
      if (l == 0) {
        dFirstState = dState;
      }
      float[] dh = dState[0];
      for (int t = tt - 1; t >= 0; t--) {
        int o = run.at(t);
        Mat.axpy(1f, dY, o, dh, 0, rh);
        if (nsOut != null) {
          Mat.axpy(1f, nsOut[l], o, dh, 0, rh);
        }
        if (dC != null) {
          Mat.axpy(1f, dC, o, dState[1], 0, rh);
        }
        run.backward(blas, t, dState);
        if (l == 0) {
          att.stepBackward(t, run, dh);
        }
        if (dFeatures != null && l == layers - 1) {
          Mat.axpy(1f, dFeatures, o, dh, 0, rh);
        }
        if (nsPrev != null) {
          Mat.axpy(1f, nsPrev[l], o, dh, 0, rh);
        }
      }
      run.accumulateRecurrent(blas);
      // the bridge: layer l's initial h, shared by the rows of one source
      for (int i = 0; i < r; i++) {
        Mat.axpy(1f, dh, i * hidden, dS0, (srcOf[i] * layers + l) * hidden, hidden);
      }
      if (l > 0) {
        int w = inWidth[l];
        run.accumulateInput(blas, xs[l], w, 0);
        float[] dX = new float[all * w];
        run.addInputGradient(blas, 0, tt, dX, 0, w, 0);
        if (residual) {
          Mat.axpy(1f, dY, 0, dX, 0, dX.length);
        }
        if (drop) {
          float[] m = masks[l];
          for (int i = 0; i < dX.length; i++) {
            dX[i] *= m[i];
          }
        }
        if (stacking.gathers(l)) {
          stacking.scatter(dX, l, all, dYs, dCs);
        } else if (dYs[l - 1] == null) {
          dYs[l - 1] = dX;
        } else {
          Mat.axpy(1f, dX, 0, dYs[l - 1], 0, dX.length); // dense or skip: the layers above already added theirs
        }
      }
    }
    CellRun first = runs[0];
    first.accumulateInput(blas, p.inputEmbeddings(), emb, 0);
    att.finishBackward(first);
    float[] dEmb = new float[all * emb];
    first.addInputGradient(blas, 0, tt, dEmb, 0, emb, 0);
    if (p.embMask != null) {
      Dropout.backward(p.embMask, dEmb, 0);
    }
    Mat.scatterAddRows(embedding.grad, 0, emb, dEmb, 0, inIds, all);
    float[] dBsd = src != null || bridge.readsOutputs() ? new float[en.batch * en.len * encWidth] : null;
    float[] dFin = bridge.backward(en, bridgeIn, s0Src, dS0, dBsd);
    if (src != null) {
      float[] dKeys = new float[en.keys.length];
      src.foldGradients(dBsd, dKeys);
      attention.keysBackward(en.bsd, dKeys, en.batch * en.len, dBsd);
    }
    float[][] dMemory = null;
    if (d.firstFromEncoder < dFirstState.length) {
      dMemory = new float[dFirstState.length][];
      for (int k = d.firstFromEncoder; k < dFirstState.length; k++) {
        int w = cells[0].stateWidth(k);
        dMemory[k] = new float[en.batch * w];
        Mat.scatterAddRows(dMemory[k], 0, w, dFirstState[k], 0, srcOf, r);
      }
    }
    return new EncodingGradient(dBsd, dFin, dMemory);
  }
}
