package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.seqrl.rl.testing.TabularPolicy;

class EvaluatorTest {
  static final int[][] SOURCES = {{4}, {5}, {6}};
  static final int[][][] REFS = {{{4}}, {{5}}, {{7}, {6, 6, 6}}};
  static final double NEVER = -60;

  /** Greedy decodes [4], [4], []; a beam of width 3 finds [5] for the second input (0.36 vs 0.17). */
  static TabularPolicy policy() {
    TabularPolicy p = new TabularPolicy(3, Set.of(), 1);
    p.setLogits(SOURCES[0], new int[0], 0, 10, 0, NEVER);
    p.setLogits(SOURCES[0], new int[] {4}, 10, 0, 0, NEVER);
    p.setLogits(SOURCES[1], new int[0], Math.log(0.1), Math.log(0.5), Math.log(0.4), NEVER);
    p.setLogits(SOURCES[1], new int[] {4}, Math.log(0.34), Math.log(0.33), Math.log(0.33), NEVER);
    p.setLogits(SOURCES[1], new int[] {5}, Math.log(0.9), Math.log(0.05), Math.log(0.05), NEVER);
    p.setLogits(SOURCES[2], new int[0], 10, 0, 0, NEVER);
    return p;
  }

  @Test
  void greedyAndBeamMetricsAreExact() {
    Evaluator ev = new Evaluator(policy(), List.of(new NamedMetric("exact", Rewards.exactMatch())), 3, 2, 3, 2);
    EvaluationEvent e = ev.evaluate(17, "dev", SOURCES, REFS);
    assertEquals(17, e.step());
    assertEquals("dev", e.split());
    // nltk method1: sentence_bleu([[4]], [4]) = 0.1778279410038923; the other two score 0
    double bleu1 = 0.1778279410038923;
    Map<String, Double> expected = Map.ofEntries(
        Map.entry("eval/bleu", bleu1 / 3),
        Map.entry("eval/levenshtein", 2.0 / 3), // 0, 1, and 1 to the closest reference {7}
        Map.entry("eval/levenshtein_rate", 2.0 / 3), // 2 edits over reference lengths 1 + 1 + 1
        Map.entry("eval/exact_match", 1.0 / 3),
        Map.entry("eval/exact", 1.0 / 3),
        Map.entry("eval/per", 2.0 / 3), // as levenshtein_rate
        Map.entry("eval/wer", 2.0 / 3), // two of three outputs have an error
        // position-wise: 0, 1, and [] against the reference with fewer errors, {7}: 1; over lengths 1 + 1 + 1
        Map.entry("eval/symbol_error", 2.0 / 3),
        Map.entry("eval/beam/bleu", 2 * bleu1 / 3),
        Map.entry("eval/beam/levenshtein", 1.0 / 3),
        Map.entry("eval/beam/levenshtein_rate", 1.0 / 3),
        Map.entry("eval/beam/exact_match", 2.0 / 3),
        Map.entry("eval/beam/exact", 2.0 / 3),
        Map.entry("eval/beam/per", 1.0 / 3),
        Map.entry("eval/beam/wer", 1.0 / 3),
        Map.entry("eval/beam/symbol_error", 1.0 / 3));
    assertEquals(expected.keySet(), e.metrics().keySet());
    expected.forEach((k, v) -> assertEquals(v, e.metrics().get(k), 1e-15, k));

    assertEquals(2, e.samples().size());
    Sample s = e.samples().get(1);
    assertArrayEquals(new int[] {5}, s.source());
    assertArrayEquals(new int[] {4}, s.greedy());
    assertEquals(0.0, s.greedyReward());
    assertEquals(Rewards.exactMatch().score(s.sampled(), REFS[1]), s.sampledReward());
    assertNull(s.attention());
    assertArrayEquals(new int[] {4}, e.samples().get(0).greedy());
    assertEquals(1.0, e.samples().get(0).greedyReward());
  }

