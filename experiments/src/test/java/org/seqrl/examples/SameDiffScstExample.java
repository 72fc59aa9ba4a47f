package org.seqrl.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.tracking.MlflowClient;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.seqrl.agents.SameDiffPolicy;
import org.seqrl.metrics.NltkSmoothing;
import org.seqrl.rl.BaselineKind;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.Rewards;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.StepEvent;
import org.seqrl.rl.Tokens;
import org.seqrl.rl.Trainer;
import org.seqrl.rl.TrainerSettings;

/**
 * Bring your own model: a copyable example. It builds a small LSTM encoder-decoder as a SameDiff
 * graph (any graph with the same three inputs and a logits output would do: a transformer decoder,
 * a graph imported from TensorFlow or ONNX), wraps it as a SeqRL policy, pre-trains it by maximum
 * likelihood and then trains it with self-critical sequence training (SCST) and a sentence-BLEU
 * reward on the reverse task, and logs every step to MLflow.
 *
 * <pre>
 *   java ... org.seqrl.examples.SameDiffScstExample http://127.0.0.1:5000 [mleSteps] [rlSteps]
 * </pre>
 *
 * What SeqRL needs from the graph: placeholders {@code source_ids [R, S]} (int), {@code source_mask
 * [R, S]} (float, 1 on real tokens) and {@code decoder_input [R, T]} (int: START, then the previous
 * tokens), and an output {@code logits [R, T, V]} whose position t depends on positions 0..t only.
 * Token ids 0-3 are PAD, START, END and UNKNOWN ({@link Tokens}). SeqRL adds the losses, computes
 * gradients with SameDiff's autodiff, and decodes by re-running the graph on the growing prefix.
 */
public final class SameDiffScstExample {
  /** Symbols 4, 5, 6: vocabulary of 7 with the reserved ids. */
  static final int VOCAB = 7;
  static final int MAX_LEN = 3;

  private SameDiffScstExample() {}

  public static void main(String[] args) {
    String tracking = args.length > 0 ? args[0] : "http://127.0.0.1:5000";
    int mleSteps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    int rlSteps = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    System.out.println("MLflow run " + run(tracking, mleSteps, rlSteps, 32));
  }

  /** Trains and returns the MLflow run id. */
  static String run(String trackingUri, int mleSteps, int rlSteps, int hidden) {
    MlflowClient mlflow = new MlflowClient(trackingUri);
    String experiment = mlflow.getExperimentByName("samediff-example")
        .map(e -> e.getExperimentId())
        .orElseGet(() -> mlflow.createExperiment("samediff-example"));
    String runId = mlflow.createRun(experiment).getRunId();
    mlflow.logParam(runId, "model", "samediff lstm encoder-decoder, hidden " + hidden);
    mlflow.logParam(runId, "baseline", "scst");
    mlflow.logParam(runId, "reward", "bleu (nltk method1)");

    // 1. The model: any SameDiff graph with the three inputs and the logits output.
    SameDiff graph = lstmEncoderDecoder(VOCAB, 8, hidden, MAX_LEN, MAX_LEN + 1, 42);
    try (SameDiffPolicy policy = SameDiffPolicy.builder(graph, VOCAB).seed(42).build()) {
      // 2. Listeners see every step's metrics; this one sends them to MLflow in batches.
      List<Metric> pending = new ArrayList<>();
      RunListener toMlflow = new RunListener() {
        @Override
        public void onStep(StepEvent e) {
          long now = System.currentTimeMillis();
          e.metrics().forEach((k, v) -> pending.add(Metric.newBuilder().setKey(k).setValue(v).setTimestamp(now)
              .setStep(e.step()).build()));
          if (pending.size() > 500) {
            flush();
          }
        }

        @Override
        public void onEnd() {
          flush();
        }

        private void flush() {
          mlflow.logBatch(runId, pending, List.of(), List.of());
          pending.clear();
        }
      };
      // 3. SeqRL's trainer: MLE steps, then SCST with a BLEU reward (2 samples per input, entropy bonus 0.01).
      TrainerSettings settings = new TrainerSettings(2, 1.0, MAX_LEN + 1, 0.01, 0.0,
          new OptimizerSettings(0.003, 5.0), new OptimizerSettings(0.02, 5.0));
      Trainer trainer = new Trainer(policy, Rewards.bleu(NltkSmoothing.METHOD1), BaselineKind.SCST.create(0.0), settings,
          List.of(toMlflow));
      Random data = new Random(7);
      for (int s = 0; s < mleSteps; s++) {
        int[][][] b = reverseBatch(data, 16);
        trainer.mleStep(b[0], b[1]);
      }
      for (int s = 0; s < rlSteps; s++) {
        int[][][] b = reverseBatch(data, 16);
        int[][][] refs = new int[16][][];
        for (int i = 0; i < 16; i++) {
          refs[i] = new int[][] {b[1][i]};
        }
        trainer.rlStep(b[0], refs);
      }
      // 4. Held-out exact match of greedy decoding.
      int[][][] test = reverseBatch(new Random(99), 50);
      var greedy = policy.greedy(test[0], MAX_LEN + 1);
      int right = 0;
      for (int i = 0; i < 50; i++) {
        right += java.util.Arrays.equals(greedy.hypothesis(i), test[1][i]) ? 1 : 0;
      }
      toMlflow.onStep(new StepEvent(org.seqrl.rl.Phase.RL, trainer.step(), java.util.Map.of("eval/exact_match", right / 50.0)));
      toMlflow.onEnd();
    }
    mlflow.setTerminated(runId, RunStatus.FINISHED);
    return runId;
  }

