package org.seqrl.agents;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The last decoding's encoding, reused by the next decode of the same sources with the same
 * parameters (SCST samples, then decodes the same batch greedily). Sources are compared by
 * content, so a caller that refills its arrays gets a new encoding.
 */
final class EncodingCache {
  private int[][] sources;
  private long version;
  private Encoding encoding;

  /** The encoding of {@code sources} under parameter version {@code version}, made by {@code encode} unless it is the last one. */
  Encoding get(int[][] sources, long version, Function<int[][], Encoding> encode) {
    if (encoding != null && this.version == version && Arrays.deepEquals(this.sources, sources)) {
      return encoding;
    }
    Encoding en = encode.apply(sources);
    int[][] copy = new int[sources.length][];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = sources[i].clone();
    }
    this.sources = copy;
    this.version = version;
    this.encoding = en;
    return en;
  }

  void clear() {
    sources = null;
    encoding = null;
  }
}
