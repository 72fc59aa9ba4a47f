package org.seqrl.rl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RL step of docs/design.md, top to bottom: sample, score, advantages, update, report.
 * Pre-training steps (teacher-forced MLE) go through the same trainer so that a run can switch
 * from likelihood to RL and keep one step counter.
 */
public final class Trainer {

  private final SequencePolicy policy;
  private final Reward reward;
  private final BaselineStrategy baseline;
  private final TrainerSettings settings;
  private final List<RunListener> listeners;
  private long step;
  /** Steps taken in each phase, for the learning-rate schedules. */
  private long mleSteps;
  private long rlSteps;

  public Trainer(SequencePolicy policy, Reward reward, BaselineStrategy baseline, TrainerSettings settings,
      List<RunListener> listeners) {
    this.policy = policy;
    this.reward = reward;
    this.baseline = baseline;
    this.settings = settings;
    this.listeners = List.copyOf(listeners);
    BaselineRequirements req = baseline.requirements();
    if (settings.samplesPerInput() < req.minSamplesPerInput()) {
      throw new IllegalArgumentException("the baseline needs at least " + req.minSamplesPerInput()
          + " samples per input, but samplesPerInput is " + settings.samplesPerInput());
    }
    if (!policy.criticHeads().containsAll(req.criticHeads())) {
      throw new IllegalArgumentException("the baseline needs critic heads " + req.criticHeads()
          + " but the policy carries " + policy.criticHeads());
    }
  }

  /** One policy-gradient step on a batch of inputs with their references. */
  public StepResult rlStep(int[][] sources, int[][][] references) {
    long start = System.nanoTime();
    BaselineRequirements needs = baseline.requirements();

    // 1. Sample k sequences per input (and the greedy decode when the baseline compares with it).
    Rollout rollout = policy.sample(sources, settings.samplesPerInput(), settings.temperature(), settings.maxLength());
    Rollout greedy = needs.needsGreedy() ? policy.greedy(sources, settings.maxLength()) : null;

    // 2. Score them.
    double[] rewards = Rewards.scoreRows(reward, rollout, references);
    double[] greedyRewards = greedy == null ? null : Rewards.scoreRows(reward, greedy, references);

    // 3. Advantages (constants for the gradient) and critic targets.
    Advantages advantages = baseline.advantages(rollout, rewards, greedyRewards);

    // 4. One optimizer step, at the learning rate the schedule gives this RL step.
    OptimizerSettings optimizer = settings.rl().scaled(settings.rlSchedule().factor(rlSteps));
    UpdateStats update = policy.update(new PolicyGradientBatch(rollout, advantages.perStep(),
        advantages.sequenceTargets(), advantages.stepTargets(), settings.entropyCoefficient(),
        settings.criticLossCoefficient()), optimizer);
    requireFinite(update, "RL");
    step++;
    rlSteps++;

    // 5. Report (names: MetricNames; reward-valued metrics carry the reward's name).
    String r = MetricNames.rewardSegment(reward.name());
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(MetricNames.rlReward(reward.name()), mean(rewards));
    m.put("rl/reward_std_" + r, std(rewards));
    if (greedyRewards != null) {
      m.put("rl/greedy_reward_" + r, mean(greedyRewards));
    }
    double[] tokenAdvantages = unmasked(advantages.perStep(), rollout);
    m.put("rl/advantage_mean", mean(tokenAdvantages));
    m.put("rl/advantage_std", std(tokenAdvantages));
    m.put("rl/policy_loss", update.policyLoss());
    if (!needs.criticHeads().isEmpty()) {
      // Without a critic the loss is identically 0: a flat line that reads like a result.
      m.put("rl/critic_loss", update.criticLoss());
    }
    m.put("rl/loss", update.loss());
    m.put("rl/entropy", update.entropy());
    m.put("rl/grad_norm", update.gradNorm());
    m.put("rl/lr", optimizer.learningRate());
    m.put("rl/seq_length", (double) rollout.tokenCount() / rollout.rows());
    componentMeans(rollout, references).forEach((k, v) -> m.put(MetricNames.rlReward(k), v));
    m.put("perf/rl_steps_per_s", 1e9 / Math.max(1, System.nanoTime() - start));
    return report(Phase.RL, update, m);
  }

