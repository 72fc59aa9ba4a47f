package org.seqrl.experiments.cli;

/**
 * Bad input from the user: a missing file, a malformed line, an invalid value.
 * The CLI prints the message on one line and exits with code 2, so the message
 * must name the file, line or field, the value, and what would be right.
 */
public class UserInputException extends RuntimeException {
  public UserInputException(String message) {
    super(message);
  }

  public UserInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
