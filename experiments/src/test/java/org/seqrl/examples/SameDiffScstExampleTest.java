package org.seqrl.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.tracking.MlflowClient;
import org.seqrl.experiments.tracking.TestServers;

/** The copyable SameDiff example runs end to end at a tiny size against a real MLflow server. */
class SameDiffScstExampleTest {
  @Test
  void trainsAUserGraphWithScstAndBleuAndLogsToMlflow() {
    String uri = TestServers.shared().uri();
    String runId = SameDiffScstExample.run(uri, 20, 2, 12);
    MlflowClient client = new MlflowClient(uri);
    Run run = client.getRun(runId);
    assertEquals(RunStatus.FINISHED, run.getInfo().getStatus());
    List<Metric> mle = client.getMetricHistory(runId, "pretrain/loss");
    assertEquals(20, mle.size(), "one pretrain/loss per MLE step");
    double first = mle.stream().filter(m -> m.getStep() == 1).findFirst().orElseThrow().getValue();
    double last = mle.stream().filter(m -> m.getStep() == 20).findFirst().orElseThrow().getValue();
    assertTrue(last < first, "MLE lowered the loss: step 1 " + first + ", step 20 " + last);
    assertEquals(2, client.getMetricHistory(runId, "rl/reward_bleu").size(), "one SCST reward per RL step");
    assertFalse(client.getMetricHistory(runId, "rl/greedy_reward_bleu").isEmpty(), "SCST decodes greedily for its baseline");
    assertEquals(1, client.getMetricHistory(runId, "eval/exact_match").size());
  }
}
