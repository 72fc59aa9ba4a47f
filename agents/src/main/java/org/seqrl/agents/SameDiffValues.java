package org.seqrl.agents;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.seqrl.rl.Rollout;

/** The critic values a {@link SameDiffPolicy}'s graph gives a decoded rollout. */
final class SameDiffValues {
  private SameDiffValues() {}

  /**
   * The critic outputs of a decoded rollout: one teacher-forced run on the decoded tokens gives
   * V(s_t) at every position, the same values a step-by-step run would give a causal graph.
   */
  static Rollout withValues(SameDiff sd, SameDiffInputs feed, String sequenceValue, String stepValues, Rollout ro, int[] srcOf) {
    int r = ro.rows();
    int[][] rowSources = new int[r][];
    for (int i = 0; i < r; i++) {
      rowSources[i] = ro.sources()[srcOf[i]];
    }
    List<String> outs = new ArrayList<>();
    if (sequenceValue != null) {
      outs.add(sequenceValue);
    }
    if (stepValues != null) {
      outs.add(stepValues);
    }
    Map<String, INDArray> res = sd.output(feed.inputs(rowSources, SameDiffInputs.shifted(ro.tokens(), ro.lengths())), outs);
    double[] seq = null;
    double[][] stepV = null;
    if (sequenceValue != null) {
      float[] v = SameDiffInputs.floats(res.get(sequenceValue));
      seq = new double[r];
      for (int i = 0; i < r; i++) {
        seq[i] = v[i];
      }
    }
    if (stepValues != null) {
      INDArray a = res.get(stepValues);
      long t = a.length() / r;
      float[] v = SameDiffInputs.floats(a);
      stepV = new double[r][ro.maxLength()];
      for (int i = 0; i < r; i++) {
        for (int k = 0; k < ro.lengths()[i]; k++) {
          stepV[i][k] = v[(int) (i * t + k)];
        }
      }
    }
    return new Rollout(ro.sources(), ro.samplesPerInput(), ro.tokens(), ro.lengths(), ro.logProbs(), ro.entropies(), seq,
        stepV, ro.attention());
  }
}
