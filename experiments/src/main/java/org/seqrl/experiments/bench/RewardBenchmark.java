package org.seqrl.experiments.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.seqrl.metrics.Levenshtein;
import org.seqrl.metrics.NltkBleu;
import org.seqrl.metrics.NltkSmoothing;
import org.seqrl.metrics.PyText;
import org.seqrl.metrics.SacreBleu;
import org.seqrl.metrics.SacreSmoothing;

/**
 * Java side of the reward benchmark (benchmarks/rewards/run.sh): sentence BLEU (nltk semantics,
 * method1) on token ids and on string tokens, sacrebleu-compatible sentence BLEU on raw text,
 * and character Levenshtein (ours and Commons Text's), on one thread over the same corpus as
 * the Python peers. One warm-up pass is excluded; the median of REPS passes is reported, with
 * a checksum (sum of the scores) to show both sides computed the same values.
 *
 * <p>Usage: RewardBenchmark CORPUS.tsv [REPS]. Output lines:
 * name, metric, sentences/s, checksum, pass times (s), tab-separated.
 */
public final class RewardBenchmark {
  private RewardBenchmark() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: RewardBenchmark CORPUS.tsv [REPS]");
      System.exit(2);
    }
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<String> lines = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
    int n = lines.size();
    String[] hyps = new String[n];
    String[] refs = new String[n];
    String[][] hypTok = new String[n][];
    List<List<String[]>> refTok = new java.util.ArrayList<>(n);
    List<List<String>> refLists = new java.util.ArrayList<>(n);
    int[][] hypIds = new int[n][];
    int[][][] refIds = new int[n][][];
    Map<String, Integer> vocab = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String[] parts = lines.get(i).split("\t", -1);
      hyps[i] = parts[0];
      refs[i] = parts[1];
      hypTok[i] = PyText.split(hyps[i]);
      String[] r = PyText.split(refs[i]);
      refTok.add(java.util.Collections.singletonList(r));
      refLists.add(List.of(refs[i]));
      hypIds[i] = ids(hypTok[i], vocab);
      refIds[i] = new int[][] {ids(r, vocab)};
    }
    SacreBleu sacre = new SacreBleu(SacreSmoothing.EXP);
    LevenshteinDistance commons = LevenshteinDistance.getDefaultInstance();
    double[] weights = NltkBleu.uniformWeights(4);

    measure("seqrl-java int ids", "bleu-method1", n, reps, () -> {
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += NltkBleu.sentenceBleu(hypIds[i], refIds[i], weights, NltkSmoothing.METHOD1);
      }
      return s;
    });
    measure("seqrl-java string tokens", "bleu-method1", n, reps, () -> {
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += NltkBleu.sentenceBleu(hypTok[i], refTok.get(i), weights, NltkSmoothing.METHOD1);
      }
      return s;
    });
    measure("seqrl-java raw text", "sacrebleu-exp", n, reps, () -> {
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += sacre.sentenceScore(hyps[i], refLists.get(i));
      }
      return s;
    });
    measure("seqrl-java bit-parallel", "levenshtein-char", n, reps, () -> {
      long s = 0;
      for (int i = 0; i < n; i++) {
        s += Levenshtein.distance(hyps[i], refs[i]);
      }
      return s;
    });
    measure("commons-text LevenshteinDistance", "levenshtein-char", n, reps, () -> {
      long s = 0;
      for (int i = 0; i < n; i++) {
        s += commons.apply(hyps[i], refs[i]);
      }
      return s;
    });
  }

  private static int[] ids(String[] tokens, Map<String, Integer> vocab) {
    int[] out = new int[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      out[i] = vocab.computeIfAbsent(tokens[i], k -> vocab.size());
    }
    return out;
  }

  private static void measure(String name, String metric, int n, int reps, DoubleSupplier pass) {
    pass.getAsDouble(); // warm-up (JIT), excluded
    double[] times = new double[reps];
    double checksum = 0;
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      checksum = pass.getAsDouble();
      times[r] = (System.nanoTime() - t0) / 1e9;
    }
    double[] sorted = times.clone();
    Arrays.sort(sorted);
    double median = reps % 2 == 1 ? sorted[reps / 2] : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
    StringBuilder all = new StringBuilder();
    for (double t : times) {
      all.append(all.length() > 0 ? " " : "").append(String.format(Locale.ROOT, "%.3f", t));
    }
    System.out.println(name + "\t" + metric + "\t" + String.format(Locale.ROOT, "%.1f", n / median) + "\t" + checksum + "\t" + all);
  }
}
