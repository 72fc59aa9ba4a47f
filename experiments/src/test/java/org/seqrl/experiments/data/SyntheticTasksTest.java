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
}
