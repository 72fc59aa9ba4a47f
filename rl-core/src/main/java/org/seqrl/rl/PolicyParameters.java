package org.seqrl.rl;

/** Which parameters of a policy score a rollout: the ones being trained, or the frozen reference copy. */
public enum PolicyParameters {
  /** The parameters as they are now. */
  CURRENT,
  /** The copy frozen by {@link SequencePolicy#freezeReference} (the model RL started from). */
  REFERENCE
}
