package org.seqrl.rl;

/**
 * Per-token advantages and critic targets for one rollout.
 *
 * @param perStep {@code [rows][maxLength]} advantages, zero where masked
 * @param sequenceTargets {@code [rows]} targets of the SEQUENCE critic head, or null
 * @param stepTargets {@code [rows][maxLength]} targets of the STEP critic head (zero where masked), or null
 */
public record Advantages(double[][] perStep, double[] sequenceTargets, double[][] stepTargets) {}
