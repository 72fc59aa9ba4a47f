package org.seqrl.experiments.config;

import java.util.List;

/** An inclusive range of sequence lengths, written in YAML as {@code [min, max]}. */
public record LengthRange(int min, int max) {
  public LengthRange {
    if (min < 1) {
      throw new InvalidConfigException("", "min length " + min + " is out of range; expected an integer >= 1");
    }
    if (min > max) {
      throw new InvalidConfigException("", "min length " + min + " > max length " + max
          + "; expected [min, max] with min <= max");
    }
  }

  public List<Integer> toList() {
    return List.of(min, max);
  }

  @Override
  public String toString() {
    return "[" + min + ", " + max + "]";
  }
}