  /** Sources of 1..MAX_LEN symbols and their reversals. */
  static int[][][] reverseBatch(Random r, int n) {
    int[][] src = new int[n][];
    int[][] tgt = new int[n][];
    for (int i = 0; i < n; i++) {
      int len = 1 + r.nextInt(MAX_LEN);
      src[i] = new int[len];
      tgt[i] = new int[len];
      for (int t = 0; t < len; t++) {
        src[i][t] = Tokens.FIRST_REGULAR + r.nextInt(VOCAB - Tokens.FIRST_REGULAR);
      }
      for (int t = 0; t < len; t++) {
        tgt[i][t] = src[i][len - 1 - t];
      }
    }
    return new int[][][] {src, tgt};
  }

  /**
   * An LSTM encoder-decoder unrolled to {@code s} source and {@code t} decoder positions: padded
   * source positions keep the state (mask), the decoder starts from the encoder's final state.
   */
  public static SameDiff lstmEncoderDecoder(int vocab, int emb, int hidden, int s, int t, long seed) {
    SameDiff sd = SameDiff.create();
    SDVariable src = sd.placeHolder("source_ids", DataType.INT, -1, s);
    SDVariable mask = sd.placeHolder("source_mask", DataType.FLOAT, -1, s);
    SDVariable dec = sd.placeHolder("decoder_input", DataType.INT, -1, t);
    Nd4j.getRandom().setSeed(seed);
    double k = 1 / Math.sqrt(hidden);
    SDVariable table = sd.var("emb", Nd4j.randn(DataType.FLOAT, vocab, emb).muli(0.3));
    SDVariable encW = sd.var("enc.W", Nd4j.randn(DataType.FLOAT, emb + hidden, 4 * hidden).muli(k));
    SDVariable encB = sd.var("enc.b", Nd4j.zeros(DataType.FLOAT, 1, 4 * hidden));
    SDVariable decW = sd.var("dec.W", Nd4j.randn(DataType.FLOAT, emb + hidden, 4 * hidden).muli(k));
    SDVariable decB = sd.var("dec.b", Nd4j.zeros(DataType.FLOAT, 1, 4 * hidden));
    SDVariable outW = sd.var("out.W", Nd4j.randn(DataType.FLOAT, hidden, vocab).muli(k));
    SDVariable outB = sd.var("out.b", Nd4j.zeros(DataType.FLOAT, 1, vocab));

    // a zero state [R, H] whatever the batch size R
    SDVariable zero = sd.mmul(sd.expandDims(sd.sum(mask, 1), 1).mul(0.0), sd.constant(Nd4j.zeros(DataType.FLOAT, 1, hidden)));
    SDVariable h = zero;
    SDVariable c = zero;
    SDVariable[] ids = sd.unstack(src, 1, s);
    SDVariable[] m = sd.unstack(mask, 1, s);
    for (int p = 0; p < s; p++) {
      SDVariable[] next = lstmStep(sd, embed(sd, ids[p], table, vocab), h, c, encW, encB, hidden);
      SDVariable keep = sd.expandDims(m[p], 1); // 1: a real token updates the state, 0: padding keeps it
      h = next[0].sub(h).mul(keep).add(h);
      c = next[1].sub(c).mul(keep).add(c);
    }
    SDVariable[] in = sd.unstack(dec, 1, t);
    List<SDVariable> logits = new ArrayList<>();
    for (int p = 0; p < t; p++) {
      SDVariable[] next = lstmStep(sd, embed(sd, in[p], table, vocab), h, c, decW, decB, hidden);
      h = next[0];
      c = next[1];
      logits.add(sd.mmul(h, outW).add(outB));
    }
    sd.identity("logits", sd.stack(1, logits.toArray(new SDVariable[0])));
    return sd;
  }

  /** Embeddings of ids [R] as one-hot rows times the table. */
  private static SDVariable embed(SameDiff sd, SDVariable ids, SDVariable table, int vocab) {
    return sd.mmul(sd.oneHot(ids, vocab, -1, 1.0, 0.0, DataType.FLOAT), table);
  }

  /** One LSTM step: gates i, f, o, g from [x, h] W + b; c' = f c + i g; h' = o tanh(c'). */
  private static SDVariable[] lstmStep(SameDiff sd, SDVariable x, SDVariable h, SDVariable c, SDVariable w, SDVariable b,
      int hidden) {
    SDVariable z = sd.mmul(sd.concat(1, x, h), w).add(b);
    SDVariable i = sd.nn().sigmoid(z.get(SDIndex.all(), SDIndex.interval(0, hidden)));
    SDVariable f = sd.nn().sigmoid(z.get(SDIndex.all(), SDIndex.interval(hidden, 2 * hidden)));
    SDVariable o = sd.nn().sigmoid(z.get(SDIndex.all(), SDIndex.interval(2 * hidden, 3 * hidden)));
    SDVariable g = sd.math().tanh(z.get(SDIndex.all(), SDIndex.interval(3 * hidden, 4 * hidden)));
    SDVariable cNext = f.mul(c).add(i.mul(g));
    return new SDVariable[] {o.mul(sd.math().tanh(cNext)), cNext};
  }
}
