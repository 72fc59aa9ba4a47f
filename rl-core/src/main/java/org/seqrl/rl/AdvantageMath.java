package org.seqrl.rl;

/**
 * The formulas of the baseline table in docs/design.md as pure functions on plain arrays. Rows are
 * input-major: row {@code r} belongs to input {@code r / k}.
 */
public final class AdvantageMath {
  private AdvantageMath() {}

  /** Added to GRPO's standard deviation so that a group of near-equal rewards stays finite. */
  public static final double GRPO_EPSILON = 1e-8;

  /** A_r = R_r − b_r for every row. */
  public static double[] minus(double[] rewards, double[] baselines) {
    double[] a = new double[rewards.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = rewards[i] - baselines[i];
    }
    return a;
  }

  /** The per-input value broadcast to each of its k rows. */
  public static double[] perRow(double[] perInput, int k) {
    double[] out = new double[perInput.length * k];
    for (int r = 0; r < out.length; r++) {
      out[r] = perInput[r / k];
    }
    return out;
  }

  /** Self-critical: A_r = R_r − R(ŷ_input(r)). */
  public static double[] scst(double[] rewards, double[] greedyRewards, int k) {
    return minus(rewards, perRow(greedyRewards, k));
  }

  /** Leave-one-out: A_i = R_i − mean_{j≠i} R_j within each group of k ≥ 2 samples. */
  public static double[] rloo(double[] rewards, int k) {
    requireGroups(rewards.length, k, "rloo");
    double[] a = new double[rewards.length];
    for (int g = 0; g < rewards.length; g += k) {
      double sum = 0;
      for (int j = 0; j < k; j++) {
        sum += rewards[g + j];
      }
      for (int i = 0; i < k; i++) {
        a[g + i] = rewards[g + i] - (sum - rewards[g + i]) / (k - 1);
      }
    }
    return a;
  }

  /**
   * Group-relative: A_i = (R_i − mean_j R_j) / (std_j R_j + ε), std the population standard
   * deviation of the group. A group of equal rewards gets exactly 0.
   */
  public static double[] grpo(double[] rewards, int k) {
    requireGroups(rewards.length, k, "grpo");
    double[] a = new double[rewards.length];
    for (int g = 0; g < rewards.length; g += k) {
      // An all-equal group carries no signal; test equality directly because the floating-point
      // mean of equal values can differ from them (three 0.1s average to 0.10000000000000002),
      // and that rounding error divided by std + epsilon would give advantages of ~1e-9.
      boolean allEqual = true;
      for (int j = 1; j < k; j++) {
        allEqual &= rewards[g + j] == rewards[g];
      }
      if (allEqual) {
        continue;
      }
      double mean = 0;
      for (int j = 0; j < k; j++) {
        mean += rewards[g + j];
      }
      mean /= k;
      double var = 0;
      for (int j = 0; j < k; j++) {
        double d = rewards[g + j] - mean;
        var += d * d;
      }
      double std = Math.sqrt(var / k);
      for (int i = 0; i < k; i++) {
        double d = rewards[g + i] - mean;
        a[g + i] = d == 0 ? 0.0 : d / (std + GRPO_EPSILON);
      }
    }
    return a;
  }

  /** Exponential moving average: r̄' = d·r̄ + (1−d)·x. */
  public static double movingAverage(double average, double x, double decay) {
    return decay * average + (1 - decay) * x;
  }

  /** A per-row advantage copied to every unmasked step of its row; zero where masked. */
  public static double[][] broadcast(double[] perRow, Rollout rollout) {
    double[][] a = new double[rollout.rows()][rollout.maxLength()];
    for (int r = 0; r < a.length; r++) {
      java.util.Arrays.fill(a[r], 0, rollout.lengths()[r], perRow[r]);
    }
    return a;
  }

  /** A_rt = x_r − v_rt on unmasked steps (per-step baselines); zero where masked. */
  public static double[][] minusPerStep(double[] perRow, double[][] stepBaselines, Rollout rollout) {
    double[][] a = new double[rollout.rows()][rollout.maxLength()];
    for (int r = 0; r < a.length; r++) {
      for (int t = 0; t < rollout.lengths()[r]; t++) {
        a[r][t] = perRow[r] - stepBaselines[r][t];
      }
    }
    return a;
  }

  static void requireGroups(int rows, int k, String baseline) {
    if (k < 2) {
      throw new IllegalArgumentException("baseline '" + baseline + "' compares several samples of each input, but there is "
          + k + " sample per input; set rl.samples >= 2");
    }
    if (rows % k != 0) {
      throw new IllegalArgumentException(rows + " rows do not split into groups of " + k);
    }
  }
}
