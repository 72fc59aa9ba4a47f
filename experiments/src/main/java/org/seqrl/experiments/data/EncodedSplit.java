package org.seqrl.experiments.data;

/** A split as token ids: {@code sources[i]} and its references {@code references[i][r]}, without start/end markers. */
public record EncodedSplit(int[][] sources, int[][][] references) {
  public int size() {
    return sources.length;
  }
}
