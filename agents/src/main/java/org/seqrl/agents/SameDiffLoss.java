package org.seqrl.agents;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SeqRL's loss on a {@link SameDiffPolicy}'s graph: added to the graph once (with its backward graph),
 * then evaluated per objective by feeding per-token weights as placeholders.
 */
final class SameDiffLoss {
  /** The first id that is an action: PAD (0) and START (1) are not (see {@link LossMath#isAction}). */
  private static final int FIRST_ACTION = 2;
  private static final String TARGET_WEIGHTS = "seqrl_target_weights";
  private static final String ENTROPY_WEIGHTS = "seqrl_entropy_weights";
  private static final String SEQ_TARGETS = "seqrl_sequence_targets";
  private static final String SEQ_WEIGHTS = "seqrl_sequence_weights";
  private static final String STEP_TARGETS = "seqrl_step_targets";
  private static final String STEP_WEIGHTS = "seqrl_step_weights";
  private static final String CRITIC_COEFFICIENT = "seqrl_critic_coefficient";
  private static final String LOG_PROBS = "seqrl_log_probs";
  private static final String WEIGHTED_LOG_LIKELIHOOD = "seqrl_weighted_log_likelihood";
  private static final String ENTROPIES = "seqrl_entropies";
  private static final String ENTROPY_TERM = "seqrl_entropy_term";
  private static final String CRITIC_LOSS = "seqrl_critic_loss";
  private static final String LOSS = "seqrl_loss";

  private final SameDiff sd;
  private final SameDiffInputs feed;
  private final SameDiffVariables variables;
  private final String logits;
  private final String decoderInput;
  private final String sequenceValue;
  private final String stepValues;
  private final int vocab;

  /** Adds the loss to {@code sd} (whose trainable variables {@code variables} has already taken). */
  SameDiffLoss(SameDiff sd, SameDiffInputs feed, SameDiffVariables variables, String logits, String decoderInput,
      String sequenceValue, String stepValues, int vocab) {
    this.sd = sd;
    this.feed = feed;
    this.variables = variables;
    this.logits = logits;
    this.decoderInput = decoderInput;
    this.sequenceValue = sequenceValue;
    this.stepValues = stepValues;
    this.vocab = vocab;
    addLoss();
  }

  /**
   * The loss of docs/design.md on top of the user's logits. Per-token weights arrive as placeholders
   * (weight × one-hot of the target, so one product picks log π(y) and weights it), which makes MLE
   * and every baseline one graph: L = −Σ W·log π − Σ e·H + c·critic.
   */
  private void addLoss() {
    // PAD and START (ids 0 and 1) are never actions: the softmax runs over the other columns only, so
    // no log-probability is -inf (a mask of -1e9 underflows to -inf in M2.1's logSoftmax, and 0·-inf is NaN)
    SDVariable flat = sd.reshape(sd.getVariable(logits), -1, vocab);
    SDVariable actions = flat.get(SDIndex.all(), SDIndex.interval(FIRST_ACTION, vocab));
    // logSoftmax on the last axis of a rank-2 array: the form whose backward works in M2.1 (STACK-NOTES.md)
    SDVariable logp = sd.nn().logSoftmax(LOG_PROBS, actions);
    SDVariable w = sd.reshape(sd.placeHolder(TARGET_WEIGHTS, DataType.FLOAT, -1, -1, vocab - FIRST_ACTION), -1, vocab - FIRST_ACTION);
    SDVariable ll = sd.sum(WEIGHTED_LOG_LIKELIHOOD, logp.mul(w));
    SDVariable ent = sd.sum(sd.math().exp(logp).mul(logp), 1).neg(ENTROPIES);
    SDVariable ew = sd.reshape(sd.placeHolder(ENTROPY_WEIGHTS, DataType.FLOAT, -1, -1), -1);
    SDVariable entTerm = sd.sum(ENTROPY_TERM, ent.mul(ew));
    SDVariable critic = null;
    if (sequenceValue != null) {
      SDVariable d = sd.reshape(sd.getVariable(sequenceValue), -1).sub(sd.placeHolder(SEQ_TARGETS, DataType.FLOAT, -1));
      critic = sd.sum(d.mul(d).mul(sd.placeHolder(SEQ_WEIGHTS, DataType.FLOAT, -1)));
    }
    if (stepValues != null) {
      SDVariable d = sd.reshape(sd.getVariable(stepValues), -1)
          .sub(sd.reshape(sd.placeHolder(STEP_TARGETS, DataType.FLOAT, -1, -1), -1));
      SDVariable s = sd.sum(d.mul(d).mul(sd.reshape(sd.placeHolder(STEP_WEIGHTS, DataType.FLOAT, -1, -1), -1)));
      critic = critic == null ? s : critic.add(s);
    }
    SDVariable loss = ll.neg().sub(entTerm);
    if (critic != null) {
      critic = sd.identity(CRITIC_LOSS, critic);
      loss = loss.add(sd.sum(critic.mul(sd.placeHolder(CRITIC_COEFFICIENT, DataType.FLOAT, 1))));
    }
    loss = sd.identity(LOSS, loss);
    sd.setLossVariables(loss);
    createGradientFunctionQuietly();
  }

