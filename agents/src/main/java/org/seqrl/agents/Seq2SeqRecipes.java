package org.seqrl.agents;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.seqrl.agents.Params.Param;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.PpoClip;
import org.seqrl.rl.PpoMath;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.UpdateStats;

/**
 * The RL recipes of a {@link Seq2SeqPolicy}, written on its forward, backward and optimizer step:
 * the PPO-clip update, the MLE-mixed update, the gradient without a step (diagnostics), and the frozen reference policy with the
 * log-probabilities of a given rollout under either (KL penalty, PPO).
 */
final class Seq2SeqRecipes {
  private final Seq2SeqPolicy policy;
  /** The frozen reference (a policy of the same shape that never trains), or null before {@link #freezeReference}. */
  private Seq2SeqPolicy reference;

  Seq2SeqRecipes(Seq2SeqPolicy policy) {
    this.policy = policy;
  }

  /**
   * PPO-clip: one forward, the log-probabilities of the rows' tokens from its logits, the token
   * weights from the importance ratios ({@link PpoMath#tokenWeight}), then the usual backward.
   */
  UpdateStats optimizeClipped(PolicyGradientBatch batch, Decoder.Pass keptPass, OptimizerSettings opt) {
    policy.params.zeroGrad();
    policy.params.syncMirror();
    Objective o = Objective.policyGradient(batch);
    Decoder.Pass pass = keptPass != null ? keptPass : policy.teacherForced(o, true);
    Rollout ro = batch.rollout();
    PpoClip ppo = batch.ppo();
    double[][] now = ppo.currentLogProbs();
    float[] logits = pass.keptLogits(); // once: the ratios and the backward read the same logits
    SequenceLoss.logProbs(logits, policy.decoder.vocab(), pass.rows(), pass.steps(), ro.tokens(), ro.lengths(), now);
    int n = ro.rows();
    for (int i = 0; i < n; i++) {
      double[] w = o.weight()[i];
      double[] old = ro.logProbs()[i];
      double[] a = batch.advantages()[i];
      for (int t = 0; t < ro.lengths()[i]; t++) {
        w[t] = PpoMath.tokenWeight(Math.exp(now[i][t] - old[t]), a[t], ppo.clipRange()) / n;
      }
    }
    Seq2SeqPolicy.LossParts lp = policy.backward(pass, logits, o);
    double norm = policy.adamStep(opt);
    double surrogate = PpoMath.surrogateLoss(batch);
    // the weighted NLL only carries the surrogate's gradient; its value is reported instead
    return new UpdateStats(surrogate - lp.entropyTerm() + o.criticCoefficient() * lp.critic(), surrogate, lp.critic(),
        lp.meanEntropy(), norm, lp.tokens());
  }

  UpdateStats mixedUpdate(PolicyGradientBatch batch, int[][] targets, double mleWeight,
      OptimizerSettings optimizer) {
    if (!(mleWeight >= 0 && mleWeight <= 1)) {
      throw new IllegalArgumentException("mleWeight must be in [0, 1], got " + mleWeight);
    }
    if (targets.length != batch.rollout().inputs()) {
      throw new IllegalArgumentException("mixedUpdate: " + batch.rollout().inputs() + " inputs but " + targets.length
          + " targets");
    }
    if (batch.ppo() != null) {
      throw new IllegalArgumentException("mixedUpdate does not take a PPO batch");
    }
    policy.requireHeadsFor(batch);
    Decoder.Pass keptPass = policy.kept.take(batch.rollout(), policy.params.version(), !policy.encoder.random(true) && !policy.decoder.random(true));
    policy.params.zeroGrad();
    policy.params.syncMirror();
    Objective pg = Objective.policyGradient(batch);
    Seq2SeqPolicy.LossParts rl = keptPass != null ? policy.backward(keptPass, pg) : policy.lossAndGradients(pg, true);
    // the policy-gradient part's stats stay unweighted; its gradient is weighted before the MLE part adds in
    policy.params.scaleGrad(1 - mleWeight);
    Objective mle = Objective.mle(batch.rollout().sources(), targets, policy.config().labelSmoothing());
    for (double[] w : mle.weight()) {
      for (int t = 0; t < w.length; t++) {
        w[t] *= mleWeight;
      }
    }
    Seq2SeqPolicy.LossParts ml = policy.lossAndGradients(mle, true);
    double norm = policy.adamStep(optimizer);
    return new UpdateStats((1 - mleWeight) * rl.loss() + ml.loss(), rl.policy(), rl.critic(), rl.meanEntropy(), norm,
        rl.tokens());
  }