  @Test
  void withoutBeamOrSamplesOnlyGreedyMetrics() {
    Evaluator ev = new Evaluator(policy(), List.of(), 3, 1, 1, 0);
    EvaluationEvent e = ev.evaluate(0, "test", SOURCES, REFS);
    assertEquals(Set.of("eval/bleu", "eval/levenshtein", "eval/levenshtein_rate", "eval/exact_match", "eval/per", "eval/wer",
        "eval/symbol_error"), e.metrics().keySet());
    assertEquals(2.0 / 3, e.metrics().get("eval/levenshtein"), 1e-15);
    assertEquals(List.of(), e.samples());
    // ties between equally close references go to the longest
    assertArrayEquals(new int[] {4, 4}, Evaluator.closestReference(new int[] {4}, new int[][] {{5}, {4, 4}}));
    assertThrows(IllegalArgumentException.class, () -> new Evaluator(policy(), List.of(), 3, 0, 1, 0));
  }

  @Test
  void metricKeysAreWhatAnEvaluationReports() {
    for (int beam : new int[] {1, 3}) {
      Evaluator ev = new Evaluator(policy(), List.of(new NamedMetric("exact", Rewards.exactMatch())), 3, 2, beam, 0);
      EvaluationEvent e = ev.evaluate(0, "dev", SOURCES, REFS);
      assertEquals(List.copyOf(e.metrics().keySet()), Evaluator.metricKeys(List.of("exact"), beam), "beam " + beam);
    }
  }

  @Test
  void everyReportedMetricHasItsDirection() {
    Map<String, MetricDirection> expected = Map.of(
        "eval/bleu", MetricDirection.MAX, "eval/exact_match", MetricDirection.MAX,
        "eval/levenshtein", MetricDirection.MIN, "eval/levenshtein_rate", MetricDirection.MIN,
        "eval/beam/levenshtein_rate", MetricDirection.MIN, "eval/beam/bleu", MetricDirection.MAX,
        "eval/reward", MetricDirection.MAX, "eval/chrf", MetricDirection.MAX, "eval/per", MetricDirection.MIN,
        "eval/beam/wer", MetricDirection.MIN);
    expected.forEach((k, d) -> assertEquals(d, Evaluator.direction(k).orElseThrow(), k));
    assertTrue(Evaluator.direction("train/loss").isEmpty());
  }

  @Test
  void directionsPickTheBetterValue() {
    assertTrue(MetricDirection.MAX.isBetter(0.5, 0.4));
    assertFalse(MetricDirection.MIN.isBetter(0.5, 0.4));
    assertTrue(MetricDirection.MIN.isBetter(0.4, Double.NaN));
    assertFalse(MetricDirection.MAX.isBetter(Double.NaN, 0.4));
    assertFalse(MetricDirection.MAX.isBetter(0.4, 0.4));
    double[] xs = {0.3, Double.NaN, 0.9, 0.1, Double.POSITIVE_INFINITY};
    assertEquals(0.9, MetricDirection.MAX.best(xs));
    assertEquals(0.1, MetricDirection.MIN.best(xs));
    assertTrue(Double.isNaN(MetricDirection.MIN.best(new double[] {Double.NaN})));
  }

  /** A policy whose greedy decode of {@code sources[i]} is exactly {@code outputs[i]} (tokens 4, 5, 6). */
  private static TabularPolicy decoding(int[][] sources, int[][] outputs) {
    TabularPolicy p = new TabularPolicy(3, Set.of(), 1);
    for (int i = 0; i < sources.length; i++) {
      for (int t = 0; t <= outputs[i].length; t++) {
        double[] logits = new double[4];
        logits[t < outputs[i].length ? TabularPolicy.actionOf(outputs[i][t]) : 0] = 10;
        p.setLogits(sources[i], java.util.Arrays.copyOf(outputs[i], t), logits);
      }
    }
    return p;
  }

