package org.seqrl.agents;

import org.seqrl.agents.Params.Param;

/**
 * A transformer's input: {@code sqrt(D) E[id] + position(t)}. The scale keeps the embedding at
 * the positions' magnitude when E (initialised at {@code D^-1/2}) is also the tied output layer.
 */
final class TokenEmbedding {
  final Param table;
  private final Positions positions;
  private final int d;
  private final float scale;

  TokenEmbedding(Param table, Positions positions) {
    this.table = table;
    this.positions = positions;
    this.d = table.cols;
    this.scale = (float) Math.sqrt(d);
  }

  /** Writes the input of token {@code id} at position {@code t} into {@code x[off..off+D)}. */
  void forward(int id, int t, float[] x, int off) {
    for (int j = 0; j < d; j++) {
      x[off + j] = scale * table.value[id * d + j];
    }
    positions.add(t, x, off);
  }

  /** Adds the gradients of row {@code dx[off..off+D)} into the token's row and the position's. */
  void backward(int id, int t, float[] dx, int off) {
    Mat.axpy(scale, dx, off, table.grad, id * d, d);
    positions.backward(t, dx, off);
  }
}
