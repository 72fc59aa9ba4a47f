package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;

/** Tiny tasks that the policy must actually learn (fixed seeds, generous margins). */
class LearningTest {
  static final int ALPHABET = 6;
  static final int VOCAB = 4 + ALPHABET;

  /** Reverse task: random strings over the alphabet, length 3-5; the target is the reversed string. */
  static int[][][] reverseBatch(Random r, int n) {
    int[][] src = new int[n][];
    int[][] tgt = new int[n][];
    for (int i = 0; i < n; i++) {
      int len = 3 + r.nextInt(3);
      src[i] = new int[len];
      tgt[i] = new int[len];
      for (int t = 0; t < len; t++) {
        src[i][t] = 4 + r.nextInt(ALPHABET);
      }
      for (int t = 0; t < len; t++) {
        tgt[i][t] = src[i][len - 1 - t];
      }
    }
    return new int[][][] {src, tgt};
  }

  /** Per-position match with the reference, divided by the longer length (1 = exact). */
  static double matchReward(int[] hyp, int[] ref) {
    int same = 0;
    for (int t = 0; t < Math.min(hyp.length, ref.length); t++) {
      if (hyp[t] == ref[t]) {
        same++;
      }
    }
    return (double) same / Math.max(1, Math.max(hyp.length, ref.length));
  }

  static double greedyReward(Seq2SeqPolicy p, int[][][] data) {
    Rollout g = p.greedy(data[0], 10);
    double sum = 0;
    for (int i = 0; i < g.rows(); i++) {
      sum += matchReward(g.hypothesis(i), data[1][i]);
    }
    return sum / g.rows();
  }

  static double exactAccuracy(Seq2SeqPolicy p, int[][][] data) {
    Rollout g = p.greedy(data[0], 10);
    int ok = 0;
    for (int i = 0; i < g.rows(); i++) {
      ok += java.util.Arrays.equals(g.hypothesis(i), data[1][i]) ? 1 : 0;
    }
    return (double) ok / g.rows();
  }

  static Seq2SeqConfig.Builder small() {
    return Seq2SeqConfig.builder(VOCAB, VOCAB).embedding(16).hidden(48).seed(11)
        .memory(new NtmSpec(8, 8, 1, 1, 1, NtmSpec.Controller.LSTM, 1e-6));
  }

