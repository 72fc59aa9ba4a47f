package org.seqrl.experiments.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.seqrl.agents.BlasInfo;
import org.seqrl.agents.Engine;
import org.seqrl.agents.Seq2SeqConfig;
import org.seqrl.agents.Seq2SeqPolicy;
import org.seqrl.metrics.Levenshtein;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;

/**
 * SeqRL's side of the model benchmark (benchmarks/run.sh): the same cases, sizes and JSON-lines
 * output as the PyTorch peer in benchmarks/peers/torch_seq2seq.py. Not a test.
 *
 * <p>Usage: {@code ModelBenchmark [--reps N] [--warmup N] [--pretrain N] [--attention none,additive]
 * [--cases mle_step,scst_step,greedy_batch,beam5_batch] [--matmul] [--memory-steps N] [--engine fast|samediff]
 * [--model recurrent|transformer] [--batch 32] [--hidden 256] [--length 20] [--target-vocab 30] [--peak-rss]}.
 * {@code --model transformer} runs {@link Seq2SeqConfig.Transformer#defaults()} (2+2 layers, width
 * 256, 4 heads, feed-forward 1024, pre-norm, sinusoids, tied output; the peer is
 * benchmarks/peers/torch_transformer.py) instead of the recurrent model, and ignores
 * {@code --attention} and {@code --hidden}: its rows say {@code "attention": "multi-head"}. Each run first prints a
 * {@code parameters} line with the model's parameter count, to compare with the peer's.
 * The sizes (the scaling curves of benchmarks/scaling.sh vary them one at a time): sources of
 * {@code length} to {@code 1.5 length} symbols over ids 4..29, the target their reversal, decodes
 * capped at {@code 1.5 length + 5} steps; the output layer is {@code target-vocab} wide (the
 * extra ids never occur in the data, as rare words in a large vocabulary). {@code --peak-rss}
 * ends with the process's peak resident size (VmHWM).
 * With {@code --engine samediff} the same model runs as a SameDiff graph unrolled to the batch's
 * longest source and the decode cap (side {@code seqrl-samediff}).
 * Threads follow {@code OMP_NUM_THREADS}.
 */
public final class ModelBenchmark {
  /** The source vocabulary, and the ids 4..VOCAB-1 the data uses on both sides. */
  static final int VOCAB = 30;

  /** What a run varies; the defaults are the reference setup's (batch 32, hidden 256, lengths 20-30, 30 symbols). */
  record Sizes(int batch, int hidden, int length, int targetVocab) {
    static final Sizes REFERENCE = new Sizes(32, 256, 20, VOCAB);

    Sizes {
      if (batch < 1 || hidden < 1 || length < 2 || targetVocab < VOCAB) {
        throw new IllegalArgumentException("sizes " + this + ": expected batch >= 1, hidden >= 1, length >= 2, "
            + "target-vocab >= " + VOCAB);
      }
    }

    /** The longest source {@link #batch} makes. */
    int maxSource() {
      return length + length / 2;
    }

    /** The decode cap. */
    int maxLen() {
      return maxSource() + 5;
    }
  }

