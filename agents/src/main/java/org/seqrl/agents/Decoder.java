package org.seqrl.agents;

/**
 * The decoder role: from an {@link Encoding}, a pass over decoder rows (row r reads source
 * {@code sourceOfRow[r]}, so k samples or beams of a source share one encoder pass) that turns
 * each step's previous tokens into logits. Search ({@link Search}), the losses and the trainer
 * see only this role; {@link RecurrentDecoder} is the first implementation, a memory-augmented or
 * a transformer decoder would be another class behind the same seams.
 */
interface Decoder {
  /** Output vocabulary size: the width of a logits row. */
  int vocab();

  /** Width of {@link Pass#features}, what a step critic reads. */
  int featureWidth();

  /**
   * A pass that decodes one step at a time, up to {@code capacity} steps. With {@code keep}, every
   * step keeps what {@link Pass#backward} needs (a sample an update may start from); without,
   * memory stays at one step and rows may be reordered (beams).
   */
  Pass start(Encoding en, int[] sourceOfRow, int capacity, boolean keep);

  /**
   * A teacher-forced pass that has run all {@code steps} steps on known {@code inputs} [steps * R]
   * (time-major) and kept them; {@code training} draws dropout where the decoder has any.
   */
  Pass teacherForced(Encoding en, int[] sourceOfRow, int[] inputs, int steps, boolean training);

  /** Whether a training pass differs from a decoding pass on the same inputs (dropout), so a kept sample cannot stand in for it. */
  boolean random(boolean training);

  /**
   * What a decoder's backward pass sends into the encoding: gradients of its outputs [B*S, D] and
   * final states [B, D] (either may be null), and of the top layer's other final state arrays
   * ({@code memory[k]} [B, width of array k], null where none flows), which a memory-augmented
   * decoder starts from.
   */
  record EncodingGradient(float[] outputs, float[] finals, float[][] memory) {
    EncodingGradient(float[] outputs, float[] finals) {
      this(outputs, finals, null);
    }
  }

  /** One pass of a decoder over its rows. */
  interface Pass {
    int rows();

    /** The encoding the rows read. */
    Encoding encoding();

    /** The source (row of the encoding) each decoder row reads. */
    int[] sourceOfRow();

    /** Steps run so far. */
    int steps();

    /** Runs the next step, each row reading {@code previous[r]}; returns the logits [R, V] of that step. */
    float[] step(int[] previous);

    /** Beam search: row i continues the hypothesis of row {@code parent[i]}. */
    void reorder(int[] parent);

    /** Attention weights of the last step [R, S], or null. */
    float[] attentionWeights();

    /** What a step critic reads before the next step: [R, featureWidth] at {@link #featuresOffset}. */
    float[] features();

    int featuresOffset();

    /** Kept passes: the logits of every step [steps*R, V], time-major. */
    float[] keptLogits();

    /** Kept passes: {@link #features} before every step [steps*R, featureWidth]. */
    float[] keptFeatures();

    /**
     * Kept passes: the norm-stabilizer ({@link NormStabilizer}) with weight {@code beta} on the
     * decoder's hidden states over the first {@code lengths[r]} steps of each row; returns the
     * penalty and adds its gradient to what the next {@link #backward} sends back.
     */
    double stabilizeHidden(double beta, double rowsNorm, int[] lengths);

    /**
     * Kept passes: backward from the gradient of {@link #keptLogits} and, if not null, of
     * {@link #keptFeatures}; adds into the decoder's parameter gradients.
     */
    EncodingGradient backward(float[] dLogits, float[] dFeatures);
  }
}