  /**
   * Symbol error counts positions, not edits: a copy task of length 3 decoded exactly, with one extra
   * symbol, and without its first symbol (so every later one is shifted), by hand.
   */
  @Test
  void symbolErrorCountsWrongMissingAndExtraPositions() {
    int[][] sources = {{4, 5, 6}, {4, 4, 4}, {6, 5, 4}};
    int[][][] refs = {{{4, 5, 6}}, {{4, 4, 4}}, {{6, 5, 4}}};
    int[][] outputs = {{4, 5, 6}, {4, 4, 4, 4}, {5, 4}};
    Map<String, Double> m = new Evaluator(decoding(sources, outputs), List.of(), 6, 2, 1, 0)
        .evaluate(0, "test", sources, refs).metrics();
    // errors 0; 1 extra; 5 for 6, 4 for 5, the third missing: 3. Over 3 + 3 + 3 reference symbols.
    assertEquals(4.0 / 9, m.get("eval/symbol_error"), 1e-15);
    // The edit distance forgives the shift: 0 + 1 + 1 (insert the 6).
    assertEquals(2.0 / 9, m.get("eval/levenshtein_rate"), 1e-15);
    assertEquals(1.0 / 3, m.get("eval/exact_match"), 1e-15);
  }
  /**
   * PER and WER as the G2P literature computes them (e.g. the CMUdict evaluations of Yao & Zweig 2015,
   * Montreal Forced Aligner's g2p scorer): every word is scored against its closest reference, PER sums
   * those smallest edit distances and divides by the summed lengths of the references attaining them,
   * WER is the share of words whose output is none of the references. Ties between equally close
   * references go to the longest. Worked by hand:
   * <pre>
   * references               output   distances   chosen     d  length
   * [4 5 6], [4 5]           [4 5]    1, 0        [4 5]      0  2   (the second, not the first)
   * [4 4 4 4], [5 5]         [5 6]    4, 1        [5 5]      1  2
   * [6], [4 6 6]             [4 6]    1, 1        [4 6 6]    1  3   (a tie: the longest)
   * [5 6 4]                  []       3           [5 6 4]    3  3
   * </pre>
   * PER = 5 / 10; WER = 3 / 4. Scoring against the first reference instead would give (1 + 4 + 1 + 3) / (3 + 4 + 1 + 3).
   */
  @Test
  void perAndWerScoreEachWordAgainstItsClosestReference() {
    int[][] sources = {{4}, {5}, {6}, {4, 5}};
    int[][][] refs = {{{4, 5, 6}, {4, 5}}, {{4, 4, 4, 4}, {5, 5}}, {{6}, {4, 6, 6}}, {{5, 6, 4}}};
    int[][] outputs = {{4, 5}, {5, 6}, {4, 6}, {}};
    Map<String, Double> m = new Evaluator(decoding(sources, outputs), List.of(), 6, 3, 2, 0)
        .evaluate(0, "test", sources, refs).metrics();
    assertEquals(5.0 / 10, m.get("eval/per"), 1e-15);
    assertEquals(3.0 / 4, m.get("eval/wer"), 1e-15);
    // Beam search of this deterministic policy finds the same outputs, so the beam metrics agree.
    assertEquals(5.0 / 10, m.get("eval/beam/per"), 1e-15);
    assertEquals(3.0 / 4, m.get("eval/beam/wer"), 1e-15);
    assertEquals(MetricDirection.MIN, Evaluator.direction("eval/per").orElseThrow());
    assertEquals(MetricDirection.MIN, Evaluator.direction("eval/beam/wer").orElseThrow());
    // One word alone: PER is its distance over its chosen reference's length, WER 1 when any edit remains.
    Map<String, Double> one = new Evaluator(decoding(new int[][] {sources[1]}, new int[][] {outputs[1]}), List.of(), 6,
        1, 1, 0).evaluate(0, "test", new int[][] {sources[1]}, new int[][][] {refs[1]}).metrics();
    assertEquals(1.0 / 2, one.get("eval/per"), 1e-15);
    assertEquals(1.0, one.get("eval/wer"), 1e-15);
  }
}
