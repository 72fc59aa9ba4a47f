package org.seqrl.agents;

/**
 * What every decoder pass keeps the same way: the encoding its rows read, the source of each row
 * (k samples or beams of a source share one encoder pass), and how many steps have run. The
 * implementations add their step, their beam reorder and what they keep for backward.
 */
abstract class DecoderPass implements Decoder.Pass {
  /** The encoding the rows read; null for a pass that encodes inside its own network or graph. */
  final Encoding en;
  final int[] srcOf;
  final int rows;
  /** Steps run so far; each implementation's step advances it. */
  int steps;

  DecoderPass(Encoding en, int[] srcOf) {
    this.en = en;
    this.srcOf = srcOf;
    this.rows = srcOf.length;
  }

  @Override
  public final int rows() {
    return rows;
  }

  @Override
  public final Encoding encoding() {
    return en;
  }

  @Override
  public final int[] sourceOfRow() {
    return srcOf;
  }

  @Override
  public final int steps() {
    return steps;
  }

  /** Each row's source, {@code sources[srcOf[i]]} for row i: for passes that feed a network or graph the row's tokens. */
  static int[][] rowSources(int[][] sources, int[] srcOf) {
    int[][] rows = new int[srcOf.length][];
    for (int i = 0; i < srcOf.length; i++) {
      rows[i] = sources[srcOf[i]];
    }
    return rows;
  }
}
