package org.seqrl.experiments.train;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.seqrl.rl.EvaluationEvent;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.StepEvent;

/**
 * One listener that forwards to many, so that listeners needing the built run (its
 * vocabularies, its directory) can join after the trainer exists.
 */
final class ListenerHub implements RunListener {
  private final List<RunListener> listeners = new CopyOnWriteArrayList<>();

  void add(RunListener listener) {
    listeners.add(listener);
  }

  @Override
  public void onStep(StepEvent event) {
    listeners.forEach(l -> l.onStep(event));
  }

  @Override
  public void onEvaluation(EvaluationEvent event) {
    listeners.forEach(l -> l.onEvaluation(event));
  }

  @Override
  public void onEnd() {
    listeners.forEach(RunListener::onEnd);
  }
}
