package org.seqrl.agents;

import org.seqrl.agents.Seq2SeqConfig.CriticTrunk;
import org.seqrl.rl.CriticHead;

/**
 * The critic heads a policy carries: V(x) from the encoder's final states (one value per source,
 * shared by its rows) and V(x, y<t) from the decoder's features before each step. With a shared
 * trunk their gradients flow into the encoder and decoder; with a separate one they stop at the heads.
 */
final class Critics {
  /** Null when the policy carries no sequence head. */
  final ValueHead sequence;
  /** Null when the policy carries no step head. */
  final ValueHead step;
  private final boolean shared;

  /** Adds {@code vseq.*} then {@code vstep.*}, for the heads the config asks for. */
  Critics(Seq2SeqConfig cfg, Blas blas, Params params, int encWidth, int featureWidth, Rng init) {
    sequence = cfg.criticHeads().contains(CriticHead.SEQUENCE)
        ? new ValueHead(blas, params, "vseq", encWidth, cfg.criticHidden(), init) : null;
    step = cfg.criticHeads().contains(CriticHead.STEP)
        ? new ValueHead(blas, params, "vstep", featureWidth, cfg.criticHidden(), init) : null;
    shared = cfg.criticTrunk() == CriticTrunk.SHARED;
  }

  /** V(x) of each decoder row's source, or null without a sequence head. */
  double[] sequenceValues(Encoding en, int[] srcOf) {
    if (sequence == null) {
      return null;
    }
    double[] v = sequence.values(en.fin, 0, en.batch);
    double[] rows = new double[srcOf.length];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = v[srcOf[i]];
    }
    return rows;
  }

  /** Critic loss (before its coefficient) and, with a shared trunk, the gradients of the final states and of the decoder's kept features. */
  record Result(double loss, float[] dFinals, float[] dFeatures) {}

  /** Squared errors of the heads against the objective's targets, over the rows of a kept decoder pass; adds the heads' gradients. */
  Result backward(Objective o, Encoding en, Decoder.Pass pass) {
    int[] srcOf = o.sourceOfRow();
    int r = pass.rows();
    int tt = pass.steps();
    int rows = tt * r;
    double loss = 0;
    float[] dFin = null;
    float[] dFeatures = null;
    if (o.sequenceTargets() != null && sequence != null) {
      // V(x) depends on the source only: rows of one source share a value, their gradients add up
      int b = en.batch;
      double[] v = sequence.values(en.fin, 0, b);
      double[] vRows = new double[r];
      double[] wt = new double[r];
      double[] gRows = new double[r];
      for (int i = 0; i < r; i++) {
        vRows[i] = v[srcOf[i]];
        wt[i] = 1.0 / o.rowsNorm();
      }
      if (o.oldSequenceValues() != null) {
        loss += LossMath.clippedSquaredError(vRows, o.oldSequenceValues(), o.sequenceTargets(), wt, o.valueClip(), gRows);
      } else {
        loss += LossMath.squaredError(vRows, o.sequenceTargets(), wt, gRows);
      }
      float[] gv = new float[b];
      for (int i = 0; i < r; i++) {
        gv[srcOf[i]] += (float) (gRows[i] * o.criticCoefficient());
      }
      float[] dIn = sequence.backward(en.fin, b, gv);
      if (shared) {
        dFin = dIn;
      }
    }
    if (o.stepTargets() != null && step != null) {
      float[] features = pass.keptFeatures();
      double[] v = step.values(features, 0, rows);
      double[] tg = new double[rows];
      double[] wt = new double[rows];
      for (int i = 0; i < r; i++) {
        for (int t = 0; t < tt && t < o.lengths()[i]; t++) {
          tg[t * r + i] = o.stepTargets()[i][t];
          wt[t * r + i] = 1.0 / o.rowsNorm();
        }
      }
      double[] gd = new double[rows];
      if (o.oldStepValues() != null) {
        double[] old = new double[rows];
        for (int i = 0; i < r; i++) {
          for (int t = 0; t < tt && t < o.lengths()[i]; t++) {
            old[t * r + i] = o.oldStepValues()[i][t];
          }
        }
        loss += LossMath.clippedSquaredError(v, old, tg, wt, o.valueClip(), gd);
      } else {
        loss += LossMath.squaredError(v, tg, wt, gd);
      }
      float[] gv = new float[rows];
      for (int i = 0; i < rows; i++) {
        gv[i] = (float) (gd[i] * o.criticCoefficient());
      }
      float[] dIn = step.backward(features, rows, gv);
      if (shared) {
        dFeatures = dIn;
      }
    }
    return new Result(loss, dFin, dFeatures);
  }
}
