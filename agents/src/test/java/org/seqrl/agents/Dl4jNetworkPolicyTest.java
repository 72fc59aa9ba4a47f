package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;

/**
 * A DL4J MultiLayerNetwork (embedding, LSTMs, time-distributed dense logits) as a policy: the
 * gradients it gets from SeqRL's external errors are the loss's (finite differences, double
 * precision), step-by-step decoding with rnnTimeStep gives the teacher-forced log-probabilities
 * (beams too, through the reordered state), checkpoints resume exactly, and it learns to reverse.
 */
class Dl4jNetworkPolicyTest {
  private static final int[][] SOURCES = {{4, 5, 6}, {7, 4}, {5, 5, 6, 7}};
  private static final int[][] TARGETS = {{6, 5, 4}, {4, 7}, {7, 6, 5, 5}};

  @TempDir Path tmp;

  @Test
  void externalErrorGradientsAreTheLossGradients() {
    MultiLayerNetwork net = Dl4jNetworkPolicy.lstmNetwork(8, 8, 4, 5, 2, 3, DataType.DOUBLE);
    Dl4jNetworkPolicy p = new Dl4jNetworkPolicy(net, 8, 8, 4, 1);
    Rollout sample = p.sample(SOURCES, 2, 1.0, 5);
    double[][] adv = new double[sample.rows()][sample.maxLength()];
    Random r = new Random(5);
    for (int i = 0; i < sample.rows(); i++) {
      double a = r.nextGaussian();
      for (int t = 0; t < sample.lengths()[i]; t++) {
        adv[i][t] = a;
      }
    }
    Objective pg = Objective.policyGradient(new PolicyGradientBatch(sample, adv, null, null, 0.05, 0));
    for (Objective o : new Objective[] {Objective.mle(SOURCES, TARGETS), pg}) {
      float[] g = p.evaluate(o).gradient();
      assertArrayEquals(g, p.evaluate(o).gradient(), "a second backward gives the same gradient (nothing accumulates)");
      INDArray w = net.params();
      double worst = 0;
      double scale = 0;
      int at = -1;
      for (int k = 0; k < w.length(); k += 3) { // a third of the entries: every block is reached
        double x = w.getDouble(k);
        w.putScalar(k, x + 1e-6);
        double up = doubleLoss(p, o);
        w.putScalar(k, x - 1e-6);
        double dn = doubleLoss(p, o);
        w.putScalar(k, x);
        double fd = (up - dn) / 2e-6;
        if (Math.abs(fd - g[k]) > worst) {
          worst = Math.abs(fd - g[k]);
          at = k;
        }
        scale = Math.max(scale, Math.abs(fd));
      }
      System.out.printf("DL4J external-error gradient vs finite differences: worst %.2e of largest %.2e at %d of %s%n", worst, scale, at, net.paramTable().entrySet().stream().map(e -> e.getKey() + ":" + e.getValue().length()).toList());
      assertTrue(scale > 1e-2 && worst < 1e-5 * scale + 1e-7, "worst difference " + worst + ", largest entry " + scale);
    }
  }

  @Test
  void stepByStepDecodingGivesTheTeacherForcedLogProbabilities() {
    Dl4jNetworkPolicy p = new Dl4jNetworkPolicy(Dl4jNetworkPolicy.lstmNetwork(8, 8, 4, 6, 1, 9), 8, 8, 4, 1);
    Rollout s = p.sample(SOURCES, 2, 1.0, 5);
    PolicyGradientBatch batch = new PolicyGradientBatch(s, new double[s.rows()][s.maxLength()], null, null, 0, 0);
    Objective o = Objective.policyGradient(batch);
    double[][] lp = teacherForced(p, o);
    for (int i = 0; i < s.rows(); i++) {
      assertArrayEquals(s.logProbs()[i], lp[i], 1e-5, "log-probabilities of sampled row " + i);
    }
    int maxLength = 5;
    Seq2SeqPolicy.BeamResult beams = p.beamSearchWithScores(SOURCES, 3, maxLength);
    int[][] hyp = beams.hypotheses();
    double[][] blp = teacherForced(p, Objective.mle(SOURCES, hyp));
    for (int i = 0; i < hyp.length; i++) {
      double sum = 0;
      int n = hyp[i].length < maxLength ? hyp[i].length + 1 : maxLength; // the end token counts when produced
      for (int t = 0; t < n; t++) {
        sum += blp[i][t];
      }
      assertEquals(beams.scores()[i], sum, 1e-4, "beam score of source " + i + " (state reordered by parent)");
    }
  }

