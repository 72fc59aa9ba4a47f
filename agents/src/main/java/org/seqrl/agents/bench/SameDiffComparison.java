package org.seqrl.agents.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqrl.agents.Seq2SeqConfig;
import org.seqrl.agents.Seq2SeqPolicy;
import org.seqrl.rl.OptimizerSettings;

/**
 * One small case to choose the implementation: the teacher-forced MLE gradient of a GRU
 * encoder-decoder (no attention, fixed lengths, no masks) as an unrolled SameDiff graph
 * ({@code sd.calculateGradients}), against {@link Seq2SeqPolicy#mleStep} (hand-written ND4J
 * forward and backward, plus an Adam step). Not a test. Usage: {@code SameDiffComparison [len=25] [reps=5]}
 */
public final class SameDiffComparison {
  public static void main(String[] args) {
    int len = args.length > 0 ? Integer.parseInt(args[0]) : 25;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int b = 32;
    int v = 30;
    int e = 64;
    int h = 256;
    Random r = new Random(1);
    int[][] src = new int[b][len];
    int[][] tgt = new int[b][len - 1]; // plus END: len decoder steps
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < len; t++) {
        src[i][t] = 4 + r.nextInt(v - 4);
        if (t < len - 1) {
          tgt[i][t] = 4 + r.nextInt(v - 4);
        }
      }
    }
    // SameDiff graph
    SameDiff sd = SameDiff.create();
    SDVariable srcOh = sd.placeHolder("src", DataType.FLOAT, (long) len * b, v);
    SDVariable inOh = sd.placeHolder("in", DataType.FLOAT, (long) len * b, v);
    SDVariable labels = sd.placeHolder("labels", DataType.FLOAT, (long) len * b, v);
    Map<String, INDArray> init = new HashMap<>();
    SDVariable embS = param(sd, init, "embS", v, e, 0.3);
    SDVariable embT = param(sd, init, "embT", v, e, 0.3);
    SDVariable[] enc = gruParams(sd, init, "enc", e, h);
    SDVariable[] dec = gruParams(sd, init, "dec", e, h);
    SDVariable bw = param(sd, init, "bridgeW", h, h, 1 / Math.sqrt(h));
    SDVariable wo = param(sd, init, "outW", h, v, 1 / Math.sqrt(h));
    SDVariable bo = param(sd, init, "outB", 1, v, 0.0);
    SDVariable hEnc = sd.zero("h0", DataType.FLOAT, b, h);
    SDVariable xpEnc = srcOh.mmul(embS).mmul(enc[0]).add(enc[2]);
    for (int t = 0; t < len; t++) {
      hEnc = gruStep(sd, xpEnc, t, b, h, hEnc, enc);
    }
    SDVariable hDec = sd.math().tanh(hEnc.mmul(bw));
    SDVariable xpDec = inOh.mmul(embT).mmul(dec[0]).add(dec[2]);
    List<SDVariable> outs = new ArrayList<>();
    for (int t = 0; t < len; t++) {
      hDec = gruStep(sd, xpDec, t, b, h, hDec, dec);
      outs.add(hDec);
    }
    SDVariable all = sd.concat(0, outs.toArray(new SDVariable[0]));
    SDVariable logits = all.mmul(wo).add(bo);
    SDVariable logp = sd.nn().logSoftmax(logits);
    SDVariable loss = logp.mul(labels).sum().mul(-1.0 / b).rename("loss");
    sd.setLossVariables(loss);
    for (Map.Entry<String, INDArray> en : init.entrySet()) {
      sd.getVariable(en.getKey()).setArray(en.getValue());
    }
    Map<String, INDArray> ph = new HashMap<>();
    ph.put("src", oneHotTimeMajor(src, len, b, v));
    int[][] inTok = new int[b][len];
    int[][] outTok = new int[b][len];
    for (int i = 0; i < b; i++) {
      inTok[i][0] = 1;
      for (int t = 0; t < len; t++) {
        outTok[i][t] = t < len - 1 ? tgt[i][t] : 2;
        if (t > 0) {
          inTok[i][t] = tgt[i][t - 1];
        }
      }
    }
    ph.put("in", oneHotTimeMajor(inTok, len, b, v));
    ph.put("labels", oneHotTimeMajor(outTok, len, b, v));
    List<String> names = new ArrayList<>(init.keySet());
    double sdMs = median(reps, () -> sd.calculateGradients(ph, names));
    Seq2SeqConfig cfg = Seq2SeqConfig.builder(v, v).embedding(e).hidden(h).seed(1).build();
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(cfg)) {
      double handMs = median(reps, () -> p.mleStep(src, tgt, new OptimizerSettings(1e-3, 50)));
      System.out.printf("MLE gradient, batch %d, length %d, GRU hidden %d, emb %d, vocab %d, OMP_NUM_THREADS=%s:%n"
          + "  SameDiff unrolled calculateGradients %.1f ms (median of %d)%n"
          + "  hand-written Seq2SeqPolicy.mleStep (gradient + Adam) %.1f ms%n",
          b, len, h, e, v, System.getenv("OMP_NUM_THREADS"), sdMs, reps, handMs);
    }
  }

  private static SDVariable gruStep(SameDiff sd, SDVariable xpAll, int t, int b, int h, SDVariable hPrev, SDVariable[] p) {
    SDVariable xp = xpAll.get(SDIndex.interval((long) t * b, (long) (t + 1) * b), SDIndex.all());
    SDVariable hh = hPrev.mmul(p[1]).add(p[3]);
    SDVariable rz = sd.nn().sigmoid(xp.get(SDIndex.all(), SDIndex.interval(0, 2 * h))
        .add(hh.get(SDIndex.all(), SDIndex.interval(0, 2 * h))));
    SDVariable r = rz.get(SDIndex.all(), SDIndex.interval(0, h));
    SDVariable z = rz.get(SDIndex.all(), SDIndex.interval(h, 2 * h));
    SDVariable n = sd.math().tanh(xp.get(SDIndex.all(), SDIndex.interval(2 * h, 3 * h))
        .add(r.mul(hh.get(SDIndex.all(), SDIndex.interval(2 * h, 3 * h)))));
    return n.add(z.mul(hPrev.sub(n)));
  }

  private static SDVariable[] gruParams(SameDiff sd, Map<String, INDArray> init, String p, int in, int h) {
    double k = 1 / Math.sqrt(h);
    return new SDVariable[] {param(sd, init, p + "Wx", in, 3 * h, k), param(sd, init, p + "Wh", h, 3 * h, k),
        param(sd, init, p + "b", 1, 3 * h, 0), param(sd, init, p + "bh", 1, 3 * h, 0)};
  }

  private static SDVariable param(SameDiff sd, Map<String, INDArray> init, String name, int rows, int cols, double scale) {
    INDArray a = Nd4j.rand(DataType.FLOAT, rows, cols).subi(0.5).muli(2 * scale);
    init.put(name, a);
    return sd.var(name, a);
  }

  private static INDArray oneHotTimeMajor(int[][] ids, int len, int b, int v) {
    INDArray a = Nd4j.zeros(DataType.FLOAT, (long) len * b, v);
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < len; t++) {
        a.putScalar((long) t * b + i, ids[i][t], 1.0);
      }
    }
    return a;
  }

  private static double median(int reps, Runnable body) {
    for (int i = 0; i < 2; i++) {
      body.run();
    }
    double[] ms = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t = System.nanoTime();
      body.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    java.util.Arrays.sort(ms);
    return ms[reps / 2];
  }
}
