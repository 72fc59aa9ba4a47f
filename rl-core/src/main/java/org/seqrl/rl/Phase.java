package org.seqrl.rl;

/** The part of the schedule a step belongs to. */
public enum Phase { PRETRAIN, RL }
