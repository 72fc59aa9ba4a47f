import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.seqrl.agents.SameDiffPolicy;
import org.seqrl.agents.SameDiffSeq2Seq;
import org.seqrl.agents.Seq2SeqConfig;
import org.seqrl.agents.Seq2SeqPolicy;
import org.seqrl.experiments.bench.ModelBenchmark;
import org.seqrl.rl.OptimizerSettings;

/**
 * SameDiff SCST step time with the step graph against re-running the unrolled graph on the prefix
 * (A/B helper, not shipped). The model benchmark's model and batch (vocabulary 30, embedding 64,
 * hidden 256, batch 32, sources of 20-30 tokens, graph unrolled to 30 x 35); both sides get the same
 * weights, pre-trained on the fast engine so decodes run to about the reference length, and run
 * alternately (prefix, step, prefix, step, ...) in one process, so load hits both alike.
 * Usage: java -cp experiments/target/classes:experiments/target/lib/* SameDiffStepBench.java [reps 3] [attention none,additive] [pretrain 150]
 */
public class SameDiffStepBench {
  /** The reference sizes' decode cap and longest source (ModelBenchmark.Sizes.REFERENCE). */
  static final int MAX_LEN = 35;
  static final int MAX_SOURCE = 30;

  public static void main(String[] a) {
    int reps = a.length > 0 ? Integer.parseInt(a[0]) : 3;
    String[] attentions = (a.length > 1 ? a[1] : "none,additive").split(",");
    int pretrain = a.length > 2 ? Integer.parseInt(a[2]) : 150;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (String att : attentions) {
      Seq2SeqConfig cfg = ModelBenchmark.referenceConfig(att);
      try (Seq2SeqPolicy fast = new Seq2SeqPolicy(cfg);
          SameDiffPolicy prefix = SameDiffSeq2Seq.policy(cfg, MAX_SOURCE, MAX_LEN, false);
          SameDiffPolicy step = SameDiffSeq2Seq.policy(cfg, MAX_SOURCE, MAX_LEN, true)) {
        Random r = new Random(5);
        for (int i = 0; i < pretrain; i++) {
          int[][][] b = ModelBenchmark.referenceBatch(r);
          fast.mleStep(b[0], b[1], new OptimizerSettings(ModelBenchmark.PRETRAIN_LR, 50));
        }
        SameDiffSeq2Seq.copyWeights(fast, prefix);
        SameDiffSeq2Seq.copyWeights(fast, step);
        SameDiffPolicy[] sides = {prefix, step};
        String[] names = {"prefix", "step"};
        double[][] wall = new double[2][reps];
        double[][] cpu = new double[2][reps];
        double[][] decoded = new double[2][reps];
        for (int i = -1; i < reps; i++) { // i = -1: warm-up of each side
          int[][][] b = ModelBenchmark.referenceBatch(new Random(100 + i));
          for (int s = 0; s < 2; s++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            // the model benchmark's scst_step: sample + greedy + Levenshtein SCST advantage + update
            int len = ModelBenchmark.scstStep(sides[s], b, MAX_LEN).maxLength();
            long w1 = System.nanoTime();
            long c1 = mx.getCurrentThreadCpuTime();
            if (i >= 0) {
              wall[s][i] = (w1 - w0) / 1e9;
              cpu[s][i] = (c1 - c0) / 1e9;
              decoded[s][i] = len;
            }
            System.out.printf(Locale.ROOT, "{\"attention\": \"%s\", \"side\": \"%s\", \"rep\": %d, \"wall_s\": %.3f, \"cpu_s\": %.3f, \"decoder_steps\": %d}%n",
                att, names[s], i, (w1 - w0) / 1e9, (c1 - c0) / 1e9, len);
          }
        }
        System.out.printf(Locale.ROOT, "SUMMARY attention %s: SCST step median wall prefix %.3f s, step %.3f s (prefix/step %.1fx); "
            + "median thread CPU prefix %.3f s, step %.3f s (%.1fx); per-rep wall ratios %s; decoder steps %s vs %s%n",
            att, median(wall[0]), median(wall[1]), median(wall[0]) / median(wall[1]), median(cpu[0]), median(cpu[1]),
            median(cpu[0]) / median(cpu[1]), ratios(wall[0], wall[1]), Arrays.toString(decoded[0]), Arrays.toString(decoded[1]));
      }
    }
  }

  static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static String ratios(double[] a, double[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < a.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", a[i] / b[i]));
    }
    return sb.toString();
  }
}
