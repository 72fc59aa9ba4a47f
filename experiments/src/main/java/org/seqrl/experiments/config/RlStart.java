package org.seqrl.experiments.config;

/**
 * Which pre-trained model RL starts from: the one at the end of pre-training, or the pre-training
 * evaluation that scored best on {@code eval.best_metric} (the MLE model's own best point).
 */
public enum RlStart {
  FINAL,
  BEST
}
