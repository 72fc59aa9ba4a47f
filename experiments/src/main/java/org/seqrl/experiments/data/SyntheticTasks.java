package org.seqrl.experiments.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.seqrl.experiments.config.DataConfig;
import org.seqrl.experiments.config.LengthRange;
import org.seqrl.experiments.config.Task;

/**
 * Copy, reverse and sort over an alphabet of symbols {@code a..z, s26, s27, ...}. Train and dev use
 * the train lengths, test the test lengths, so that length generalisation can be measured. Each
 * split draws from its own derived seed; dev and test avoid strings seen in train while the space of
 * strings is large enough.
 */
final class SyntheticTasks {
  private SyntheticTasks() {}

  /** The name of symbol {@code i}: letters first, then {@code s26}, {@code s27}, ... */
  static String symbol(int i) {
    return i < 26 ? String.valueOf((char) ('a' + i)) : "s" + i;
  }

  static List<String> alphabet(int size) {
    List<String> symbols = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      symbols.add(symbol(i));
    }
    return symbols;
  }

  static Dataset generate(DataConfig config, long dataSeed) {
    Task task = config.task();
    List<String> alphabet = alphabet(config.alphabet());
    Set<List<String>> seen = new HashSet<>();
    List<Example> train = split(task, alphabet, config.trainLengths(), config.trainSize(),
        new Random(Seeds.derive(dataSeed, "synthetic-train")), Set.of());
    for (Example e : train) {
      seen.add(e.source());
    }
    List<Example> dev = split(task, alphabet, config.trainLengths(), config.devSize(),
        new Random(Seeds.derive(dataSeed, "synthetic-dev")), seen);
    List<Example> test = split(task, alphabet, config.testLengths(), config.testSize(),
        new Random(Seeds.derive(dataSeed, "synthetic-test")), seen);
    Vocabulary vocab = Vocabulary.ofOrdered(alphabet);
    return new Dataset(train, dev, test, vocab, vocab, TokenLevel.WORD, 0, List.of());
  }

  private static List<Example> split(Task task, List<String> alphabet, LengthRange lengths, int size, Random random,
                                     Set<List<String>> avoid) {
    List<Example> examples = new ArrayList<>(size);
    // Bounded retries: when the space of strings is small, overlap with train is unavoidable.
    int retriesLeft = size * 20;
    while (examples.size() < size) {
      int length = lengths.min() + random.nextInt(lengths.max() - lengths.min() + 1);
      List<String> source = new ArrayList<>(length);
      for (int i = 0; i < length; i++) {
        source.add(alphabet.get(random.nextInt(alphabet.size())));
      }
      if (avoid.contains(source) && retriesLeft-- > 0) {
        continue;
      }
      examples.add(new Example(source, List.of(target(task, source, alphabet))));
    }
    return examples;
  }

  /** The single correct output of the task. */
  static List<String> target(Task task, List<String> source, List<String> alphabet) {
    List<String> out = new ArrayList<>(source);
    switch (task) {
      case COPY -> { }
      case REVERSE -> java.util.Collections.reverse(out);
      // Sort by symbol index, so that s26 comes after z as in the alphabet.
      case SORT -> out.sort(Comparator.comparingInt(alphabet::indexOf));
      default -> throw new IllegalArgumentException(task + " is not a synthetic task");
    }
    return out;
  }
}
