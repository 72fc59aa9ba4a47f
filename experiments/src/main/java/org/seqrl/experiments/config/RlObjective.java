package org.seqrl.experiments.config;

/**
 * How RL uses a sampled batch: one policy-gradient update ({@code policy-gradient}), or PPO-clip's
 * epochs of minibatch updates on importance-weighted, clipped token weights ({@code ppo-clip}).
 */
public enum RlObjective {
  POLICY_GRADIENT,
  PPO_CLIP
}