  /**
   * The policy-gradient loss's gradient, flattened in parameter order, without a step: from the kept
   * pass of a seeded sample of the same rollout when there is one, else a pass as an update's would
   * run (dropout on), after which the dropout generator is put back. The
   * parameters' gradient buffers are scratch that every update zeroes first.
   */
  double[] policyGradient(PolicyGradientBatch batch) {
    if (batch.ppo() != null) {
      throw new IllegalArgumentException("policyGradient takes a plain policy-gradient batch, not a PPO-clip one");
    }
    policy.requireHeadsFor(batch);
    long dropoutState = policy.dropoutRng.state();
    Decoder.Pass pass = policy.diagnosticKept.take(batch.rollout(), policy.params.version(),
        !policy.encoder.random(true) && !policy.decoder.random(true));
    policy.params.zeroGrad();
    policy.params.syncMirror();
    Objective o = Objective.policyGradient(batch);
    if (pass != null) {
      policy.backward(pass, o);
    } else {
      policy.lossAndGradients(o, true);
    }
    policy.dropoutRng.setState(dropoutState);
    int total = 0;
    for (Param p : policy.params.all()) {
      total += p.size();
    }
    double[] g = new double[total];
    int at = 0;
    for (Param p : policy.params.all()) {
      for (int i = 0; i < p.grad.length; i++) {
        g[at++] = p.grad[i];
      }
    }
    return g;
  }

  void freezeReference() {
    if (reference == null) {
      reference = new Seq2SeqPolicy(policy.config());
    }
    for (Param p : policy.params.all()) {
      System.arraycopy(p.value, 0, reference.params.get(p.name).value, 0, p.size());
    }
    reference.params.markChanged();
  }

  boolean hasReference() {
    return reference != null;
  }

  void logProbs(Rollout rollout, PolicyParameters parameters, double[][] out) {
    Seq2SeqPolicy p = parameters == PolicyParameters.CURRENT ? policy : reference;
    if (p == null) {
      throw new IllegalStateException("no reference policy: call freezeReference first");
    }
    tokenLogProbs(p, rollout, out);
  }


  /** A teacher-forced pass without dropout (the policy as it decodes) over the rollout's rows. */
  private static void tokenLogProbs(Seq2SeqPolicy p, Rollout ro, double[][] out) {
    p.params.syncMirror();
    Objective rows = new Objective(ro.sources(), Objective.repeatIndex(ro.inputs(), ro.samplesPerInput()), ro.tokens(),
        ro.lengths(), null, null, null, null, 0, ro.rows());
    Decoder.Pass pass = p.teacherForced(rows, false);
    SequenceLoss.logProbs(pass.keptLogits(), p.decoder.vocab(), pass.rows(), pass.steps(), ro.tokens(), ro.lengths(), out);
  }

  /** Saves the reference, if any, into {@code directory} (inside the policy's own checkpoint folder). */
  void saveReference(Path directory) throws IOException {
    if (reference != null) {
      reference.save(directory);
    }
  }

  /** Restores the reference from {@code directory}, or drops it when there is none: a model saved before RL has none. */
  void restoreReference(Path directory) throws IOException {
    if (Files.isDirectory(directory)) {
      if (reference == null) {
        reference = new Seq2SeqPolicy(policy.config());
      }
      reference.restore(directory);
    } else {
      closeReference();
    }
  }

  void closeReference() {
    if (reference != null) {
      reference.close();
      reference = null;
    }
  }
}
