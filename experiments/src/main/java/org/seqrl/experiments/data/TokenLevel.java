package org.seqrl.experiments.data;

/** How a TSV line is split into tokens: characters, or whitespace-separated words. */
public enum TokenLevel {
  CHAR,
  WORD
}