  /** The objective's loss from the network's double logits, in double (SequenceLoss rounds logits to float, too coarse for finite differences). */
  private static double doubleLoss(Dl4jNetworkPolicy p, Objective o) {
    INDArray tm = p.targetLogits(o).dup('c');
    int t = (int) tm.size(0);
    int r = (int) tm.size(1);
    int v = (int) tm.size(2);
    double[][] lg = new double[t * r][];
    int[] ids = new int[t * r];
    double[] w = new double[t * r];
    double[] ew = new double[t * r];
    for (int k = 0; k < t; k++) {
      for (int i = 0; i < r; i++) {
        int row = k * r + i;
        lg[row] = tm.get(org.nd4j.linalg.indexing.NDArrayIndex.point(k), org.nd4j.linalg.indexing.NDArrayIndex.point(i),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).toDoubleVector();
        boolean live = k < o.lengths()[i];
        ids[row] = live ? o.tokens()[i][k] : org.seqrl.rl.Tokens.END;
        w[row] = live ? o.weight()[i][k] : 0;
        ew[row] = live && o.entropyWeight() != null ? o.entropyWeight()[i][k] : 0;
      }
    }
    double[] parts = LossMath.weightedNllWithEntropy(lg, ids, w, ew, new double[t * r][v]);
    return parts[0] - parts[1];
  }

  private static double[][] teacherForced(Dl4jNetworkPolicy p, Objective o) {
    int r = o.tokens().length;
    int t = 1;
    for (int len : o.lengths()) {
      t = Math.max(t, len);
    }
    double[][] out = new double[r][t];
    SequenceLoss.logProbs(p.evaluate(o).logits(), 8, r, t, o.tokens(), o.lengths(), out);
    return out;
  }

  @Test
  void aCheckpointResumesExactly() throws Exception {
    Dl4jNetworkPolicy a = new Dl4jNetworkPolicy(Dl4jNetworkPolicy.lstmNetwork(8, 8, 4, 6, 1, 9), 8, 8, 4, 3);
    OptimizerSettings opt = new OptimizerSettings(0.01, 1.0);
    a.mleStep(SOURCES, TARGETS, opt);
    a.save(tmp.resolve("ck"));
    Dl4jNetworkPolicy b = new Dl4jNetworkPolicy(Dl4jNetworkPolicy.lstmNetwork(8, 8, 4, 6, 1, 77), 8, 8, 4, 99);
    b.restore(tmp.resolve("ck"));
    assertEquals(a.mleStep(SOURCES, TARGETS, opt).loss(), b.mleStep(SOURCES, TARGETS, opt).loss(), 0.0);
    assertArrayEquals(a.network().params().toFloatVector(), b.network().params().toFloatVector(), 0f);
    Rollout sa = a.sample(SOURCES, 2, 1.0, 5);
    Rollout sb = b.sample(SOURCES, 2, 1.0, 5);
    for (int i = 0; i < sa.rows(); i++) {
      assertArrayEquals(sa.tokens()[i], sb.tokens()[i], "sample row " + i + " after resume");
    }
    assertEquals(2, b.steps());
  }

