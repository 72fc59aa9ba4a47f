package org.seqrl.rl;

/**
 * How the trainer runs PPO-clip ({@link PpoClip}): each sampled batch is used for {@code epochs}
 * passes, each in {@code minibatches} minibatches of whole inputs (all k samples of an input stay
 * together, so group baselines keep their groups), shuffled per epoch from {@code seed} and the RL
 * step, so a resumed run shuffles as an uninterrupted one.
 *
 * @param epochs passes over each sampled batch, >= 1
 * @param minibatches minibatches per pass, >= 1
 * @param clipRange the ratio clip eps, > 0
 * @param valueClipRange the critic clip, or 0 for an unclipped critic loss
 * @param seed of the minibatch shuffle
 */
public record PpoSettings(int epochs, int minibatches, double clipRange, double valueClipRange, long seed) {
  public PpoSettings {
    if (epochs < 1) {
      throw new IllegalArgumentException("PPO epochs must be >= 1, got " + epochs);
    }
    if (minibatches < 1) {
      throw new IllegalArgumentException("PPO minibatches must be >= 1, got " + minibatches);
    }
    // the ranges are checked where they are used, once
    new PpoClip(clipRange, valueClipRange, new double[0][]);
  }
}
