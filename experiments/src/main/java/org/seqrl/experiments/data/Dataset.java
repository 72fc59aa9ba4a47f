package org.seqrl.experiments.data;

import java.util.List;

/**
 * Train, dev and test examples with their vocabularies (built from train, or from the whole alphabet
 * for synthetic tasks). {@code level} says how source strings were split into tokens;
 * {@code skippedLines} counts input lines left out (bad lines under bad_lines: skip, or too long),
 * with the first few reasons.
 */
public record Dataset(List<Example> train, List<Example> dev, List<Example> test, Vocabulary sourceVocab,
                      Vocabulary targetVocab, TokenLevel level, int skippedLines, List<String> skipReasons) {
  public Dataset {
    train = List.copyOf(train);
    dev = List.copyOf(dev);
    test = List.copyOf(test);
    skipReasons = List.copyOf(skipReasons);
  }

  /** Encodes a split with these vocabularies; unseen tokens become the unknown id. */
  public EncodedSplit encode(List<Example> examples) {
    int[][] sources = new int[examples.size()][];
    int[][][] references = new int[examples.size()][][];
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      sources[i] = sourceVocab.encode(e.source());
      references[i] = new int[e.references().size()][];
      for (int r = 0; r < references[i].length; r++) {
        references[i][r] = targetVocab.encode(e.references().get(r));
      }
    }
    return new EncodedSplit(sources, references);
  }
}
