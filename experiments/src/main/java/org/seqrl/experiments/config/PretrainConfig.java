package org.seqrl.experiments.config;

import org.seqrl.rl.LearningRateSchedule;
import org.seqrl.rl.LearningRateSchedule.Shape;

/**
 * Maximum-likelihood (teacher-forced) pre-training before RL; steps 0 skips it. The learning rate
 * follows {@code lrSchedule} after {@code warmupSteps}; {@code patience} > 0 ends the phase after
 * that many evaluations without a better {@code eval.best_metric}. {@code labelSmoothing} ε > 0 trains
 * on targets of 1 − ε for the reference token plus ε spread over every action (also the MLE term that
 * {@code rl.mle_weight_start} mixes into RL updates); the {@code pretrain/token_nll} metric stays the plain NLL.
 * {@code emaDecay} d > 0 keeps an exponential moving average of the weights over the MLE steps (decay
 * {@code min(d, (1 + n) / (10 + n))} at update n, so that it forgets the initial weights early); evaluations
 * during pre-training decode with the average, and RL (or the final model) goes on from it.
 */
public record PretrainConfig(int steps, int batchSize, double learningRate, double maxGradNorm, Shape lrSchedule,
                             int warmupSteps, int patience, double labelSmoothing, double emaDecay) {
  public PretrainConfig {
    Checks.atLeast("pretrain.steps", steps, 0);
    Checks.atLeast("pretrain.batch_size", batchSize, 1);
    Checks.positive("pretrain.learning_rate", learningRate);
    Checks.positive("pretrain.max_grad_norm", maxGradNorm);
    Checks.schedule("pretrain", lrSchedule, warmupSteps, steps);
    Checks.atLeast("pretrain.patience", patience, 0);
    Checks.fraction("pretrain.label_smoothing", labelSmoothing, false);
    Checks.fraction("pretrain.ema_decay", emaDecay, false);
  }

  public static PretrainConfig defaults() {
    return new PretrainConfig(2000, 32, 0.001, 50, Shape.CONSTANT, 0, 0, 0, 0);
  }

  /** The decay of the weight average's update after {@code updates} earlier ones (0 when averaging is off). */
  public double emaDecayAt(long updates) {
    return Math.min(emaDecay, (1.0 + updates) / (10.0 + updates));
  }

  /** The learning-rate schedule over this phase's steps. */
  public LearningRateSchedule schedule() {
    return new LearningRateSchedule(lrSchedule, warmupSteps, steps);
  }
}
