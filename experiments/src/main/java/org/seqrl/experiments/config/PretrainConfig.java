package org.seqrl.experiments.config;

/** Maximum-likelihood (teacher-forced) pre-training before RL; steps 0 skips it. */
public record PretrainConfig(int steps, int batchSize, double learningRate, double maxGradNorm) {
  public PretrainConfig {
    Checks.atLeast("pretrain.steps", steps, 0);
    Checks.atLeast("pretrain.batch_size", batchSize, 1);
    Checks.positive("pretrain.learning_rate", learningRate);
    Checks.positive("pretrain.max_grad_norm", maxGradNorm);
  }

  public static PretrainConfig defaults() {
    return new PretrainConfig(2000, 32, 0.001, 50);
  }
}
