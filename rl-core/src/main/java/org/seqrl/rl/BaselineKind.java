package org.seqrl.rl;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The baseline strategies of docs/design.md, by the names configs use. */
public enum BaselineKind {
  NONE("none"),
  MOVING_AVERAGE("moving-average"),
  SCST("scst"),
  VALUE("value"),
  STEP_VALUE("step-value"),
  SCST_CORRECTION("scst-correction"),
  RLOO("rloo"),
  GRPO("grpo");

  private final String configName;

  BaselineKind(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static BaselineKind parse(String name) {
    String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    for (BaselineKind k : values()) {
      if (k.configName.equals(n)) {
        return k;
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not a baseline; expected one of "
        + Arrays.stream(values()).map(BaselineKind::configName).collect(Collectors.joining(", ")));
  }

  /** A fresh strategy of this kind; {@code movingAverageDecay} is used by MOVING_AVERAGE only. */
  public BaselineStrategy create(double movingAverageDecay) {
    return switch (this) {
      case NONE -> new Stateless(this, false, 1, Set.of());
      case MOVING_AVERAGE -> new MovingAverage(movingAverageDecay);
      case SCST -> new Stateless(this, true, 1, Set.of());
      case VALUE -> new Stateless(this, false, 1, Set.of(CriticHead.SEQUENCE));
      case STEP_VALUE, SCST_CORRECTION -> new Stateless(this, this == SCST_CORRECTION, 1, Set.of(CriticHead.STEP));
      case RLOO, GRPO -> new Stateless(this, false, 2, Set.of());
    };
  }

  /** Every strategy but the moving average: advantages depend on this batch alone. */
  private record Stateless(BaselineKind kind, boolean needsGreedy, int minSamples, Set<CriticHead> heads)
      implements BaselineStrategy {

    @Override
    public BaselineRequirements requirements() {
      return new BaselineRequirements(needsGreedy, minSamples, heads);
    }

    @Override
    public Advantages advantages(Rollout rollout, double[] rewards, double[] greedyRewards) {
      int k = rollout.samplesPerInput();
      if (needsGreedy && greedyRewards == null) {
        throw new IllegalArgumentException("baseline '" + kind.configName + "' needs the greedy decode's rewards");
      }
      return switch (kind) {
        case NONE -> new Advantages(AdvantageMath.broadcast(rewards, rollout), null, null);
        case SCST -> new Advantages(AdvantageMath.broadcast(AdvantageMath.scst(rewards, greedyRewards, k), rollout), null, null);
        case RLOO -> new Advantages(AdvantageMath.broadcast(AdvantageMath.rloo(rewards, k), rollout), null, null);
        case GRPO -> new Advantages(AdvantageMath.broadcast(AdvantageMath.grpo(rewards, k), rollout), null, null);
        case VALUE -> {
          double[] v = require(rollout.sequenceValues(), "sequence");
          yield new Advantages(AdvantageMath.broadcast(AdvantageMath.minus(rewards, v), rollout), rewards.clone(), null);
        }
        case STEP_VALUE -> {
          double[][] v = require(rollout.stepValues(), "per-step");
          yield new Advantages(AdvantageMath.minusPerStep(rewards, v, rollout), null,
              AdvantageMath.broadcast(rewards, rollout));
        }
        case SCST_CORRECTION -> {
          double[][] c = require(rollout.stepValues(), "per-step");
          double[] selfCritical = AdvantageMath.scst(rewards, greedyRewards, k);
          yield new Advantages(AdvantageMath.minusPerStep(selfCritical, c, rollout), null,
              AdvantageMath.broadcast(selfCritical, rollout));
        }
        case MOVING_AVERAGE -> throw new IllegalStateException("moving-average is stateful");
      };
    }

    private <T> T require(T criticOutput, String head) {
      if (criticOutput == null) {
        throw new IllegalArgumentException("baseline '" + kind.configName + "' needs the policy's " + head
            + " critic head, but the rollout has no " + head + " values");
      }
      return criticOutput;
    }
  }

  /**
   * A = R − r̄ with r̄ the exponential average of past batch-mean rewards. The first batch
   * initialises r̄ to its own mean (so its advantages are centred); later batches use the
   * average before it is updated with their mean, so a batch never baselines against itself.
   */
  static final class MovingAverage implements BaselineStrategy {
    private final double decay;
    private double average;
    private boolean initialised;

    MovingAverage(double decay) {
      if (!(decay >= 0 && decay < 1)) {
        throw new IllegalArgumentException("moving-average decay must be in [0, 1), got " + decay);
      }
      this.decay = decay;
    }

    @Override
    public BaselineRequirements requirements() {
      return new BaselineRequirements(false, 1, Set.of());
    }

    @Override
    public Advantages advantages(Rollout rollout, double[] rewards, double[] greedyRewards) {
      double mean = Arrays.stream(rewards).average().orElse(0);
      if (!initialised) {
        average = mean;
        initialised = true;
      }
      double[] baseline = new double[rewards.length];
      Arrays.fill(baseline, average);
      double[] a = AdvantageMath.minus(rewards, baseline);
      average = AdvantageMath.movingAverage(average, mean, decay);
      return new Advantages(AdvantageMath.broadcast(a, rollout), null, null);
    }

    @Override
    public Map<String, Double> state() {
      return Map.of("moving_average", average, "moving_average_initialised", initialised ? 1.0 : 0.0);
    }

    @Override
    public void restore(Map<String, Double> state) {
      average = state.getOrDefault("moving_average", 0.0);
      initialised = state.getOrDefault("moving_average_initialised", 0.0) != 0.0;
    }
  }
}
