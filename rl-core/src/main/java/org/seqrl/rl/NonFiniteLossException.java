package org.seqrl.rl;

/** An update produced a NaN or infinite loss or gradient; the policy's parameters are no longer trustworthy. */
public class NonFiniteLossException extends RuntimeException {
  public NonFiniteLossException(String message) {
    super(message);
  }
}