  /** Additive attention, plain and location-aware. */
  @ParameterizedTest
  @EnumSource(value = Attention.class, names = {"ADDITIVE", "LOCATION"})
  void mleLearnsToReverseWithAdditiveAttention(Attention kind) {
    Random data = new Random(1);
    int[][][] test = reverseBatch(new Random(99), 200);
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(small().attention(kind).build())) {
      OptimizerSettings opt = new OptimizerSettings(0.01, 5.0);
      double before = exactAccuracy(p, test);
      for (int step = 0; step < 400; step++) {
        int[][][] b = reverseBatch(data, 32);
        p.mleStep(b[0], b[1], opt);
      }
      double after = exactAccuracy(p, test);
      System.out.printf("reverse, %s attention, 400 MLE steps: exact-match accuracy %.3f -> %.3f%n", kind, before, after);
      assertTrue(before < 0.1, "untrained accuracy " + before);
      assertTrue(after > 0.9, "greedy exact-match accuracy after MLE: " + after);
    }
  }

  /** Every cell kind learns the reverse task (with additive attention) from a fixed seed. */
  @ParameterizedTest
  @EnumSource(CellType.class)
  void everyCellLearnsToReverse(CellType cell) {
    Random data = new Random(4);
    int[][][] test = reverseBatch(new Random(96), 200);
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(small().cell(cell).attention(Attention.ADDITIVE).build())) {
      OptimizerSettings opt = new OptimizerSettings(0.01, 5.0);
      for (int step = 0; step < 400; step++) {
        int[][][] b = reverseBatch(data, 32);
        p.mleStep(b[0], b[1], opt);
      }
      double after = exactAccuracy(p, test);
      System.out.printf("reverse, %s cell, additive attention, 400 MLE steps: exact-match accuracy %.3f%n", cell, after);
      assertTrue(after > 0.8, cell + ": greedy exact-match accuracy after MLE: " + after);
    }
  }

  /**
   * Two decoder layers (and two encoder layers) with residual connections, dropout between layers,
   * the norm-stabilizer and a mixed initial state learn the reverse task; beam search over the
   * stack (which reorders both layers' states) finds at least what greedy decoding finds.
   */
  @Test
  void twoDecoderLayersLearnToReverse() {
    Random data = new Random(5);
    int[][][] test = reverseBatch(new Random(95), 200);
    Seq2SeqConfig cfg = small().encoderLayers(2).decoderLayers(2).dropout(0.1)
        .layerConnections(Seq2SeqConfig.LayerConnections.RESIDUAL).normStabilizer(0.05).initStateMeanRatio(0.5)
        .attention(Attention.ADDITIVE).build();
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
      OptimizerSettings opt = new OptimizerSettings(0.01, 5.0);
      for (int step = 0; step < 400; step++) {
        int[][][] b = reverseBatch(data, 32);
        p.mleStep(b[0], b[1], opt);
      }
      double after = exactAccuracy(p, test);
      int[][] beams = p.beamSearch(test[0], 3, 10);
      int ok = 0;
      for (int i = 0; i < beams.length; i++) {
        ok += java.util.Arrays.equals(beams[i], test[1][i]) ? 1 : 0;
      }
      double beam = (double) ok / beams.length;
      System.out.printf("reverse, 2+2 residual layers, additive attention, 400 MLE steps: exact match greedy %.3f, beam 3 %.3f%n",
          after, beam);
      assertTrue(after > 0.8, "greedy exact-match accuracy after MLE: " + after);
      assertTrue(beam > 0.8, "beam exact-match accuracy after MLE: " + beam);
    }
  }

  /**
   * Three encoder and three decoder LSTM layers with skip connections from layer l − 2, carrying
   * outputs and memory cells, learn the reverse task.
   */
  @Test
  void skipConnectionsLearnToReverse() {
    Random data = new Random(6);
    int[][][] test = reverseBatch(new Random(94), 200);
    Seq2SeqConfig cfg = small().cell(CellType.LSTM).encoderLayers(3).decoderLayers(3)
        .layerConnections(Seq2SeqConfig.LayerConnections.SKIP).skipDistance(2)
        .skipCarries(Seq2SeqConfig.SkipCarries.OUTPUT_AND_STATE).attention(Attention.ADDITIVE).build();
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
      OptimizerSettings opt = new OptimizerSettings(0.01, 5.0);
      for (int step = 0; step < 400; step++) {
        int[][][] b = reverseBatch(data, 32);
        p.mleStep(b[0], b[1], opt);
      }
      double after = exactAccuracy(p, test);
      System.out.printf("reverse, 3+3 LSTM layers, skip 2 carrying output and state, additive attention, 400 MLE steps:"
          + " exact match greedy %.3f%n", after);
      assertTrue(after > 0.8, "greedy exact-match accuracy after MLE: " + after);
    }
  }

  /** Copy task of the NTM paper in encoder-decoder form: random strings of length 1-5 (the delimiter is the end of the source). */
  static int[][][] copyBatch(Random r, int n) {
    int[][] src = new int[n][];
    for (int i = 0; i < n; i++) {
      src[i] = new int[1 + r.nextInt(5)];
      for (int t = 0; t < src[i].length; t++) {
        src[i][t] = 4 + r.nextInt(ALPHABET);
      }
    }
    return new int[][][] {src, src};
  }

  /**
   * The NTM copies without attention: the encoder writes the source into memory, the decoder
   * starts from that memory and must read it back in order (measured: 0.855 after 600 steps, where
   * an LSTM of the same hidden size reached 0.620; the LSTM is not run here to keep the test short).
   */
  @Test
  void ntmLearnsToCopyWithoutAttention() {
    Random data = new Random(5);
    int[][][] test = copyBatch(new Random(95), 200);
    NtmSpec memory = new NtmSpec(8, 8, 1, 1, 1, NtmSpec.Controller.LSTM, 1e-6);
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(small().hidden(32).cell(CellType.NTM).memory(memory).build())) {
      OptimizerSettings opt = new OptimizerSettings(0.01, 5.0);
      double before = exactAccuracy(p, test);
      for (int step = 0; step < 600; step++) {
        int[][][] b = copyBatch(data, 32);
        p.mleStep(b[0], b[1], opt);
      }
      double after = exactAccuracy(p, test);
      System.out.printf("copy 1-5, NTM cell, no attention, 600 MLE steps: exact-match accuracy %.3f -> %.3f%n", before, after);
      assertTrue(before < 0.1, "untrained accuracy " + before);
      assertTrue(after > 0.7, "NTM copy: greedy exact-match accuracy after MLE: " + after);
    }
  }

  /**
   * Without attention an LSTM decoder that starts from the encoder's final c (model.carry_cell_state)
   * learns copy of length 1-5 quickly; one that starts with c at zero and only a bridged h (the
   * default, and what examples/ntm-study.yaml trained its LSTM peer and NTM controller with until
   * 2026-12-02) is far behind after the same steps (docs/ntm.md, "Why nothing copied").
   */
  @Test
  void lstmCopiesWithoutAttentionWhenTheDecoderStartsFromTheEncoderCellState() {
    double[] exact = new double[2];
    for (int carry = 0; carry < 2; carry++) {
      Random data = new Random(6);
      int[][][] test = copyBatch(new Random(94), 200);
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(small().hidden(32).cell(CellType.LSTM).carryCellState(carry == 1).build())) {
        OptimizerSettings opt = new OptimizerSettings(0.01, 5.0);
        for (int step = 0; step < 300; step++) {
          int[][][] b = copyBatch(data, 32);
          p.mleStep(b[0], b[1], opt);
        }
        exact[carry] = exactAccuracy(p, test);
      }
    }
    System.out.printf("copy 1-5, LSTM 32, no attention, 300 MLE steps: exact match %.3f with c from the encoder, %.3f with c at zero%n",
        exact[1], exact[0]);
    assertTrue(exact[1] > 0.8, "LSTM copy with the encoder's c: greedy exact-match accuracy after MLE: " + exact[1]);
    assertTrue(exact[0] < exact[1] - 0.3, "the carried c should matter: " + exact[0] + " with c at zero vs " + exact[1]);
  }

  /**
   * The same for the NTM (issue 17): its decoder gets the encoder's memory either way, but with
   * model.carry_cell_state its LSTM controller's c starts from the encoder's too, and it learns copy
   * of length 1-5 far sooner than with c at zero (docs/ntm.md, "Why nothing copied"; 600 NTM steps in all, 66 s wall on a loaded core).
   */
  @Test
  void ntmCopiesSoonerWhenItsControllerStartsFromTheEncoderCellState() {
    double[] exact = new double[2];
    NtmSpec memory = new NtmSpec(8, 8, 1, 1, 1, NtmSpec.Controller.LSTM, 1e-6);
    for (int carry = 0; carry < 2; carry++) {
      Random data = new Random(7);
      int[][][] test = copyBatch(new Random(93), 200);
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(small().hidden(32).cell(CellType.NTM).memory(memory)
          .carryCellState(carry == 1).build())) {
        OptimizerSettings opt = new OptimizerSettings(0.01, 5.0);
        for (int step = 0; step < NTM_CARRY_STEPS; step++) {
          int[][][] b = copyBatch(data, 32);
          p.mleStep(b[0], b[1], opt);
        }
        exact[carry] = exactAccuracy(p, test);
      }
    }
    System.out.printf("copy 1-5, NTM (controller 32, memory 8 x 8), no attention, %d MLE steps: exact match %.3f with c"
        + " from the encoder, %.3f with c at zero%n", NTM_CARRY_STEPS, exact[1], exact[0]);
    assertTrue(exact[1] > 0.85, "NTM copy with the encoder's c: greedy exact-match accuracy after MLE: " + exact[1]);
    // measured 2026-12-02: 0.955 against 0.625, i.e. 8 x fewer wrong copies; the NTM without it learns too (0.855
    // after 600 steps above), so the margin is on the error rate
    assertTrue(1 - exact[0] > 3 * (1 - exact[1]), "the carried c should matter: " + exact[0] + " with c at zero vs " + exact[1]);
  }

  private static final int NTM_CARRY_STEPS = 300;

  /**
   * Length generalisation, the NTM paper's result, at toy size (issue 17): an NTM whose controller is
   * feed-forward has no state of its own, so it must write the string to its memory and read it back; having
   * learned that on copies of length 1-5 it copies new strings of length 8 and most of length 10 (measured
   * 2026-12-03 after 600 steps: exact match 1.000 at 1-5, 6 and 8; 0.860 at 10, 0.730 at 12, 0.450 at 14;
   * at the paper's sizes it copied lengths 30-120 exactly after training on 1-20, docs/ntm.md "Third study").
   * The same NTM with an LSTM controller whose c is carried from the encoder learns lengths 1-5 as well
   * (0.980) but copies 0.040 at length 8 and none at 10: it keeps the string in c, not in the memory.
   */
  @Test
  void ntmWithAFeedForwardControllerCopiesStringsLongerThanItWasTrainedOn() {
    Random data = new Random(7);
    NtmSpec memory = new NtmSpec(16, 8, 1, 1, 1, NtmSpec.Controller.FEEDFORWARD, 1e-6);
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(small().hidden(32).cell(CellType.NTM).memory(memory).build())) {
      OptimizerSettings opt = new OptimizerSettings(0.01, 5.0);
      for (int step = 0; step < NTM_FEEDFORWARD_STEPS; step++) {
        int[][][] b = copyBatch(data, 32);
        p.mleStep(b[0], b[1], opt);
      }
      double trained = exactAccuracy(p, copyBatch(new Random(95), 200));
      double at8 = exactAtLength(p, 8);
      double at10 = exactAtLength(p, 10);
      System.out.printf("copy, NTM (feed-forward controller 32, memory 16 x 8), trained on lengths 1-5 for %d MLE steps:"
          + " exact match %.3f on lengths 1-5, %.3f on length 8, %.3f on length 10%n", NTM_FEEDFORWARD_STEPS, trained, at8, at10);
      assertTrue(trained > 0.95, "exact match on lengths 1-5 after training on them: " + trained);
      assertTrue(at8 > 0.95, "exact match on copies of length 8 after training on 1-5: " + at8);
      assertTrue(at10 > 0.7, "exact match on copies of length 10 after training on 1-5: " + at10);
    }
  }

  /** Greedy exact match on 100 new copy strings of exactly {@code length} symbols. */
  private static double exactAtLength(Seq2SeqPolicy p, int length) {
    int[][][] d = copyBatchOfLength(new Random(90 + length), 100, length);
    Rollout g = p.greedy(d[0], length + 2);
    int ok = 0;
    for (int i = 0; i < g.rows(); i++) {
      ok += java.util.Arrays.equals(g.hypothesis(i), d[1][i]) ? 1 : 0;
    }
    return ok / 100.0;
  }

  private static final int NTM_FEEDFORWARD_STEPS = 600;

  /** n copy examples of exactly {@code length} symbols. */
  static int[][][] copyBatchOfLength(Random r, int n, int length) {
    int[][] src = new int[n][length];
    for (int[] s : src) {
      for (int t = 0; t < length; t++) {
        s[t] = 4 + r.nextInt(ALPHABET);
      }
    }
    return new int[][][] {src, src};
  }

  @Test
  void mleLearnsToReverseWithoutAttention() {
    Random data = new Random(2);
    int[][][] test = reverseBatch(new Random(98), 200);
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(small().hidden(64).build())) {
      OptimizerSettings opt = new OptimizerSettings(0.01, 5.0);
      for (int step = 0; step < 700; step++) {
        int[][][] b = reverseBatch(data, 32);
        p.mleStep(b[0], b[1], opt);
      }
      double after = exactAccuracy(p, test);
      System.out.printf("reverse, no attention, 700 MLE steps: exact-match accuracy %.3f%n", after);
      assertTrue(after > 0.9, "greedy exact-match accuracy after MLE: " + after);
    }
  }

  @Test
  void selfCriticalUpdatesRaiseTheReward() {
    Random data = new Random(3);
    int[][][] test = reverseBatch(new Random(97), 200);
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(small().attention(Attention.DOT).build())) {
      for (int step = 0; step < 40; step++) { // a weak start
        int[][][] b = reverseBatch(data, 32);
        p.mleStep(b[0], b[1], new OptimizerSettings(0.01, 5.0));
      }
      double before = greedyReward(p, test);
      OptimizerSettings rl = new OptimizerSettings(0.003, 5.0);
      for (int step = 0; step < 200; step++) {
        int[][][] b = reverseBatch(data, 32);
        Rollout s = p.sample(b[0], 1, 1.0, 10);
        Rollout g = p.greedy(b[0], 10);
        double[][] adv = new double[s.rows()][s.maxLength()];
        for (int i = 0; i < s.rows(); i++) {
          double a = matchReward(s.hypothesis(i), b[1][i]) - matchReward(g.hypothesis(i), b[1][i]);
          for (int t = 0; t < s.lengths()[i]; t++) {
            adv[i][t] = a;
          }
        }
        p.update(new PolicyGradientBatch(s, adv, null, null, 0.01, 0.0), rl);
      }
      double after = greedyReward(p, test);
      System.out.printf("reverse, dot attention, SCST 200 steps: greedy match reward %.3f -> %.3f%n", before, after);
      assertTrue(after > before + 0.1, "greedy match reward before " + before + ", after SCST " + after);
    }
  }
}
