package org.seqrl.experiments.config;

/** Where the examples come from: generated from the seed, or read from files. */
public enum Task {
  COPY,
  REVERSE,
  SORT,
  TSV,
  PRONUNCIATION;

  /** Copy, reverse and sort are generated from the seed; the others are read from files. */
  public boolean isSynthetic() {
    return this == COPY || this == REVERSE || this == SORT;
  }
}
