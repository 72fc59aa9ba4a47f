import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import org.seqrl.agents.NtmSpec;
import org.seqrl.agents.Seq2SeqConfig;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.LayerConnections;
import org.seqrl.agents.Seq2SeqPolicy;
import org.seqrl.rl.OptimizerSettings;

/** Thread CPU ms per MLE step and per greedy batch for stacked and NTM models (A/B helper, not shipped). */
public class StackBench {
  public static void main(String[] a) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Object[][] cases = {
        {"gru1_additive", Seq2SeqConfig.builder(30, 30).embedding(64).hidden(128).attention(Attention.ADDITIVE).seed(3).build()},
        {"gru3x3_dense_additive", Seq2SeqConfig.builder(30, 30).embedding(64).hidden(128).encoderLayers(3).decoderLayers(3)
            .layerConnections(LayerConnections.DENSE).attention(Attention.ADDITIVE).seed(3).build()},
        {"lstm3x3_residual_dot", Seq2SeqConfig.builder(30, 30).embedding(64).hidden(128).cell(CellType.LSTM).encoderLayers(3)
            .decoderLayers(3).layerConnections(LayerConnections.RESIDUAL).attention(Attention.DOT).seed(3).build()},
        {"ntm", Seq2SeqConfig.builder(30, 30).embedding(32).hidden(64).cell(CellType.NTM)
            .memory(new NtmSpec(32, 16, 1, 1, 1, NtmSpec.Controller.LSTM, 1e-6)).seed(3).build()},
    };
    int reps = Integer.parseInt(a.length > 0 ? a[0] : "12");
    for (Object[] c : cases) {
      if (a.length > 1 && !((String) c[0]).equals(a[1])) {
        continue;
      }
      try (Seq2SeqPolicy p = new Seq2SeqPolicy((Seq2SeqConfig) c[1])) {
        Random r = new Random(1);
        OptimizerSettings opt = new OptimizerSettings(1e-3, 5.0);
        double[] mle = new double[reps];
        double[] greedy = new double[reps];
        for (int i = -4; i < reps; i++) {
          int[][][] b = batch(r);
          long t0 = mx.getCurrentThreadCpuTime();
          p.mleStep(b[0], b[1], opt);
          long t1 = mx.getCurrentThreadCpuTime();
          p.greedy(b[0], 25);
          long t2 = mx.getCurrentThreadCpuTime();
          if (i >= 0) {
            mle[i] = (t1 - t0) / 1e6;
            greedy[i] = (t2 - t1) / 1e6;
          }
        }
        System.out.printf("{\"case\": \"%s\", \"mle_cpu_ms\": %.2f, \"greedy_cpu_ms\": %.2f}%n", c[0], median(mle), median(greedy));
      }
    }
  }

  static int[][][] batch(Random r) {
    int[][] s = new int[32][];
    int[][] t = new int[32][];
    for (int i = 0; i < 32; i++) {
      s[i] = new int[10 + r.nextInt(11)];
      for (int k = 0; k < s[i].length; k++) {
        s[i][k] = 4 + r.nextInt(26);
      }
      t[i] = s[i].clone();
    }
    return new int[][][] {s, t};
  }

  static double median(double[] x) {
    double[] y = x.clone();
    Arrays.sort(y);
    return y[y.length / 2];
  }
}
