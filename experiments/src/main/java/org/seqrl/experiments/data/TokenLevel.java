package org.seqrl.experiments.data;

/**
 * How a TSV line is split into tokens: characters, whitespace-separated words, or byte-level BPE subwords
 * of a tokenizer trained on the training split ({@link SubwordTokenizer}).
 */
public enum TokenLevel {
  CHAR,
  WORD,
  BPE
}
