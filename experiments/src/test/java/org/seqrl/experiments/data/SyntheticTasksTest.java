package org.seqrl.experiments.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.DataConfig;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.experiments.config.Task;

class SyntheticTasksTest {

  private static DataConfig data(String... overrides) {
    return ConfigLoader.withOverrides(SeqrlConfig.defaults(), List.of(overrides)).data();
  }

  @Test
  void symbolsAreLettersThenNumbered() {
    assertEquals("a", SyntheticTasks.symbol(0));
    assertEquals("z", SyntheticTasks.symbol(25));
    assertEquals("s26", SyntheticTasks.symbol(26));
    assertEquals(List.of("a", "b", "c"), SyntheticTasks.alphabet(3));
  }

  @Test
  void targetsAreCorrectForEachTask() {
    List<String> alphabet = SyntheticTasks.alphabet(30);
    List<String> source = List.of("s27", "b", "z", "a", "b");
    assertEquals(source, SyntheticTasks.target(Task.COPY, source, alphabet));
    assertEquals(List.of("b", "a", "z", "b", "s27"), SyntheticTasks.target(Task.REVERSE, source, alphabet));
    assertEquals(List.of("a", "b", "b", "z", "s27"), SyntheticTasks.target(Task.SORT, source, alphabet));
  }

  @Test
  void splitsHaveConfiguredSizesLengthsAndAnswers() {
    Dataset d = Datasets.load(data("data.task=reverse", "data.alphabet=30", "data.train_lengths=[2, 4]",
        "data.test_lengths=[6, 9]", "data.train_size=300", "data.dev_size=50", "data.test_size=40"), null, 7);
    assertEquals(300, d.train().size());
    assertEquals(50, d.dev().size());
    assertEquals(40, d.test().size());
    Set<Integer> trainLengths = new HashSet<>();
    for (Example e : d.train()) {
      trainLengths.add(e.source().size());
      List<String> reversed = new ArrayList<>(e.source());
      Collections.reverse(reversed);
      assertEquals(List.of(reversed), e.references());
    }
    assertEquals(Set.of(2, 3, 4), trainLengths);
    d.dev().forEach(e -> assertTrue(e.source().size() >= 2 && e.source().size() <= 4));
    d.test().forEach(e -> assertTrue(e.source().size() >= 6 && e.source().size() <= 9));
    assertEquals(34, d.sourceVocab().size());
    assertEquals(d.sourceVocab(), d.targetVocab());
    assertTrue(d.sourceVocab().contains("s29"));
    Set<List<String>> train = new HashSet<>();
    d.train().forEach(e -> train.add(e.source()));
    d.dev().forEach(e -> assertTrue(!train.contains(e.source()), "dev avoids train strings: " + e.source()));
    EncodedSplit enc = d.encode(d.test());
    assertEquals(40, enc.size());
    assertEquals(d.test().get(0).source(), d.sourceVocab().decode(enc.sources()[0]));
    assertEquals(d.test().get(0).references().get(0), d.targetVocab().decode(enc.references()[0][0]));
  }

  @Test
  void deterministicFromTheSeedAndSplitsIndependent() {
    DataConfig c = data("data.task=sort");
    assertEquals(Datasets.load(c, null, 3), Datasets.load(c, null, 3));
    assertNotEquals(Datasets.load(c, null, 3).train(), Datasets.load(c, null, 4).train());
    // More test examples must not change train (each split has its own derived seed).
    Dataset more = Datasets.load(data("data.task=sort", "data.test_size=500"), null, 3);
    assertEquals(Datasets.load(c, null, 3).train(), more.train());
  }

