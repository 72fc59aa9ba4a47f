package org.seqrl.metrics;

/**
 * Position-wise (Hamming-style) symbol errors of a hypothesis against a reference, the per-symbol
 * error of the NTM paper's algorithmic tasks: every reference position whose symbol the hypothesis
 * gets wrong or does not reach counts one, and every hypothesis symbol past the reference's end
 * counts one. Unlike the edit distance, a shift is not forgiven: a copy that drops its first symbol
 * is wrong at every position, which is what "the machine lost its place" looks like.
 */
public final class SymbolErrors {
  private SymbolErrors() {}

  /** Errors of {@code hyp} against {@code ref}: wrong or missing positions plus extra positions. */
  public static int count(int[] hyp, int[] ref) {
    int errors = Math.max(0, hyp.length - ref.length);
    for (int i = 0; i < ref.length; i++) {
      if (i >= hyp.length || hyp[i] != ref[i]) {
        errors++;
      }
    }
    return errors;
  }

  /**
   * The reference with the fewest errors (ties: the first), so that several references behave as in
   * the other metrics; no references count every hypothesis symbol as extra.
   */
  public static int[] closest(int[] hyp, int[][] refs) {
    int[] best = new int[0];
    int bestErrors = Integer.MAX_VALUE;
    for (int[] r : refs) {
      int e = count(hyp, r);
      if (e < bestErrors) {
        bestErrors = e;
        best = r;
      }
    }
    return best;
  }
}
