package org.seqrl.rl;

/**
 * What one optimizer step reports.
 *
 * @param loss the total loss that was minimised
 * @param policyLoss the policy-gradient (or, for MLE, the negative log-likelihood per sequence) part
 * @param criticLoss the critic part before its coefficient (0 without critic heads)
 * @param entropy mean per-token entropy of the policy on the batch
 * @param gradNorm global L2 norm of the gradient before clipping
 * @param tokens number of unmasked tokens in the batch
 */
public record UpdateStats(
    double loss, double policyLoss, double criticLoss, double entropy, double gradNorm, int tokens) {}
