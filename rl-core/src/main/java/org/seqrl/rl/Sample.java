package org.seqrl.rl;

/**
 * One evaluated example, for people to read: the greedy (and one sampled) output with rewards.
 *
 * @param attention the greedy decode's attention weights {@code [step][sourcePosition]}, or null
 */
public record Sample(int[] source, int[][] references, int[] greedy, double greedyReward, int[] sampled,
    double sampledReward, double[][] attention) {}