  /** One teacher-forced maximum-likelihood step. */
  public StepResult mleStep(int[][] sources, int[][] targets) {
    long start = System.nanoTime();
    OptimizerSettings optimizer = settings.mle().scaled(settings.mleSchedule().factor(mleSteps));
    UpdateStats update = policy.mleStep(sources, targets, optimizer);
    requireFinite(update, "MLE");
    step++;
    mleSteps++;
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("pretrain/loss", update.loss());
    m.put("pretrain/token_nll", update.policyLoss() * sources.length / Math.max(1, update.tokens()));
    m.put("pretrain/entropy", update.entropy());
    m.put("pretrain/grad_norm", update.gradNorm());
    m.put("pretrain/lr", optimizer.learningRate());
    m.put("perf/pretrain_steps_per_s", 1e9 / Math.max(1, System.nanoTime() - start));
    return report(Phase.PRETRAIN, update, m);
  }

  private StepResult report(Phase phase, UpdateStats update, Map<String, Double> metrics) {
    StepEvent event = new StepEvent(phase, step, Map.copyOf(metrics));
    listeners.forEach(l -> l.onStep(event));
    return new StepResult(step, update, event.metrics());
  }

  private void requireFinite(UpdateStats u, String kind) {
    if (!Double.isFinite(u.loss()) || !Double.isFinite(u.gradNorm())) {
      throw new NonFiniteLossException(kind + " update at step " + (step + 1) + " gave loss " + u.loss()
          + " and gradient norm " + u.gradNorm());
    }
  }

  private Map<String, Double> componentMeans(Rollout rollout, int[][][] references) {
    Map<String, Double> sums = new LinkedHashMap<>();
    for (int r = 0; r < rollout.rows(); r++) {
      reward.components(rollout.hypothesis(r), references[rollout.inputOf(r)]).forEach((k, v) -> sums.merge(k, v, Double::sum));
    }
    sums.replaceAll((k, v) -> v / rollout.rows());
    return sums;
  }

  public long step() {
    return step;
  }

  public void setStep(long step) {
    this.step = step;
  }

  /** The step counter and the baseline's state, for checkpoints. */
  public Map<String, Double> state() {
    Map<String, Double> s = new LinkedHashMap<>();
    s.put("step", (double) step);
    s.put("mle_steps", (double) mleSteps);
    s.put("rl_steps", (double) rlSteps);
    baseline.state().forEach((k, v) -> s.put("baseline." + k, v));
    return s;
  }

  public void restore(Map<String, Double> state) {
    step = state.getOrDefault("step", 0.0).longValue();
    mleSteps = state.getOrDefault("mle_steps", 0.0).longValue();
    rlSteps = state.getOrDefault("rl_steps", 0.0).longValue();
    Map<String, Double> b = new LinkedHashMap<>();
    state.forEach((k, v) -> {
      if (k.startsWith("baseline.")) {
        b.put(k.substring("baseline.".length()), v);
      }
    });
    baseline.restore(b);
  }

  public SequencePolicy policy() {
    return policy;
  }

  public Reward reward() {
    return reward;
  }

  public BaselineStrategy baseline() {
    return baseline;
  }

  public TrainerSettings settings() {
    return settings;
  }

  static double[] unmasked(double[][] perStep, Rollout rollout) {
    List<Double> v = new ArrayList<>();
    for (int r = 0; r < perStep.length; r++) {
      for (int t = 0; t < rollout.lengths()[r]; t++) {
        v.add(perStep[r][t]);
      }
    }
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static double mean(double[] x) {
    if (x.length == 0) {
      return 0;
    }
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  /** Population standard deviation; 0 for fewer than two values. */
  static double std(double[] x) {
    if (x.length < 2) {
      return 0;
    }
    double m = mean(x);
    double s = 0;
    for (double v : x) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / x.length);
  }
}
