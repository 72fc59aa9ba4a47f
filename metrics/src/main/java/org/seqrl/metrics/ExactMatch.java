package org.seqrl.metrics;

import java.util.Arrays;
import java.util.List;

/** 1.0 when the hypothesis equals any reference exactly, else 0.0 (no references: 0.0). */
public final class ExactMatch {
  private ExactMatch() {}

  public static double score(String hypothesis, List<String> references) {
    return references.contains(hypothesis) ? 1.0 : 0.0;
  }

  public static double score(int[] hypothesis, int[][] references) {
    for (int[] r : references) {
      if (Arrays.equals(hypothesis, r)) {
        return 1.0;
      }
    }
    return 0.0;
  }
}
