package org.seqrl.rl;

/**
 * Reserved token ids shared by every vocabulary, policy and reward.
 * A sequence handed to a reward never contains these: it ends before the end token.
 */
public final class Tokens {
  private Tokens() {}

  /** Fills positions after a sequence's end; never sampled. */
  public static final int PAD = 0;
  /** Fed to the decoder before the first output token; never sampled. */
  public static final int START = 1;
  /** Ends a sequence; sampling it is an action like any other. */
  public static final int END = 2;
  /** Stands for a token outside the vocabulary. */
  public static final int UNKNOWN = 3;
  /** The first id available for real tokens. */
  public static final int FIRST_REGULAR = 4;

  /**
   * Ids outside the vocabulary would index past an embedding; this says which one instead.
   *
   * @throws IllegalArgumentException naming {@code what}, the row, the position and the id
   */
  public static void checkIds(int[][] seqs, int vocab, String what) {
    for (int i = 0; i < seqs.length; i++) {
      for (int t = 0; t < seqs[i].length; t++) {
        int id = seqs[i][t];
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException(what + " row " + i + " position " + t + ": token id " + id
              + " is outside the vocabulary of size " + vocab + " (expected 0.." + (vocab - 1) + ")");
        }
      }
    }
  }
}
