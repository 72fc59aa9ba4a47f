package org.seqrl.experiments.config;

/** What reading a TSV file does with a malformed line: stop with its line number, or skip and count it. */
public enum BadLines {
  ERROR,
  SKIP
}
