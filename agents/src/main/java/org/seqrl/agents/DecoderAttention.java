package org.seqrl.agents;

import org.seqrl.agents.Seq2SeqConfig.Attention;

/**
 * Attention of a recurrent decoder over the encoder outputs, one kind per class
 * ({@link NoAttention}, {@link AdditiveAttention} plain or location-aware, {@link DotAttention}). An attention may feed a
 * context into the cell before a step (additive) and may transform the cell's output after it
 * (dot); the decoder calls both hooks on every kind and never asks which one it holds.
 *
 * <p>Keys are computed once per encoding ({@link #keys}); a {@link Pass} holds what one decode or
 * teacher-forced pass needs, forward and backward.
 */
interface DecoderAttention {
  /**
   * Half-width of location-aware attention's window: the previous weights of 7 positions either
   * side inform a position's score (a letter or word rarely moves the attention further per step).
   */
  int LOCATION_WINDOW = 7;

  /** Columns of the context this attention feeds into the cell input (after the embedding), 0 if none. */
  int cellInputWidth();

  /** Width of a key, 0 when the attention reads no encoder outputs. */
  int keyWidth();

  /** Keys of the encoder outputs {@code bsd} [rows, D] (batch-major), [rows, keyWidth], or null. */
  float[] keys(float[] bsd, int rows);

  /** Backward of {@link #keys}: parameter gradients, and {@code dBsd += dKeys d(keys)/d(bsd)}. */
  void keysBackward(float[] bsd, float[] dKeys, int rows, float[] dBsd);

  /** A pass over the decoder rows of {@code src} (null when {@link #keyWidth} is 0), keeping every step when {@code trace}. */
  Pass pass(SourceRows src, int capacity, boolean trace);

  /** One decode or teacher-forced pass; step t runs in slot {@code trace ? t : 0} of the cell run. */
  interface Pass {
    /**
     * Before step t of the decoder's first layer {@code run}, from that layer's state {@code h} [R, H]
     * at {@code hOff}: may add to the cell's input.
     */
    void beforeCell(int t, int slot, float[] h, int hOff, CellRun run);

    /**
     * After step t of the decoder's top layer, whose outputs per slot are {@code top} [slots*R, H]
     * (the top cell's h, or with residual connections the stack's running sum).
     */
    void afterCell(int t, int slot, float[] top);

    /** What the output layer reads, per slot [slots*R, H]: {@code top}, or what the attention made of it. */
    float[] outputs(float[] top);

    /** Attention weights of the last step [R, S], or null. */
    float[] lastWeights();

    /** Backward of {@link #afterCell} over all steps at once: from the gradient of {@link #outputs}, that of {@code top}. */
    float[] outputsBackward(float[] dOutputs, float[] top);

    /**
     * Backward of {@link #beforeCell} at step t, after the backward of t of the cell it fed ({@code run},
     * the decoder's first layer): adds into {@code dh} [R, H], the gradient of the state before t.
     */
    void stepBackward(int t, CellRun run, float[] dh);

    /** Beam search moved the rows: row r continues {@code parent[r]} (attentions that carry state across steps). */
    default void reorder(int[] parent) {}

    /** Parameter gradients collected over the steps. */
    void finishBackward(CellRun run);
  }

  /**
   * {@link #cellInputWidth} of a kind before it is made: the cell that reads the context is made
   * first, so that the parameters keep the order (and initial values) checkpoints have.
   */
  static int contextWidth(Attention kind, int encWidth) {
    return kind == Attention.ADDITIVE || kind == Attention.LOCATION ? encWidth : 0;
  }

  static DecoderAttention create(Attention kind, Blas blas, Params params, int hidden, int encWidth, int size, int wxRow, Rng init) {
    int width = size > 0 ? size : hidden;
    return switch (kind) {
      case NONE -> new NoAttention();
      case ADDITIVE -> new AdditiveAttention(blas, params, hidden, encWidth, width, 0, wxRow, init);
      case LOCATION -> new AdditiveAttention(blas, params, hidden, encWidth, width, LOCATION_WINDOW, wxRow, init);
      case DOT -> new DotAttention(blas, params, hidden, encWidth, init);
    };
  }
}
