package org.seqrl.agents;

import java.util.Arrays;

/**
 * The encoder outputs as the decoder rows see them: row r reads source {@code sourceOfRow[r]}
 * (k samples or beams of a source are k rows). Values and keys are gathered per row once, so that
 * the attention loops of every step run over arrays that share one layout ({@code [R*S*width]})
 * and vectorise; gradients are collected per row and folded into the sources at the end.
 *
 * <p>Also the math both attentions share: masked softmax over a row's valid positions, the
 * weighted sum of values, and its backward.
 */
final class SourceRows {
  /**
   * Rows per thread below which the per-row attention loops stay on one thread ({@link RowSplit}): a
   * row's [S, width] block is some thousands of floats, microseconds of work.
   */
  static final int ROWS_PER_THREAD = 8;

  final int rows;
  /** Padded source length S. */
  final int len;
  final int valueWidth;
  final int keyWidth;
  final int[] sourceOfRow;
  /** Valid positions of each row's source. */
  final int[] lengths;
  /** [R*S*D] encoder outputs, row-major by (row, position). */
  final float[] values;
  /** [R*S*K] attention keys. */
  final float[] keys;
  /** Gradients per row, allocated by the first backward. */
  float[] dValues;
  float[] dKeys;

  SourceRows(int[] sourceOfRow, int len, int[] sourceLengths, float[] values, int valueWidth, float[] keys, int keyWidth) {
    this.rows = sourceOfRow.length;
    this.len = len;
    this.valueWidth = valueWidth;
    this.keyWidth = keyWidth;
    this.sourceOfRow = sourceOfRow;
    this.lengths = new int[rows];
    boolean id = rows == sourceLengths.length;
    for (int r = 0; r < rows; r++) {
      lengths[r] = sourceLengths[sourceOfRow[r]];
      id &= sourceOfRow[r] == r;
    }
    this.values = id ? values : Mat.gatherRows(values, len * valueWidth, sourceOfRow);
    this.keys = id ? keys : Mat.gatherRows(keys, len * keyWidth, sourceOfRow);
  }

  void allocateGradients() {
    if (dValues == null) {
      dValues = new float[values.length];
      dKeys = new float[keys.length];
    }
  }

  /** Adds the per-row gradients into the sources' ({@code [B*S*D]} and {@code [B*S*K]}). */
  void foldGradients(float[] dSourceValues, float[] dSourceKeys) {
    if (dValues == null) {
      return;
    }
    Mat.scatterAddRows(dSourceValues, 0, len * valueWidth, dValues, 0, sourceOfRow, rows);
    Mat.scatterAddRows(dSourceKeys, 0, len * keyWidth, dKeys, 0, sourceOfRow, rows);
  }

  /** Softmax in place over each row's valid scores {@code e[r*S .. r*S+len_r)}; padded positions stay 0. */
  void softmax(float[] e) {
    for (int r = 0; r < rows; r++) {
      int off = r * len;
      int n = lengths[r];
      if (n == 0) {
        continue; // an empty source gives no weights and a zero context
      }
      float max = Float.NEGATIVE_INFINITY;
      for (int s = 0; s < n; s++) {
        max = Math.max(max, e[off + s]);
      }
      float sum = 0f;
      for (int s = 0; s < n; s++) {
        float v = (float) Math.exp(e[off + s] - max);
        e[off + s] = v;
        sum += v;
      }
      float inv = 1f / sum;
      for (int s = 0; s < n; s++) {
        e[off + s] *= inv;
      }
      Arrays.fill(e, off + n, off + len, 0f);
    }
  }

  /** {@code ctx[r] = sum_s alpha[r, s] values[r, s]}, [R, D]. */
  float[] context(float[] alpha) {
    int d = valueWidth;
    float[] ctx = new float[rows * d];
    RowSplit.run(rows, ROWS_PER_THREAD, (from, to) -> {
      for (int r = from; r < to; r++) {
        for (int s = 0; s < lengths[r]; s++) {
          Mat.axpy(alpha[r * len + s], values, (r * len + s) * d, ctx, r * d, d);
        }
      }
    });
    return ctx;
  }

  /**
   * Backward of {@link #context} then of {@link #softmax}: from the gradient of the context
   * ({@code dCtx} rows at {@code dOff}, leading dimension {@code ld}) adds into {@link #dValues}
   * and returns the gradient of the scores [R*S].
   */
  float[] contextBackward(float[] alpha, float[] dCtx, int dOff, int ld) {
    return contextBackward(alpha, dCtx, dOff, ld, null);
  }

  /** {@link #contextBackward(float[], float[], int, int)} where the weights also reach the loss another way, with gradient {@code dAlphaOther} [R*S] (or null). */
  float[] contextBackward(float[] alpha, float[] dCtx, int dOff, int ld, float[] dAlphaOther) {
    allocateGradients();
    int d = valueWidth;
    float[] de = new float[rows * len];
    float[] dv = dValues;
    RowSplit.run(rows, ROWS_PER_THREAD, (from, to) -> {
      for (int r = from; r < to; r++) {
        float inner = 0f;
        int co = dOff + r * ld;
        for (int s = 0; s < lengths[r]; s++) {
          int vo = (r * len + s) * d;
          float a = alpha[r * len + s];
          float dAlpha = Mat.dot(values, vo, dCtx, co, d) + (dAlphaOther != null ? dAlphaOther[r * len + s] : 0f);
          Mat.axpy(a, dCtx, co, dv, vo, d);
          de[r * len + s] = dAlpha;
          inner += a * dAlpha;
        }
        for (int s = 0; s < lengths[r]; s++) {
          de[r * len + s] = alpha[r * len + s] * (de[r * len + s] - inner);
        }
      }
    });
    return de;
  }
}
