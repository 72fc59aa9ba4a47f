package org.seqrl.agents;

import java.nio.file.Path;
import java.util.Set;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.PolicyParameters;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.UpdateStats;

/**
 * A policy made of trained models that only decodes with them (an ensemble, rescoring): it has no
 * parameters of its own to train or save, so those methods refuse, naming what to do instead.
 */
abstract class DecodingOnlyPolicy implements SequencePolicy {
  private final String what;
  private final String models;

  /** @param what how messages name it ("an ensemble"); @param models how they name its models ("its members") */
  DecodingOnlyPolicy(String what, String models) {
    this.what = what;
    this.models = models;
  }

  private UnsupportedOperationException decodesOnly(String task) {
    return new UnsupportedOperationException(what + " only decodes; " + task + " belongs to " + models
        + " (train, save or restore each model on its own)");
  }

  @Override
  public Set<CriticHead> criticHeads() {
    return Set.of();
  }

  @Override
  public boolean hasReference() {
    return false;
  }

  @Override
  public UpdateStats update(PolicyGradientBatch batch, OptimizerSettings optimizer) {
    throw decodesOnly("a policy-gradient update");
  }

  @Override
  public UpdateStats mleStep(int[][] sources, int[][] targets, OptimizerSettings optimizer) {
    throw decodesOnly("an MLE step");
  }

  @Override
  public UpdateStats mixedUpdate(PolicyGradientBatch batch, int[][] targets, double mleWeight, OptimizerSettings optimizer) {
    throw decodesOnly("a mixed update");
  }

  @Override
  public void logProbs(Rollout rollout, PolicyParameters parameters, double[][] out) {
    throw decodesOnly("scoring a rollout's tokens");
  }

  @Override
  public void freezeReference() {
    throw decodesOnly("a frozen reference");
  }

  @Override
  public void save(Path directory) {
    throw decodesOnly("saving");
  }

  @Override
  public void restore(Path directory) {
    throw decodesOnly("restoring");
  }
}
