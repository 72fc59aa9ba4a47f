package org.seqrl.experiments.config;

import org.seqrl.experiments.cli.UserInputException;

/**
 * A config value that is wrong, naming the dotted key. {@link ConfigLoader} catches it and
 * rethrows it prefixed with where the value came from (file and line, or the --set option).
 */
public class InvalidConfigException extends UserInputException {
  private final String key;
  private final String problem;
  private final boolean conflict;

  public InvalidConfigException(String key, String problem) {
    this(key, problem, false);
  }

  private InvalidConfigException(String key, String problem, boolean conflict) {
    super(key + ": " + problem);
    this.key = key;
    this.problem = problem;
    this.conflict = conflict;
  }

  /** A value that is fine alone but clashes with another setting (e.g. rloo with rl.samples 1). */
  public static InvalidConfigException conflict(String key, String problem) {
    return new InvalidConfigException(key, problem, true);
  }

  /** True when the value clashes with another setting rather than being wrong in itself. */
  public boolean isConflict() {
    return conflict;
  }

  /** The dotted config key, e.g. {@code rl.baseline}. */
  public String key() {
    return key;
  }

  /** What is wrong and what is allowed, without the key. */
  public String problem() {
    return problem;
  }
}
