package org.seqrl.experiments.config;

/** Where the examples come from: generated from the seed, or read from files. */
public enum Task {
  COPY,
  REVERSE,
  SORT,
  /** The NTM paper's repeat copy: the string, then a count token {@code *n}; the target is the string n times. */
  REPEAT_COPY,
  /** The NTM paper's associative recall: items separated by {@code |}, then {@code ?} and one item; the target is the item after it. */
  ASSOCIATIVE_RECALL,
  TSV,
  PRONUNCIATION;

  /** Copy, reverse, sort, repeat-copy and associative recall are generated from the seed; the others are read from files. */
  public boolean isSynthetic() {
    return this == COPY || this == REVERSE || this == SORT || this == REPEAT_COPY || this == ASSOCIATIVE_RECALL;
  }

  /**
   * The length draw that made a synthetic example's source (what the length ranges count): its
   * symbols, without repeat-copy's count token; associative recall's number of items.
   */
  public int lengthOf(java.util.List<String> source, AlgorithmicConfig a) {
    return switch (this) {
      case REPEAT_COPY -> source.size() - 1;
      case ASSOCIATIVE_RECALL -> (source.size() - a.itemLength()) / (a.itemLength() + 1);
      default -> source.size();
    };
  }

  /** The longest source and target of a synthetic example whose length draw is {@code length}. */
  public int[] longest(int length, AlgorithmicConfig a) {
    return switch (this) {
      case REPEAT_COPY -> new int[] {length + 1, length * a.repeats().max()};
      // length items of itemLength symbols with a | between them, then ? and the query item
      case ASSOCIATIVE_RECALL -> new int[] {length * (a.itemLength() + 1) + a.itemLength(), a.itemLength()};
      default -> new int[] {length, length};
    };
  }
}
