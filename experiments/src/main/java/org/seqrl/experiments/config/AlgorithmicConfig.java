package org.seqrl.experiments.config;

/**
 * {@code data.algorithmic.*}: the shape of the NTM paper's tasks beyond the string length (issue 17).
 *
 * @param repeats repeat-copy: the range of the repeat count n (the source's last token is {@code *n})
 * @param itemLength associative recall: symbols per item (the lengths ranges count items)
 */
public record AlgorithmicConfig(LengthRange repeats, int itemLength) {
  public AlgorithmicConfig {
    Checks.required("data.algorithmic.repeats", repeats);
    Checks.between("data.algorithmic.repeats", repeats.max(), 1, 100);
    Checks.between("data.algorithmic.item_length", itemLength, 1, 100);
  }

  public static AlgorithmicConfig defaults() {
    return new AlgorithmicConfig(new LengthRange(1, 3), 3);
  }
}
