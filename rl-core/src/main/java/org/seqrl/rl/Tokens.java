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
}
