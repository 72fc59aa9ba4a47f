package org.seqrl.agents;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Random;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.Rollout;

/**
 * Made the checkpoints in {@code src/test/resources/checkpoints} with the engine as it was before
 * issue 14 (commit 556dbdd), and what that engine computed from them ({@code *.expected.txt}); run
 * as a single-file program against that commit's classes (it uses only the public API):
 * {@code java -cp "agents/target/classes:rl-core/target/classes:experiments/target/lib/*"
 * agents/src/test/java/org/seqrl/agents/MakeCheckpoints.java <out dir>}.
 * {@link CheckpointCompatibilityTest} loads them with today's engine and expects the same numbers
 * from {@link #describe}.
 */
public final class MakeCheckpoints {
  static final int[][] SOURCES = {{4, 5, 6, 7}, {8}, {9, 10, 4, 11, 5, 6}, {7, 7}};

  static Seq2SeqConfig lstm() {
    return Seq2SeqConfig.builder(12, 12).embedding(4).hidden(6).cell(CellType.LSTM).encoderLayers(2).bidirectional(true)
        .dropout(0.1).attention(Attention.ADDITIVE).attentionSize(5).criticHeads(EnumSet.allOf(CriticHead.class))
        .criticHidden(3).seed(11).build();
  }

  static Seq2SeqConfig gru() {
    return Seq2SeqConfig.builder(12, 12).embedding(4).hidden(6).cell(CellType.GRU).attention(Attention.DOT).seed(12).build();
  }

  static int[][][] batch(Random r) {
    int[][] s = new int[6][];
    int[][] t = new int[6][];
    for (int i = 0; i < 6; i++) {
      s[i] = new int[1 + r.nextInt(5)];
      for (int k = 0; k < s[i].length; k++) {
        s[i][k] = 4 + r.nextInt(8);
      }
      t[i] = s[i].clone();
      for (int k = 0; k < t[i].length / 2; k++) { // reverse
        int x = t[i][k];
        t[i][k] = t[i][t[i].length - 1 - k];
        t[i][t[i].length - 1 - k] = x;
      }
    }
    return new int[][][] {s, t};
  }

  /** What the engine computes from a restored policy: greedy, beam, a sample, one more MLE step. */
  static void describe(Seq2SeqPolicy p, PrintWriter out) {
    Rollout g = p.greedy(SOURCES, 9);
    out.println("greedy.tokens " + Arrays.deepToString(g.tokens()));
    out.println("greedy.logProbs " + Arrays.deepToString(g.logProbs()));
    if (g.sequenceValues() != null) {
      out.println("greedy.sequenceValues " + Arrays.toString(g.sequenceValues()));
      out.println("greedy.stepValues " + Arrays.deepToString(g.stepValues()));
    }
    Seq2SeqPolicy.BeamResult b = p.beamSearchWithScores(SOURCES, 3, 9);
    out.println("beam3.hypotheses " + Arrays.deepToString(b.hypotheses()));
    out.println("beam3.scores " + Arrays.toString(b.scores()));
    Rollout s = p.sample(SOURCES, 2, 0.8, 9);
    out.println("sample.tokens " + Arrays.deepToString(s.tokens()));
    out.println("sample.logProbs " + Arrays.deepToString(s.logProbs()));
    int[][][] d = batch(new Random(99));
    out.println("mle.loss " + p.mleStep(d[0], d[1], new OptimizerSettings(0.01, 1.0)).loss());
    out.println("after.greedy.logProbs " + Arrays.deepToString(p.greedy(SOURCES, 9).logProbs()));
  }

  public static void main(String[] args) throws IOException {
    Locale.setDefault(Locale.ROOT);
    Path dir = Path.of(args[0]);
    for (String name : new String[] {"lstm-additive", "gru-dot"}) {
      Seq2SeqConfig cfg = name.startsWith("lstm") ? lstm() : gru();
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
        Random r = new Random(5);
        for (int i = 0; i < 30; i++) {
          int[][][] d = batch(r);
          p.mleStep(d[0], d[1], new OptimizerSettings(0.02, 1.0));
        }
        p.save(dir.resolve(name));
      }
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg.toBuilder().seed(1).build());
          PrintWriter out = new PrintWriter(Files.newBufferedWriter(dir.resolve(name + ".expected.txt")))) {
        p.restore(dir.resolve(name));
        describe(p, out);
      }
    }
  }
}
