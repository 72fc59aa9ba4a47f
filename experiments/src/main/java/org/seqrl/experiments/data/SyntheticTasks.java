package org.seqrl.experiments.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.seqrl.experiments.config.AlgorithmicConfig;
import org.seqrl.experiments.config.DataConfig;
import org.seqrl.experiments.config.LengthRange;
import org.seqrl.experiments.config.Task;

/**
 * Copy, reverse, sort, repeat-copy and associative recall over an alphabet of symbols
 * {@code a..z, s26, s27, ...}; the last two are the NTM paper's tasks in encoder-decoder form
 * (see {@link Task}), with the extra tokens {@code *1..*n} (repeat counts) and {@code |}, {@code ?}
 * (item delimiter, query marker). The copy task's delimiter is the end of the source. Train and dev use
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
    AlgorithmicConfig a = config.algorithmic();
    List<Example> train = split(task, alphabet, a, config.trainLengths(), config.trainSize(),
        new Random(Seeds.derive(dataSeed, "synthetic-train")), Set.of());
    for (Example e : train) {
      seen.add(e.source());
    }
    List<Example> dev = split(task, alphabet, a, config.trainLengths(), config.devSize(),
        new Random(Seeds.derive(dataSeed, "synthetic-dev")), seen);
    List<Example> test = split(task, alphabet, a, config.testLengths(), config.testSize(),
        new Random(Seeds.derive(dataSeed, "synthetic-test")), seen);
    List<String> tokens = new ArrayList<>(alphabet);
    tokens.addAll(extraTokens(task, a));
    Vocabulary vocab = Vocabulary.ofOrdered(tokens);
    return new Dataset(train, dev, test, vocab, vocab, TokenLevel.WORD, 0, List.of());
  }

  /**
   * {@code data.test_size} examples of exactly {@code length}, one set per length with its own seed
   * (so adding a length leaves the others' examples unchanged), avoiding the train sources.
   */
  static List<Example> atLength(DataConfig config, long dataSeed, int length, List<Example> train) {
    Set<List<String>> seen = new HashSet<>();
    for (Example e : train) {
      seen.add(e.source());
    }
    return split(config.task(), alphabet(config.alphabet()), config.algorithmic(), new LengthRange(length, length),
        config.testSize(), new Random(Seeds.derive(dataSeed, "synthetic-test-length-" + length)), seen);
  }

  /** Tokens a task uses besides the alphabet, in vocabulary order. */
  static List<String> extraTokens(Task task, AlgorithmicConfig a) {
    return switch (task) {
      case REPEAT_COPY -> {
        List<String> counts = new ArrayList<>();
        for (int n = 1; n <= a.repeats().max(); n++) {
          counts.add(REPEAT + n);
        }
        yield counts;
      }
      case ASSOCIATIVE_RECALL -> List.of(DELIMITER, QUERY);
      default -> List.of();
    };
  }

  static final String REPEAT = "*";
  static final String DELIMITER = "|";
  static final String QUERY = "?";

  private static List<Example> split(Task task, List<String> alphabet, AlgorithmicConfig a, LengthRange lengths,
                                     int size, Random random, Set<List<String>> avoid) {
    List<Example> examples = new ArrayList<>(size);
    // Bounded retries: when the space of strings is small, overlap with train is unavoidable.
    int retriesLeft = size * 20;
    while (examples.size() < size) {
      int length = lengths.min() + random.nextInt(lengths.max() - lengths.min() + 1);
      Example e = switch (task) {
        case REPEAT_COPY -> repeatCopy(alphabet, length,
            a.repeats().min() + random.nextInt(a.repeats().max() - a.repeats().min() + 1), random);
        case ASSOCIATIVE_RECALL -> associativeRecall(alphabet, length, a.itemLength(), random);
        default -> {
          List<String> source = randomString(alphabet, length, random);
          yield new Example(source, List.of(target(task, source, alphabet)));
        }
      };
      if (avoid.contains(e.source()) && retriesLeft-- > 0) {
        continue;
      }
      examples.add(e);
    }
    return examples;
  }

  private static List<String> randomString(List<String> alphabet, int length, Random random) {
    List<String> s = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      s.add(alphabet.get(random.nextInt(alphabet.size())));
    }
    return s;
  }

  /** {@code x1..xL *n} -> x1..xL repeated n times. */
  static Example repeatCopy(List<String> alphabet, int length, int repeats, Random random) {
    List<String> body = randomString(alphabet, length, random);
    List<String> source = new ArrayList<>(body);
    source.add(REPEAT + repeats);
    List<String> target = new ArrayList<>();
    for (int n = 0; n < repeats; n++) {
      target.addAll(body);
    }
    return new Example(source, List.of(target));
  }

  /**
   * {@code item1 | item2 | ... | itemK ? item_q} -> item_{q+1}, q uniform in [1, K-1]; the items of
   * one example are distinct while the alphabet allows, so that the answer is unique.
   */
  static Example associativeRecall(List<String> alphabet, int items, int itemLength, Random random) {
    List<List<String>> list = new ArrayList<>();
    Set<List<String>> distinct = new HashSet<>();
    int retries = items * 20;
    while (list.size() < items) {
      List<String> item = randomString(alphabet, itemLength, random);
      if (distinct.add(item) || retries-- <= 0) {
        list.add(item);
      }
    }
    int q = random.nextInt(items - 1);
    List<String> source = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      if (i > 0) {
        source.add(DELIMITER);
      }
      source.addAll(list.get(i));
    }
    source.add(QUERY);
    source.addAll(list.get(q));
    return new Example(source, List.of(list.get(q + 1)));
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
