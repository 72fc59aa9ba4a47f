package org.seqrl.agents;

/**
 * The encoder role: sources in, an {@link Encoding} out (outputs {@code bsd} [B*S, width] that
 * decoders attend to, a summary {@code fin} [B, width] that bridges and the sequence critic read),
 * and the backward from the gradients of those two. {@link Encoder} is the recurrent one,
 * {@link TransformerEncoder} the transformer's.
 */
interface SourceEncoder {
  /** Width of an output row and of the summary. */
  int width();

  /** Whether two encodings of the same sources with the same parameters can differ (dropout while training). */
  boolean random(boolean training);

  Encoding encode(int[][] sources, boolean training);

  /** Backward of {@link #encode}: {@code dBsd} [B*S, D] into the outputs, {@code dFin} [B, D] into the summary (either may be null). */
  void backward(Encoding en, float[] dBsd, float[] dFin);

  /**
   * The norm-stabilizer on the encoder's hidden states (Krueger & Memisevic 2016): adds its gradient
   * to what the next {@link #backward} of {@code en} sends back, and returns the penalty. Only a
   * recurrent encoder has hidden states to stabilize.
   */
  default double stabilizeHidden(Encoding en, double beta) {
    throw new IllegalStateException(getClass().getSimpleName() + " has no recurrent hidden states to stabilize");
  }

  /**
   * The same, with {@code dMemory} the gradient of the final memory a memory-augmented decoder
   * started from (null when it started from none); only an encoder that hands memory on takes one.
   */
  default void backward(Encoding en, float[] dBsd, float[] dFin, float[][] dMemory) {
    if (dMemory != null) {
      throw new IllegalStateException(getClass().getSimpleName() + " hands no memory to the decoder");
    }
    backward(en, dBsd, dFin);
  }
}
