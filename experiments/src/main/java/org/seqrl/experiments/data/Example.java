package org.seqrl.experiments.data;

import java.util.List;

/** One input and every acceptable output (at least one). */
public record Example(List<String> source, List<List<String>> references) {
  public Example {
    source = List.copyOf(source);
    references = references.stream().map(List::copyOf).toList();
    if (references.isEmpty()) {
      throw new IllegalArgumentException("an example needs at least one reference");
    }
  }
}
