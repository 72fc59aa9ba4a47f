package org.seqrl.rl;

import java.util.List;
import org.seqrl.rl.testing.TabularPolicy;

/** Exact expectations over a tabular policy's outputs, for the statistical tests. */
final class Exact {
  private Exact() {}

  /** E[R] for one source by enumeration. */
  static double expectedReward(TabularPolicy p, int[] source, int[][] refs, Reward reward, int maxLength) {
    double e = 0;
    for (TabularPolicy.Outcome o : p.enumerate(source, maxLength)) {
      e += o.probability() * reward.score(o.hypothesis(), refs);
    }
    return e;
  }

  /** ∇E[R] w.r.t. the logits of the given states, by central finite differences of the exact expectation. */
  static double[] policyGradient(TabularPolicy p, int[] source, int[][] refs, Reward reward, int maxLength,
      List<String> states) {
    double h = 1e-5;
    double[] g = new double[states.size() * p.actions()];
    for (int s = 0; s < states.size(); s++) {
      for (int a = 0; a < p.actions(); a++) {
        p.nudgeLogit(states.get(s), a, h);
        double up = expectedReward(p, source, refs, reward, maxLength);
        p.nudgeLogit(states.get(s), a, -2 * h);
        double down = expectedReward(p, source, refs, reward, maxLength);
        p.nudgeLogit(states.get(s), a, h);
        g[s * p.actions() + a] = (up - down) / (2 * h);
      }
    }
    return g;
  }

  static double cosine(double[] a, double[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  static double maxAbsDiff(double[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