  /** The NTM paper's tasks (issue 17): exact formats, vocabularies and reproducibility from the seed. */
  @Test
  void repeatCopyFormat() {
    Example e = SyntheticTasks.repeatCopy(SyntheticTasks.alphabet(3), 2, 3, new java.util.Random(1));
    List<String> body = e.source().subList(0, 2);
    assertEquals("*3", e.source().get(2));
    assertEquals(3, e.source().size());
    List<String> expected = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      expected.addAll(body);
    }
    assertEquals(List.of(expected), e.references());
    Dataset d = Datasets.load(data("data.task=repeat-copy", "data.train_lengths=[1, 4]", "data.test_lengths=[6, 7]",
        "data.algorithmic.repeats=[2, 3]"), null, 5);
    assertEquals(List.of("*1", "*2", "*3"), SyntheticTasks.extraTokens(Task.REPEAT_COPY,
        new org.seqrl.experiments.config.AlgorithmicConfig(new org.seqrl.experiments.config.LengthRange(2, 3), 3)));
    assertTrue(d.sourceVocab().contains("*3"));
    Set<Integer> repeats = new HashSet<>();
    for (Example x : d.train()) {
      String last = x.source().get(x.source().size() - 1);
      int n = Integer.parseInt(last.substring(1));
      repeats.add(n);
      int len = x.source().size() - 1;
      assertTrue(len >= 1 && len <= 4, "train length " + len);
      assertEquals(len * n, x.references().get(0).size());
    }
    assertEquals(Set.of(2, 3), repeats);
    d.test().forEach(x -> assertTrue(x.source().size() - 1 >= 6 && x.source().size() - 1 <= 7));
    assertEquals(d, Datasets.load(data("data.task=repeat-copy", "data.train_lengths=[1, 4]", "data.test_lengths=[6, 7]",
        "data.algorithmic.repeats=[2, 3]"), null, 5));
  }

  @Test
  void associativeRecallFormat() {
    List<String> alphabet = SyntheticTasks.alphabet(8);
    for (int seed = 0; seed < 50; seed++) {
      Example e = SyntheticTasks.associativeRecall(alphabet, 4, 2, new java.util.Random(seed));
      List<String> s = e.source();
      // a b | c d | e f | g h ? c d  ->  e f
      assertEquals(4 * 2 + 3 + 1 + 2, s.size());
      assertEquals(List.of("|", "|", "|", "?"), List.of(s.get(2), s.get(5), s.get(8), s.get(11)));
      List<List<String>> items = List.of(s.subList(0, 2), s.subList(3, 5), s.subList(6, 8), s.subList(9, 11));
      assertEquals(4, new HashSet<>(items).size(), "distinct items " + s);
      int q = items.indexOf(s.subList(12, 14));
      assertTrue(q >= 0 && q < 3, "the query is one of the first three items: " + s);
      assertEquals(List.of(items.get(q + 1)), e.references());
    }
    Dataset d = Datasets.load(data("data.task=associative-recall", "data.train_lengths=[2, 3]",
        "data.test_lengths=[5, 6]", "data.algorithmic.item_length=2"), null, 9);
    assertTrue(d.sourceVocab().contains("|") && d.sourceVocab().contains("?"));
    d.train().forEach(x -> assertEquals(2, x.references().get(0).size()));
    d.test().forEach(x -> assertTrue(x.source().stream().filter("|"::equals).count() >= 4));
  }

  @Test
  void algorithmicTasksAreValidatedAgainstTheLengthLimits() {
    org.seqrl.experiments.cli.UserInputException e = org.junit.jupiter.api.Assertions.assertThrows(
        org.seqrl.experiments.cli.UserInputException.class, () -> data("data.task=repeat-copy", "data.train_lengths=[1, 20]",
            "data.algorithmic.repeats=[1, 3]"));
    assertTrue(e.getMessage().contains("data.train_lengths: max 20 makes sources of up to 21 and targets of up to 60 tokens "
        + "for repeat-copy, beyond data.max_source_length 40 / data.max_target_length 40"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(org.seqrl.experiments.cli.UserInputException.class,
        () -> data("data.task=associative-recall", "data.train_lengths=[1, 3]"));
    assertTrue(e.getMessage().contains("data.train_lengths: min 1 items leaves nothing to recall"), e.getMessage());
  }
}
