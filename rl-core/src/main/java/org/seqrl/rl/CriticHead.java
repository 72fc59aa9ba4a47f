package org.seqrl.rl;

/**
 * The learned critic outputs a policy can carry. The baseline strategy decides what a head
 * is trained towards (a value or a correction); the policy only computes it and fits it to
 * the targets it is given.
 */
public enum CriticHead {
  /** One scalar per input, from the encoder's final state: V(x). */
  SEQUENCE,
  /** One scalar per decoding step, from the decoder state before the token: V(s_t) or C(s_t). */
  STEP
}