  @Test
  void networksTheAdapterCannotDriveAreRefused() {
    MultiLayerNetwork withOutputLayer = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
        .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE).list()
        .layer(new EmbeddingSequenceLayer.Builder().nIn(16).nOut(4).build())
        .layer(new LSTM.Builder().nIn(4).nOut(4).build())
        .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(8).build()).build());
    withOutputLayer.init();
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
        () -> new Dl4jNetworkPolicy(withOutputLayer, 8, 8, 4, 1));
    assertTrue(ex.getMessage().contains("refuses an external error"), ex.getMessage());
    MultiLayerNetwork withWorkspaces = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
        .list()
        .layer(new EmbeddingSequenceLayer.Builder().nIn(16).nOut(4).build())
        .layer(new LSTM.Builder().nIn(4).nOut(4).build()).build());
    withWorkspaces.init();
    ex = assertThrows(IllegalArgumentException.class, () -> new Dl4jNetworkPolicy(withWorkspaces, 8, 8, 4, 1));
    assertTrue(ex.getMessage().contains("expected NONE"), ex.getMessage());
  }

  @Test
  void learnsToReverseWithMle() {
    int v = LearningTest.VOCAB;
    Dl4jNetworkPolicy p = new Dl4jNetworkPolicy(Dl4jNetworkPolicy.lstmNetwork(v, v, 16, 64, 1, 11), v, v, 5, 2);
    Random data = new Random(1);
    int[][][] test = LearningTest.reverseBatch(new Random(99), 64);
    OptimizerSettings opt = new OptimizerSettings(0.01, 5.0);
    for (int step = 0; step < STEPS; step++) {
      int[][][] b = LearningTest.reverseBatch(data, 32);
      p.mleStep(b[0], b[1], opt);
    }
    double afterMle = exact(p, test);
    System.out.printf("DL4J LSTM language model, reverse, %d MLE steps: exact match %.3f%n", STEPS, afterMle);
    assertTrue(afterMle > 0.8, "exact-match accuracy after MLE: " + afterMle);
  }

  static final int STEPS = 400;

  /** The policy-gradient path has the right sign: a positive advantage makes its sample likelier, a negative one less likely. */
  @Test
  void aPolicyGradientStepMovesSamplesByTheSignOfTheirAdvantage() {
    Dl4jNetworkPolicy p = new Dl4jNetworkPolicy(Dl4jNetworkPolicy.lstmNetwork(8, 8, 4, 6, 1, 9), 8, 8, 4, 4);
    Rollout s = p.sample(SOURCES, 1, 1.0, 5);
    double[][] adv = new double[s.rows()][s.maxLength()];
    for (int t = 0; t < s.maxLength(); t++) {
      adv[0][t] = t < s.lengths()[0] ? 1 : 0;
      adv[1][t] = t < s.lengths()[1] ? -1 : 0;
    }
    PolicyGradientBatch batch = new PolicyGradientBatch(s, adv, null, null, 0, 0);
    Objective o = Objective.policyGradient(batch);
    double[] before = sums(teacherForced(p, o), s.lengths());
    p.update(batch, new OptimizerSettings(0.01, 5.0));
    double[] after = sums(teacherForced(p, o), s.lengths());
    assertTrue(after[0] > before[0] + 1e-3, "log-probability of the rewarded sample: " + before[0] + " -> " + after[0]);
    assertTrue(after[1] < before[1] - 1e-3, "log-probability of the penalised sample: " + before[1] + " -> " + after[1]);
  }

  private static double[] sums(double[][] lp, int[] lengths) {
    double[] s = new double[lp.length];
    for (int i = 0; i < lp.length; i++) {
      for (int t = 0; t < lengths[i]; t++) {
        s[i] += lp[i][t];
      }
    }
    return s;
  }
  

  private static double exact(Dl4jNetworkPolicy p, int[][][] data) {
    Rollout g = p.greedy(data[0], 10);
    int ok = 0;
    for (int i = 0; i < g.rows(); i++) {
      ok += java.util.Arrays.equals(g.hypothesis(i), data[1][i]) ? 1 : 0;
    }
    return (double) ok / g.rows();
  }
}
