package org.seqrl.experiments.data;

import java.nio.charset.StandardCharsets;

/**
 * Per-component seeds derived from the run seed, so that changing how much one component draws
 * (e.g. more data) does not shift the random numbers of another (e.g. initialisation).
 */
public final class Seeds {
  public static final String DATA = "data";
  public static final String INIT = "init";
  public static final String SAMPLING = "sampling";
  public static final String DROPOUT = "dropout";
  public static final String BATCHES = "batches";

  private Seeds() {}

  /** A well-mixed seed for {@code component}; the same inputs always give the same seed. */
  public static long derive(long runSeed, String component) {
    return mix(runSeed ^ mix(hash(component)));
  }

  /** SplitMix64's finaliser: a bijection on longs that spreads every input bit over the output. */
  static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** FNV-1a over UTF-8: stable across JVMs, unlike String.hashCode's use in hash maps. */
  static long hash(String text) {
    long h = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** A stable well-mixed 64-bit hash of a string (for seed-independent splits). */
  public static long stableHash(String text) {
    return mix(hash(text));
  }
}
