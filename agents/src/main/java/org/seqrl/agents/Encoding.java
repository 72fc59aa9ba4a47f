package org.seqrl.agents;

/**
 * What {@link Encoder#encode} made of a batch of sources: what decoders read, and what the
 * encoder's backward pass needs. Sequence tensors are time-major ({@code [S*B, width]}, row
 * {@code t * B + i}); the top layer's outputs are also kept batch-major for attention. The
 * recurrent {@link Encoder} fills {@code layerIn}, {@code dropMask} and {@code runs}; the
 * {@link TransformerEncoder} fills {@code transformer}.
 */
final class Encoding {
  int batch;
  /** Padded source length S. */
  int len;
  int[] lengths;
  /** Source ids [S*B], time-major, PAD past a source's end. */
  int[] ids;
  /** Input of every layer [layer] [S*B, in]. */
  float[][] layerIn;
  /** Dropout mask of every layer's input while training ([0]: the embeddings' outputs), or null. */
  float[][] dropMask;
  /** [layer][direction] */
  CellRun[][] runs;
  /** Top-layer outputs [B*S, D], batch-major. */
  float[] bsd;
  /** Final states of the top layer [B, D]. */
  float[] fin;
  /** Attention keys of {@link #bsd}, made by the decoder's attention on first use and kept with the encoding, or null. */
  float[] keys;
  /**
   * The norm-stabilizer's gradients of every layer's and direction's h after and before each
   * position [layer][direction][S*B, H], set by {@link Encoder#stabilizeHidden} and spent (set to
   * null) by the next backward; null without.
   */
  float[][][] nsOut;
  float[][][] nsPrev;
  /** Whether it was made for training (a decoder that draws dropout draws it on such encodings only). */
  boolean training;
  /** What a {@link TransformerEncoder} keeps for its backward, or null. */
  TransformerEncoder.Trace transformer;
}
