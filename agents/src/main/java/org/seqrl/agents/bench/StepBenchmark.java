package org.seqrl.agents.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.seqrl.agents.Seq2SeqConfig;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqPolicy;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;

/**
 * Times the hot paths of {@link Seq2SeqPolicy} on the reference size (batch 32, characters of
 * length 20-30, vocabulary 30, embedding 64, GRU hidden 256) and watches resident memory over a
 * long run of RL steps. Not a test: it prints medians and RSS samples.
 *
 * <p>Usage: {@code StepBenchmark [reps=10] [rlSteps=2000] [attention=none,additive]}; reps 0 skips the
 * timings, rlSteps 0 the memory run (which uses the last attention listed). Workspaces are on unless
 * {@code -Dseqrl.agents.workspaces=false}.
 */
public final class StepBenchmark {
  private static final int VOCAB = 30;
  private static final int BATCH = 32;

  public static void main(String[] args) throws IOException {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int rlSteps = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    String[] atts = (args.length > 2 ? args[2] : "none,additive").split(",");
    System.out.printf("threads: OMP_NUM_THREADS=%s, workspaces=%s, cores=%d%n",
        System.getenv("OMP_NUM_THREADS"), System.getProperty("seqrl.agents.workspaces", "true"),
        Runtime.getRuntime().availableProcessors());
    for (String a : reps > 0 ? atts : new String[0]) {
      Attention att = Attention.valueOf(a.trim().toUpperCase());
      Seq2SeqConfig cfg = Seq2SeqConfig.builder(VOCAB, VOCAB).embedding(64).hidden(256).attention(att).seed(1).build();
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
        Random r = new Random(5);
        OptimizerSettings opt = new OptimizerSettings(1e-3, 50);
        double mle = median(reps, () -> {
          int[][][] b = batch(r);
          p.mleStep(b[0], b[1], opt);
        });
        double scst = median(reps, () -> scstStep(p, batch(r), new OptimizerSettings(1e-5, 50)));
        double greedy = median(reps, () -> p.greedy(batch(r)[0], 35));
        double beam = median(reps, () -> p.beamSearch(batch(r)[0], 5, 35));
        System.out.printf("attention=%s: MLE step %.1f ms | SCST step (sample 32 + greedy 32 + update) %.1f ms"
            + " | greedy %.1f ms/batch = %.0f seq/s | beam-5 %.1f ms/batch = %.0f seq/s%n",
            a, mle, scst, greedy, BATCH * 1000 / greedy, beam, BATCH * 1000 / beam);
      }
    }
    if (rlSteps > 0) {
      Seq2SeqConfig cfg = Seq2SeqConfig.builder(VOCAB, VOCAB).embedding(64).hidden(256)
          .attention(Attention.valueOf(atts[atts.length - 1].trim().toUpperCase())).seed(1).build();
      try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
        Random r = new Random(6);
        long t0 = System.nanoTime();
        int every = Math.max(1, rlSteps / 20);
        for (int s = 0; s <= rlSteps; s++) {
          if (s % every == 0) {
            Runtime rt = Runtime.getRuntime();
            long rss = rssMb();
            long heap = rt.totalMemory() >> 20;
            // RSS minus the committed Java heap approximates native memory (ND4J buffers, workspaces, libraries)
            System.out.printf("rss step=%d VmRSS=%d MB heapCommitted=%d MB heapUsed=%d MB rssMinusHeap=%d MB"
                + " elapsed=%.0f s%n", s, rss, heap, (rt.totalMemory() - rt.freeMemory()) >> 20, rss - heap,
                (System.nanoTime() - t0) / 1e9);
          }
          scstStep(p, batch(r), new OptimizerSettings(1e-5, 50));
        }
      }
    }
  }

  private static void scstStep(Seq2SeqPolicy p, int[][][] b, OptimizerSettings opt) {
    Rollout s = p.sample(b[0], 1, 1.0, 35);
    Rollout g = p.greedy(b[0], 35);
    double[][] adv = new double[s.rows()][s.maxLength()];
    for (int i = 0; i < s.rows(); i++) {
      double a = -distance(s.hypothesis(i), b[1][i]) + distance(g.hypothesis(i), b[1][i]);
      Arrays.fill(adv[i], 0, s.lengths()[i], a);
    }
    p.update(new PolicyGradientBatch(s, adv, null, null, 0.01, 0.0), opt);
  }

  /** Levenshtein distance, inline so the benchmark needs nothing beyond the policy. */
  private static int distance(int[] a, int[] b) {
    int[] prev = new int[b.length + 1];
    int[] cur = new int[b.length + 1];
    for (int j = 0; j <= b.length; j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length; i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length; j++) {
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length];
  }

  /** Random character strings of length 20-30; the target is the reversed source. */
  private static int[][][] batch(Random r) {
    int[][] src = new int[BATCH][];
    int[][] tgt = new int[BATCH][];
    for (int i = 0; i < BATCH; i++) {
      int len = 20 + r.nextInt(11);
      src[i] = new int[len];
      tgt[i] = new int[len];
      for (int t = 0; t < len; t++) {
        src[i][t] = 4 + r.nextInt(VOCAB - 4);
      }
      for (int t = 0; t < len; t++) {
        tgt[i][t] = src[i][len - 1 - t];
      }
    }
    return new int[][][] {src, tgt};
  }

  private static double median(int reps, Runnable body) {
    for (int i = 0; i < 3; i++) {
      body.run(); // warm-up, excluded
    }
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < reps; i++) {
      long t = System.nanoTime();
      body.run();
      ms.add((System.nanoTime() - t) / 1e6);
    }
    ms.sort(null);
    return ms.get(ms.size() / 2);
  }

  private static long rssMb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }
}