  public static void main(String[] args) throws IOException {
    int reps = 10;
    int warmup = 3;
    int pretrain = 0;
    String attention = "none,additive";
    String cases = "mle_step,scst_step,greedy_batch,beam5_batch";
    boolean matmul = false;
    int memorySteps = 0;
    Engine engine = Engine.FAST;
    String model = "recurrent";
    Sizes ref = Sizes.REFERENCE;
    int batchSize = ref.batch();
    int hidden = ref.hidden();
    int length = ref.length();
    int targetVocab = ref.targetVocab();
    boolean peakRss = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--pretrain" -> pretrain = Integer.parseInt(args[++i]);
        case "--attention" -> attention = args[++i];
        case "--cases" -> cases = args[++i];
        case "--matmul" -> matmul = true;
        case "--memory-steps" -> memorySteps = Integer.parseInt(args[++i]);
        case "--engine" -> engine = Engine.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--model" -> model = args[++i];
        case "--batch" -> batchSize = Integer.parseInt(args[++i]);
        case "--hidden" -> hidden = Integer.parseInt(args[++i]);
        case "--length" -> length = Integer.parseInt(args[++i]);
        case "--target-vocab" -> targetVocab = Integer.parseInt(args[++i]);
        case "--peak-rss" -> peakRss = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; expected --reps, --warmup, "
            + "--pretrain, --attention, --cases, --matmul, --memory-steps, --engine, --model, --batch, --hidden, --length, "
            + "--target-vocab, --peak-rss");
      }
    }
    if (!model.equals("recurrent") && !model.equals("transformer")) {
      throw new IllegalArgumentException("--model " + model + "; expected recurrent or transformer");
    }
    boolean transformer = model.equals("transformer");
    if (transformer) {
      attention = TRANSFORMER_ATTENTION;
    }
    Sizes z = new Sizes(batchSize, hidden, length, targetVocab);
    String threads = System.getenv().getOrDefault("OMP_NUM_THREADS", Integer.toString(Runtime.getRuntime().availableProcessors()));
    if (matmul) {
      measureMatmul(threads);
    }
    for (String att : cases.isBlank() ? new String[0] : attention.split(",")) {
      try (SequencePolicy p = engine.create(config(model, att, z), z.maxSource(), z.maxLen())) {
        String side = engine == Engine.FAST ? "seqrl" : "seqrl-samediff";
        if (engine == Engine.FAST) {
          System.out.printf(Locale.ROOT, "{\"side\": \"%s\", \"model\": \"%s\", \"case\": \"parameters\", \"attention\": \"%s\", "
              + "\"threads\": %s, \"parameters\": %d}%n", side, model, att, threads, parameterCount(p, z));
        }
        Random r = new Random(5);
        // a few MLE steps first, so that both sides decode sequences of about the reference's length
        // (an untrained model stops at a random step of its own)
        double[] losses = new double[pretrain];
        for (int i = 0; i < pretrain; i++) {
          int[][][] b = batch(r, z);
          losses[i] = p.mleStep(b[0], b[1], new OptimizerSettings(PRETRAIN_LR, 50)).loss();
        }
        if (pretrain > 0) {
          // the pretraining must learn: the first and last tenth's mean loss, on stderr beside the JSON
          int k = Math.max(1, pretrain / 10);
          System.err.printf(Locale.ROOT, "%s %s pretrain loss: first %.2f, last %.2f over %d steps%n", side, model,
              Arrays.stream(losses, 0, k).average().orElse(0), Arrays.stream(losses, pretrain - k, pretrain).average().orElse(0), pretrain);
        }
        for (String c : cases.split(",")) {
          double[] decoded = new double[2]; // sum of decoder steps run, batches
          Runnable body = switch (c) {
            case "mle_step" -> () -> {
              int[][][] b = batch(r, z);
              p.mleStep(b[0], b[1], new OptimizerSettings(1e-3, 50));
            };
            case "scst_step" -> () -> count(decoded, scstStep(p, batch(r, z), z.maxLen()).maxLength());
            case "greedy_batch" -> () -> count(decoded, p.greedy(batch(r, z)[0], z.maxLen()).maxLength());
            case "beam5_batch" -> () -> count(decoded, longest(p.beamSearch(batch(r, z)[0], 5, z.maxLen())) + 1);
            default -> throw new IllegalArgumentException("unknown case " + c);
          };
          double[] q = timed(body, warmup, reps);
          String steps = (decoded[1] == 0 ? "" : String.format(Locale.ROOT, ", \"decoder_steps\": %.1f", decoded[0] / decoded[1]))
              + sizesJson(z);
          System.out.printf(Locale.ROOT, "{\"side\": \"%s\", \"model\": \"%s\", \"case\": \"%s\", \"attention\": \"%s\", \"threads\": %s, "
              + "\"median_s\": %.6f, \"q1_s\": %.6f, \"q3_s\": %.6f, \"cpu_median_s\": %.6f, \"reps\": %d, \"pretrain\": %d%s}%n",
              side, model, c, att, threads, q[1], q[0], q[2], q[3], reps, pretrain, steps);
        }
      }
    }
    if (memorySteps > 0) {
      memoryRun(memorySteps, model, attention.split(",")[0], threads, z);
    }
    if (peakRss) {
      System.out.printf(Locale.ROOT, "{\"side\": \"%s\", \"case\": \"peak_rss\", \"attention\": \"%s\", \"threads\": %s, "
          + "\"peak_rss_mb\": %d, \"max_heap_mb\": %d%s}%n", engine == Engine.FAST ? "seqrl" : "seqrl-samediff", attention,
          threads, statusMb("VmHWM:"), Runtime.getRuntime().maxMemory() >> 20, sizesJson(z));
    }
  }

  /** The sizes as JSON fields, so that a row says what it measured. */
  private static String sizesJson(Sizes z) {
    return String.format(Locale.ROOT, ", \"batch\": %d, \"hidden\": %d, \"length\": %d, \"target_vocab\": %d",
        z.batch(), z.hidden(), z.length(), z.targetVocab());
  }

  /** Learning rate of the pre-training steps (the peer uses the same). */
  public static final double PRETRAIN_LR = 3e-3;

  private static void count(double[] acc, int steps) {
    acc[0] += steps;
    acc[1]++;
  }

  private static int longest(int[][] hyps) {
    int n = 0;
    for (int[] h : hyps) {
      n = Math.max(n, h.length);
    }
    return n;
  }

  /** What the transformer's rows carry in the attention column (its attention is not a choice here). */
  static final String TRANSFORMER_ATTENTION = "multi-head";

  /** The recurrent model at the reference sizes with {@code attention} (none, additive, ...), for the A/B helpers in benchmarks/. */
  public static Seq2SeqConfig referenceConfig(String attention) {
    return config("recurrent", attention, Sizes.REFERENCE);
  }

  static Seq2SeqConfig config(String model, String attention, Sizes z) {
    if (model.equals("transformer")) {
      return Seq2SeqConfig.builder(VOCAB, z.targetVocab()).transformer(Seq2SeqConfig.Transformer.defaults()).seed(1).build();
    }
    return Seq2SeqConfig.builder(VOCAB, z.targetVocab()).embedding(64).hidden(z.hidden())
        .attention(Seq2SeqConfig.Attention.valueOf(attention.trim().toUpperCase(Locale.ROOT))).seed(1).build();
  }

  /**
   * The policy's parameter count: the length of its flattened gradient, which
   * {@link SequencePolicy#policyGradient} returns without changing the policy (one greedy decode of
   * a batch from a generator of its own, zero advantages); -1 where the engine has no such gradient.
   */
  static long parameterCount(SequencePolicy p, Sizes z) {
    Rollout g = p.greedy(batch(new Random(0), z)[0], z.maxLen());
    try {
      return p.policyGradient(new PolicyGradientBatch(g, new double[g.rows()][g.maxLength()], null, null, 0.0, 0.0)).length;
    } catch (UnsupportedOperationException e) {
      return -1;
    }
  }

  /**
   * Sample 32 + greedy 32 + Levenshtein reward + policy-gradient update with entropy 0.01, clip 50; returns the sample.
   * Public for the A/B helpers in benchmarks/ (SameDiffStepBench), which time the same step.
   */
  public static Rollout scstStep(SequencePolicy p, int[][][] b, int maxLen) {
    Rollout s = p.sample(b[0], 1, 1.0, maxLen);
    Rollout g = p.greedy(b[0], maxLen);
    double[][] adv = new double[s.rows()][s.maxLength()];
    for (int i = 0; i < s.rows(); i++) {
      int[][] refs = {b[1][i]};
      double a = -Levenshtein.minDistance(s.hypothesis(i), refs) + Levenshtein.minDistance(g.hypothesis(i), refs);
      Arrays.fill(adv[i], 0, s.lengths()[i], a);
    }
    p.update(new PolicyGradientBatch(s, adv, null, null, 0.01, 0.0), new OptimizerSettings(1e-5, 50));
    return s;
  }

  /** A batch of the reference sizes (32 sources of 20-30 symbols and their reversals), for the A/B helpers in benchmarks/. */
  public static int[][][] referenceBatch(Random r) {
    return batch(r, Sizes.REFERENCE);
  }

  /** Random strings of length L to 1.5 L over ids 4..29; the target is the reversed source. */
  static int[][][] batch(Random r, Sizes z) {
    int[][] src = new int[z.batch()][];
    int[][] tgt = new int[z.batch()][];
    for (int i = 0; i < z.batch(); i++) {
      int len = z.length() + r.nextInt(z.maxSource() - z.length() + 1);
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

  /** {q1, median, q3} in seconds, warm-up excluded. */
  /**
   * Quartiles of the wall time of {@code body}, and the median of the CPU time of this thread (with
   * one BLAS thread every product runs on it): on a shared machine the CPU time moves much less
   * with other processes' load than the wall time does.
   */
  static double[] timed(Runnable body, int warmup, int reps) {
    for (int i = 0; i < warmup; i++) {
      body.run();
    }
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    double[] s = new double[reps];
    double[] cpu = new double[reps];
    for (int i = 0; i < reps; i++) {
      long c = mx.getCurrentThreadCpuTime();
      long t = System.nanoTime();
      body.run();
      s[i] = (System.nanoTime() - t) / 1e9;
      cpu[i] = (mx.getCurrentThreadCpuTime() - c) / 1e9;
    }
    Arrays.sort(s);
    Arrays.sort(cpu);
    return new double[] {quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75), quantile(cpu, 0.5)};
  }

  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /** This CPU's float32 matrix-multiply rate (1024^3 sgemm through the policies' BLAS path), for the lower bounds. */
  static void measureMatmul(String threads) {
    int n = 1024;
    int reps = 10;
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long c0 = mx.getCurrentThreadCpuTime();
    double gflops = BlasInfo.sgemmGflops(n, reps);
    long c1 = mx.getCurrentThreadCpuTime();
    BlasInfo.sgemmGflops(n, 2);
    long c2 = mx.getCurrentThreadCpuTime();
    // the rate per CPU second of this thread (with one BLAS thread the products run on it): the two
    // calls differ by reps - 2 products, so the setup cancels; on a loaded machine it moves much less
    // than the wall-time rate, and goes with the steps' cpu_median_s
    double cpuGflops = 2.0 * n * n * n * (reps - 2) / ((c1 - c0) - (c2 - c1));
    String cpu = "1".equals(threads) ? String.format(Locale.ROOT, ", \"cpu_gflops\": %.2f", cpuGflops) : "";
    System.out.printf(Locale.ROOT, "{\"side\": \"seqrl\", \"case\": \"matmul_1024\", \"threads\": %s, \"median_s\": %.6f, "
        + "\"gflops\": %.2f%s, \"blas\": \"%s\"}%n", threads, 2.0 * n * n * n / gflops / 1e9, gflops, cpu, BlasInfo.describe());
  }

  /** Resident memory over a long run of SCST steps, sampled 20 times. */
  static void memoryRun(int steps, String model, String attention, String threads, Sizes z) throws IOException {
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(config(model, attention, z))) {
      Random r = new Random(6);
      int every = Math.max(1, steps / 20);
      long t0 = System.nanoTime();
      List<String> samples = new ArrayList<>();
      for (int s = 0; s <= steps; s++) {
        if (s % every == 0) {
          samples.add(String.format(Locale.ROOT, "[%d, %d, %.1f]", s, rssMb(), (System.nanoTime() - t0) / 1e9));
        }
        if (s < steps) {
          scstStep(p, batch(r, z), z.maxLen());
        }
      }
      System.out.printf(Locale.ROOT, "{\"side\": \"seqrl\", \"model\": \"%s\", \"case\": \"memory\", \"attention\": \"%s\", \"threads\": %s, "
          + "\"steps\": %d, \"rss_mb\": [%s]}%n", model, attention, threads, steps, String.join(", ", samples));
    }
  }

  static long rssMb() throws IOException {
    return statusMb("VmRSS:");
  }

  /** A size field of /proc/self/status in MB (VmRSS: resident now, VmHWM: its peak), -1 where there is none. */
  static long statusMb(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }
}
