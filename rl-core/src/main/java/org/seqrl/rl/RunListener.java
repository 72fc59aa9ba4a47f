package org.seqrl.rl;

/** Reacts to what a run emits; the core never knows who listens (MLflow, console, checkpoints). */
public interface RunListener {
  default void onStep(StepEvent event) {}

  default void onEvaluation(EvaluationEvent event) {}

  default void onEnd() {}
}