  /**
   * M2.1's SameDiff prints one "Added differentiated op" line per op to System.out while it builds the
   * backward graph (hundreds for an unrolled model); build it here, up front, with those lines dropped.
   */
  private void createGradientFunctionQuietly() {
    java.io.PrintStream out = System.out;
    System.setOut(new java.io.PrintStream(out, true) {
      @Override
      public void println(String x) {
        if (x == null || !x.startsWith("Added differentiated op")) {
          super.println(x);
        }
      }
    });
    try {
      sd.createGradFunction();
    } finally {
      System.setOut(out);
    }
  }

  /** Loss, its parts and the gradient of every trainable variable (by name) for one objective; parameters unchanged. */
  SameDiffPolicy.Evaluated evaluate(Objective o) {
    int r = o.tokens().length;
    int[][] rowSources = new int[r][];
    for (int i = 0; i < r; i++) {
      rowSources[i] = o.sources()[o.sourceOfRow()[i]];
    }
    Map<String, INDArray> ph = feed.inputs(rowSources, SameDiffInputs.shifted(o.tokens(), o.lengths()));
    int t = (int) ph.get(decoderInput).size(1);
    float[] w = new float[r * t * (vocab - FIRST_ACTION)];
    float[] ew = new float[r * t];
    float[] tokenMask = new float[r * t];
    int tokens = 0;
    for (int i = 0; i < r; i++) {
      for (int k = 0; k < o.lengths()[i]; k++) {
        int y = o.tokens()[i][k];
        if (y < FIRST_ACTION || y >= vocab) {
          throw new IllegalArgumentException("target row " + i + " position " + k + ": token id " + y
              + " is not an action of the vocabulary of size " + vocab + " (expected " + FIRST_ACTION + ".." + (vocab - 1) + ")");
        }
        w[(i * t + k) * (vocab - FIRST_ACTION) + y - FIRST_ACTION] = (float) o.weight()[i][k];
        ew[i * t + k] = o.entropyWeight() == null ? 0f : (float) o.entropyWeight()[i][k];
        tokenMask[i * t + k] = 1f;
        tokens++;
      }
    }
    ph.put(TARGET_WEIGHTS, Nd4j.create(w, new long[] {r, t, vocab - FIRST_ACTION}, 'c'));
    ph.put(ENTROPY_WEIGHTS, Nd4j.create(ew, new long[] {r, t}, 'c'));
    List<String> outs = new ArrayList<>(List.of(LOSS, WEIGHTED_LOG_LIKELIHOOD, ENTROPY_TERM, ENTROPIES));
    if (sequenceValue != null || stepValues != null) {
      outs.add(CRITIC_LOSS);
      ph.put(CRITIC_COEFFICIENT, Nd4j.createFromArray((float) o.criticCoefficient()));
      double n = o.rowsNorm();
      if (sequenceValue != null) {
        float[] tg = new float[r];
        float[] sw = new float[r];
        if (o.sequenceTargets() != null) {
          for (int i = 0; i < r; i++) {
            tg[i] = (float) o.sequenceTargets()[i];
            sw[i] = (float) (1.0 / n);
          }
        }
        ph.put(SEQ_TARGETS, Nd4j.createFromArray(tg));
        ph.put(SEQ_WEIGHTS, Nd4j.createFromArray(sw));
      }
      if (stepValues != null) {
        float[] tg = new float[r * t];
        float[] sw = new float[r * t];
        if (o.stepTargets() != null) {
          for (int i = 0; i < r; i++) {
            for (int k = 0; k < o.lengths()[i]; k++) {
              tg[i * t + k] = (float) o.stepTargets()[i][k];
              sw[i * t + k] = (float) (1.0 / n);
            }
          }
        }
        ph.put(STEP_TARGETS, Nd4j.create(tg, new long[] {r, t}, 'c'));
        ph.put(STEP_WEIGHTS, Nd4j.create(sw, new long[] {r, t}, 'c'));
      }
    }
    OutAndGrad og = sd.calculateGradientsAndOutputs(ph, outs, variables.names());
    Map<String, INDArray> out = og.getOutputs();
    double nll = -out.get(WEIGHTED_LOG_LIKELIHOOD).getDouble(0);
    double entTerm = out.get(ENTROPY_TERM).getDouble(0);
    double criticLoss = out.containsKey(CRITIC_LOSS) ? out.get(CRITIC_LOSS).getDouble(0) : 0;
    float[] ents = SameDiffInputs.floats(out.get(ENTROPIES));
    double entSum = 0;
    for (int k = 0; k < ents.length; k++) {
      entSum += tokenMask[k] * ents[k];
    }
    double total = out.get(LOSS).getDouble(0);
    return new SameDiffPolicy.Evaluated(new Seq2SeqPolicy.LossParts(total, nll, entTerm, criticLoss, tokens == 0 ? 0 : entSum / tokens, tokens),
        og.getGradients());
  }
}
