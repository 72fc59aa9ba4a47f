package org.seqrl.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.DataConfig;
import org.seqrl.experiments.config.Task;

class LengthCurriculumTest {

  private static DataConfig data(String extra) {
    return ConfigLoader.parse("""
        data:
          task: copy
          alphabet: 4
          train_lengths: [1, 8]
          test_lengths: [10, 12]
          train_size: 300
          dev_size: 100
          max_source_length: 130
          max_target_length: 130
        """ + extra, "test", null, List.of()).data();
  }

  private static int length(DataConfig d, Example e) {
    return d.task().lengthOf(e.source(), d.algorithmic());
  }

  @Test
  void growsByItsStepWhenTheMetricPassesAndStopsAtTheMax() {
    DataConfig d = data("  curriculum: {start: 3, step: 2, metric: eval/exact_match, threshold: 0.9}\n");
    Dataset set = Datasets.load(d, null, 5);
    LengthCurriculum c = new LengthCurriculum(d, set.train(), set.dev());
    assertEquals(3, c.maxLength());
    int[] rows = c.trainRows();
    assertTrue(rows.length > 0 && rows.length < set.train().size());
    // Exactly the training examples of lengths 1..3, in order.
    assertArrayEquals(IntStream.range(0, set.train().size()).filter(i -> length(d, set.train().get(i)) <= 3).toArray(),
        rows);
    LengthCurriculum.Measure on = c.measuredOn();
    assertEquals("dev", on.split());
    assertTrue(on.rows().length > 0 && IntStream.of(on.rows()).allMatch(i -> length(d, set.dev().get(i)) <= 3));
    assertFalse(c.update(0.89));
    assertFalse(c.update(Double.NaN));
    assertEquals(3, c.maxLength());
    assertTrue(c.update(0.9));
    assertEquals(5, c.maxLength());
    assertTrue(c.update(1.0));
    assertEquals(7, c.maxLength());
    assertFalse(c.complete());
    // The last step stops at train_lengths' max.
    assertTrue(c.update(0.95));
    assertEquals(8, c.maxLength());
    assertTrue(c.complete());
    assertFalse(c.update(1.0));
    assertEquals(set.train().size(), c.trainRows().length);
  }

  @Test
  void aMetricThatImprovesDownwardsPassesBelowItsThreshold() {
    DataConfig d = data("  curriculum: {start: 2, step: 1, metric: eval/symbol_error, threshold: 0.05}\n");
    Dataset set = Datasets.load(d, null, 5);
    LengthCurriculum c = new LengthCurriculum(d, set.train(), set.dev());
    assertFalse(c.update(0.06));
    assertTrue(c.update(0.05));
    assertEquals(3, c.maxLength());
  }

  @Test
  void offItAdmitsEverythingAndNeverChanges() {
    DataConfig d = data("");
    Dataset set = Datasets.load(d, null, 5);
    LengthCurriculum c = new LengthCurriculum(d, set.train(), set.dev());
    assertFalse(c.enabled());
    assertEquals(8, c.maxLength());
    assertEquals(set.train().size(), c.trainRows().length);
    assertFalse(c.update(1.0));
  }

  @Test
  void restoreTakesASavedStageAndRefusesOneOutsideTheRun() {
    DataConfig d = data("  curriculum: {start: 3}\n");
    Dataset set = Datasets.load(d, null, 5);
    LengthCurriculum c = new LengthCurriculum(d, set.train(), set.dev());
    c.restore(6);
    assertEquals(6, c.maxLength());
    assertThrows(IllegalArgumentException.class, () -> c.restore(2));
    assertThrows(IllegalArgumentException.class, () -> c.restore(9));
  }

  @Test
  void withoutDevExamplesOfTheStageItsTrainingExamplesStandIn() {
    DataConfig d = data("  curriculum: {start: 1, step: 1}\n");
    // Hand-made dev of lengths 2 and 3 only (dev avoids train strings: small alphabets lose the short ones).
    List<Example> dev = List.of(new Example(List.of("a", "b"), List.of(List.of("a", "b"))),
        new Example(List.of("a", "b", "c"), List.of(List.of("a", "b", "c"))));
    List<Example> train = List.of(new Example(List.of("b", "c"), List.of(List.of("b", "c"))),
        new Example(List.of("a"), List.of(List.of("a"))), new Example(List.of("c"), List.of(List.of("c"))));
    LengthCurriculum c = new LengthCurriculum(d, train, dev);
    assertArrayEquals(new int[] {1, 2}, c.trainRows());
    assertEquals("train", c.measuredOn().split());
    assertArrayEquals(new int[] {1, 2}, c.measuredOn().rows());
    assertTrue(c.update(1.0));
    assertEquals("dev", c.measuredOn().split());
    assertArrayEquals(new int[] {0}, c.measuredOn().rows());
  }

  /** Every task's lengthOf reads back the length draw that made a source (what the curriculum and ranges count). */
  @Test
  void lengthOfInvertsEachTasksGeneration() {
    for (Task task : List.of(Task.COPY, Task.REVERSE, Task.SORT, Task.REPEAT_COPY, Task.ASSOCIATIVE_RECALL)) {
      DataConfig d = ConfigLoader.parse("data:\n  task: " + org.seqrl.experiments.config.ConfigChoice.spelling(task)
          + "\n  train_lengths: [2, 6]\n  test_lengths: [2, 6]\n  test_lengths_each: [3, 7]\n"
          + "  max_source_length: 200\n  max_target_length: 200\n", "t", null, List.of()).data();
      Dataset set = Datasets.load(d, null, 3);
      var atLengths = Datasets.testsAtLengths(d, 3, set);
      assertEquals(List.of(3, 7), List.copyOf(atLengths.keySet()));
      atLengths.forEach((length, examples) -> {
        assertEquals(d.testSize(), examples.size());
        examples.forEach(e -> assertEquals(length, length(d, e), task + " " + e));
      });
      set.train().forEach(e -> assertTrue(length(d, e) >= 2 && length(d, e) <= 6, task + " " + e));
    }
  }
}
