package org.seqrl.agents;

import org.seqrl.agents.Seq2SeqConfig.LayerConnections;
import org.seqrl.agents.Seq2SeqConfig.SkipCarries;

/**
 * What each layer of a stack (the encoder's or the decoder's) reads from the layers below it, and
 * the backward of that. Layer l >= 1 reads the output of layer l − 1 itself unless it
 * {@link #gathers} its input from several layers: under {@link LayerConnections#DENSE} (l > 1) the
 * outputs of every layer below side by side, {@code [y(0), ..., y(l−1)]}; under
 * {@link LayerConnections#SKIP} (l >= k) the output of layer l − 1 and what layer l − k carries,
 * {@code [y(l−1), y(l−k)]} or {@code [y(l−1), y(l−k), c(l−k)]} with c the recurrent state a cell
 * keeps beside its output (state array 1: an LSTM's c). Side by side rather than added: a layer
 * learns its own weights for each source, and an LSTM's c, which no squashing bounds, is not
 * summed with outputs in (−1, 1). Under {@link LayerConnections#RESIDUAL} a layer passes up its
 * output plus its input (the caller adds it). Arrays are row-major {@code [rows, width]};
 * {@code rowOff} selects rows (a decoder step's slot). Called once per layer and step (or pass).
 */
final class Stacking {
  private final LayerConnections kind;
  private final int layers;
  /** Width of every layer's output above the input (and of a carried state). */
  private final int width;
  private final int distance;
  private final boolean carriesState;

  Stacking(LayerConnections kind, int layers, int width, int distance, SkipCarries carries) {
    this.kind = kind;
    this.layers = layers;
    this.width = width;
    this.distance = distance;
    this.carriesState = kind == LayerConnections.SKIP && carries == SkipCarries.OUTPUT_AND_STATE;
  }

  /** The stack of {@code layers} layers of outputs {@code width} wide under {@code cfg}'s connections. */
  static Stacking of(Seq2SeqConfig cfg, int layers, int width) {
    return new Stacking(cfg.layerConnections(), layers, width, cfg.skipDistance(), cfg.skipCarries());
  }

  /** Whether layers above the first pass up their output plus their input. */
  boolean residual() {
    return kind == LayerConnections.RESIDUAL;
  }

  /** Input width of layer l >= 1. */
  int inputWidth(int l) {
    if (kind == LayerConnections.DENSE) {
      return l * width;
    }
    return skips(l) ? (carriesState ? 3 : 2) * width : width;
  }

  /** Whether layer l >= 1 reads a gathered input rather than the output of layer l − 1 itself. */
  boolean gathers(int l) {
    return kind == LayerConnections.DENSE ? l > 1 : skips(l);
  }

  private boolean skips(int l) {
    return kind == LayerConnections.SKIP && l >= distance;
  }

  /** Whether a layer above reads layer j's recurrent state (then the caller hands it to {@link #gather}). */
  boolean readsState(int j) {
    return carriesState && j + distance < layers;
  }

  /**
   * x[rowOff.., inputWidth(l)] = what layer l reads of those rows: from {@code outs[j]} (outputs)
   * and {@code states[j]} (carried states, only where {@link #readsState}), laid out as the outputs.
   */
  void gather(float[][] outs, float[][] states, int l, int rowOff, int rows, float[] x) {
    if (kind == LayerConnections.DENSE) {
      int w = l * width;
      for (int r = rowOff; r < rowOff + rows; r++) {
        for (int j = 0; j < l; j++) {
          System.arraycopy(outs[j], r * width, x, r * w + j * width, width);
        }
      }
      return;
    }
    int w = inputWidth(l);
    float[] below = outs[l - 1];
    float[] skipped = outs[l - distance];
    float[] state = carriesState ? states[l - distance] : null;
    for (int r = rowOff; r < rowOff + rows; r++) {
      System.arraycopy(below, r * width, x, r * w, width);
      System.arraycopy(skipped, r * width, x, r * w + width, width);
      if (state != null) {
        System.arraycopy(state, r * width, x, r * w + 2 * width, width);
      }
    }
  }

  /**
   * Backward of {@link #gather} over all rows: dOuts[j] and dStates[j] += their blocks of {@code dX}
   * (each allocated when null).
   */
  void scatter(float[] dX, int l, int rows, float[][] dOuts, float[][] dStates) {
    if (kind == LayerConnections.DENSE) {
      int w = l * width;
      for (int j = 0; j < l; j++) {
        float[] d = block(dOuts, j, rows);
        for (int r = 0; r < rows; r++) {
          Mat.axpy(1f, dX, r * w + j * width, d, r * width, width);
        }
      }
      return;
    }
    int w = inputWidth(l);
    float[] below = block(dOuts, l - 1, rows);
    float[] skipped = block(dOuts, l - distance, rows);
    float[] state = carriesState ? block(dStates, l - distance, rows) : null;
    for (int r = 0; r < rows; r++) {
      Mat.axpy(1f, dX, r * w, below, r * width, width);
      Mat.axpy(1f, dX, r * w + width, skipped, r * width, width);
      if (state != null) {
        Mat.axpy(1f, dX, r * w + 2 * width, state, r * width, width);
      }
    }
  }

  private float[] block(float[][] d, int j, int rows) {
    if (d[j] == null) {
      d[j] = new float[rows * width];
    }
    return d[j];
  }
}
