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
  /** The KL penalty's coefficient now (the adaptive controller moves it; it is part of {@link #state}). */
  private double klCoefficient;

  public Trainer(SequencePolicy policy, Reward reward, BaselineStrategy baseline, TrainerSettings settings,
      List<RunListener> listeners) {
    this.policy = policy;
    this.reward = reward;
    this.baseline = baseline;
    this.settings = settings;
    this.listeners = List.copyOf(listeners);
    this.klCoefficient = settings.kl().coefficient();
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
    KlPenalty kl = settings.kl();
    if (kl.enabled() && (rlSteps == 0 || !policy.hasReference())) {
      // The reference is the model RL starts from (even one restored from a checkpoint that carried
      // an older reference); a resumed run restores the one it froze.
      if (rlSteps > 0) {
        throw new IllegalStateException("the KL penalty's reference policy is missing at RL step " + rlSteps
            + "; resume from a checkpoint written by this run (it holds the reference)");
      }
      policy.freezeReference();
    }

    // 0. Every diag.every RL steps, the gradient's noise on this batch, from samples of its own
    //    (before training samples, at the parameters this step's update starts from).
    Map<String, Double> m = new LinkedHashMap<>();
    double beta = klCoefficient;
    long diagNanos = 0;
    if (settings.diagnostics().due(rlSteps)) {
      long d0 = System.nanoTime();
      gradientDiagnostics(sources, references, beta, m);
      diagNanos = System.nanoTime() - d0;
    }

    // 1. Sample k sequences per input (and the greedy decode when the baseline compares with it).
    Rollout rollout = policy.sample(sources, settings.samplesPerInput(), settings.temperature(), settings.maxLength());
    Rollout greedy = needs.needsGreedy() ? policy.greedy(sources, settings.maxLength()) : null;

    // 2-3. Score them, with the KL penalty when on; advantages (constants for the gradient) and critic targets.
    Scored scored = score(rollout, greedy, references, beta);
    double[] rewards = scored.rewards();
    double[] greedyRewards = scored.greedyRewards();
    double[] klPerRow = scored.klPerRow();
    Advantages advantages = scored.advantages();

    // 4. Update, at the learning rate the schedule gives this RL step: one step, one step mixed with
    //    MLE, or PPO's epochs of minibatches.
    OptimizerSettings optimizer = settings.rl().scaled(settings.rlSchedule().factor(rlSteps));
    double mleWeight = settings.mixing().weight(rlSteps);
    UpdateStats update;
    if (settings.ppo() != null) {
      update = ppoUpdates(rollout, advantages, optimizer, m);
    } else {
      // during a critic warm-up the critic learns the rewards of the policy as it is: no policy-gradient or entropy term
      boolean criticOnly = settings.warmsUpCritic(rlSteps);
      PolicyGradientBatch batch = new PolicyGradientBatch(rollout,
          criticOnly ? new double[rollout.rows()][rollout.maxLength()] : advantages.perStep(),
          advantages.sequenceTargets(), advantages.stepTargets(), criticOnly ? 0 : settings.entropyCoefficient(),
          settings.criticLossCoefficient());
      update = mleWeight > 0 && !criticOnly ? policy.mixedUpdate(batch, firstReferences(references), mleWeight, optimizer)
          : policy.update(batch, optimizer);
      requireFinite(update, criticOnly ? "RL (critic warm-up)" : "RL");
    }
    step++;
    rlSteps++;

    // 5. Report (names: MetricNames; reward-valued metrics carry the reward's name).
    String r = MetricNames.rewardSegment(reward.name());
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
    if (kl.enabled()) {
      double meanKl = mean(klPerRow);
      m.put(MetricNames.RL_KL, meanKl);
      m.put(MetricNames.RL_KL_COEFFICIENT, beta);
      klCoefficient = kl.nextCoefficient(beta, meanKl, rollout.rows());
    }
    if (settings.mixing().enabled()) {
      m.put(MetricNames.RL_MLE_WEIGHT, mleWeight);
    }
    componentMeans(rollout, references).forEach((k, v) -> m.put(MetricNames.rlReward(k), v));
    // the diagnostics' time is reported on its own, so that the speed curve stays training's speed
    m.put("perf/rl_steps_per_s", 1e9 / Math.max(1, System.nanoTime() - start - diagNanos));
    if (diagNanos > 0) {
      m.put(MetricNames.DIAG_SECONDS, diagNanos / 1e9);
    }
    return report(Phase.RL, update, m);
  }

  /** Rewards, their KL-penalised form's advantages, and what the report needs of them. */
  private record Scored(double[] rewards, double[] greedyRewards, double[] klPerRow, Advantages advantages) {}

  /**
   * Scores a rollout: rewards, with a KL penalty every row pays beta times its summed per-token KL
   * estimate, then the baseline's advantages (which may move the baseline's state, e.g. a running mean).
   */
  private Scored score(Rollout rollout, Rollout greedy, int[][][] references, double beta) {
    double[] rewards = Rewards.scoreRows(reward, rollout, references);
    double[] greedyRewards = greedy == null ? null : Rewards.scoreRows(reward, greedy, references);
    double[][] klPerToken = null;
    double[] klPerRow = null;
    double[] shaped = rewards;
    double[] greedyShaped = greedyRewards;
    if (settings.kl().enabled()) {
      klPerToken = new double[rollout.rows()][rollout.maxLength()];
      klPerRow = new double[rollout.rows()];
      klEstimate(rollout, klPerToken, klPerRow);
      shaped = penalised(rewards, beta, klPerRow);
      if (greedy != null) {
        double[] greedyKl = new double[greedy.rows()];
        klEstimate(greedy, new double[greedy.rows()][greedy.maxLength()], greedyKl);
        greedyShaped = penalised(greedyRewards, beta, greedyKl);
      }
    }
    Advantages advantages = baseline.advantages(rollout, shaped, greedyShaped);
    if (klPerToken != null) {
      // A token's action cannot change the KL of the tokens before it: its return keeps only the KL from it on.
      addKlBefore(advantages, klPerToken, beta, rollout.lengths());
    }
    return new Scored(rewards, greedyRewards, klPerRow, advantages);
  }

  /**
   * K gradients of the policy-gradient term alone (no entropy, critic or MLE term; the plain
   * estimator even under PPO), each on fresh samples of the same inputs drawn from the
   * diagnostics' own seeds, with the baseline as it stands before this step (its state restored
   * after each), into {@code m} as {@link MetricNames#DIAG_GRAD_VARIANCE} and friends.
   * The training trajectory is unchanged: the policy's generator, parameters and optimizer are not touched.
   */
  private void gradientDiagnostics(int[][] sources, int[][][] references, double beta, Map<String, Double> m) {
    GradientDiagnostics diag = settings.diagnostics();
    Map<String, Double> baselineState = baseline.state();
    Rollout greedy = baseline.requirements().needsGreedy() ? policy.greedy(sources, settings.maxLength()) : null;
    double[][] gradients = new double[diag.estimates()][];
    for (int k = 0; k < gradients.length; k++) {
      Rollout rollout = policy.sample(sources, settings.samplesPerInput(), settings.temperature(), settings.maxLength(),
          diag.sampleSeed(rlSteps, k));
      Advantages a = score(rollout, greedy, references, beta).advantages();
      baseline.restore(baselineState);
      gradients[k] = policy.policyGradient(new PolicyGradientBatch(rollout, a.perStep(), null, null, 0, 0));
    }
    GradientVariance v = GradientVariance.of(gradients);
    m.put(MetricNames.DIAG_GRAD_VARIANCE, v.variance());
    if (Double.isFinite(v.snr())) {
      m.put(MetricNames.DIAG_GRAD_SNR, v.snr());
    }
    m.put(MetricNames.DIAG_GRAD_NORM, v.meanNorm());
  }

  /** Per-token and per-row KL estimates of a rollout against the reference policy. */
  private void klEstimate(Rollout rollout, double[][] perToken, double[] perRow) {
    double[][] reference = new double[rollout.rows()][rollout.maxLength()];
    policy.logProbs(rollout, PolicyParameters.REFERENCE, reference);
    KlPenalty.estimate(rollout, reference, perToken, perRow);
  }

  /** {@code rewards - beta * kl}, a new array. */
  static double[] penalised(double[] rewards, double beta, double[] kl) {
    double[] out = new double[rewards.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = rewards[i] - beta * kl[i];
    }
    return out;
  }

  /**
   * The baseline saw each row's whole penalty {@code -beta sum_t kl_t}; step t's return is
   * {@code R - beta sum_{t' >= t} kl_t'}, so adds {@code beta sum_{t' < t} kl_t'} to its advantage
   * and to its step critic target (per-token KL rewards with returns-to-go, gamma = 1, as TRL and
   * RL4LMs credit them).
   */
  static void addKlBefore(Advantages advantages, double[][] klPerToken, double beta, int[] lengths) {
    for (int r = 0; r < lengths.length; r++) {
      double before = 0;
      for (int t = 0; t < lengths[r]; t++) {
        advantages.perStep()[r][t] += beta * before;
        if (advantages.stepTargets() != null) {
          advantages.stepTargets()[r][t] += beta * before;
        }
        before += klPerToken[r][t];
      }
    }
  }

  private static int[][] firstReferences(int[][][] references) {
    int[][] t = new int[references.length][];
    for (int b = 0; b < t.length; b++) {
      t[b] = references[b][0];
    }
    return t;
  }

  /**
   * PPO-clip: {@code epochs} passes over the sampled batch, each in shuffled minibatches of whole
   * inputs, every update weighting tokens by its importance ratio against the sampling policy.
   * Reports the mean of the updates' stats, and the clip fraction and approximate KL over all
   * their tokens, measured before each update's step (as CleanRL does).
   */
  private UpdateStats ppoUpdates(Rollout rollout, Advantages adv, OptimizerSettings optimizer, Map<String, Double> m) {
    PpoSettings ppo = settings.ppo();
    int inputs = rollout.inputs();
    int k = rollout.samplesPerInput();
    int minibatches = Math.min(ppo.minibatches(), inputs);
    int[] order = new int[inputs];
    for (int i = 0; i < inputs; i++) {
      order[i] = i;
    }
    // seeded by the RL step, so that a resumed run draws the same minibatches without saved state
    java.util.SplittableRandom shuffle = new java.util.SplittableRandom(ppo.seed() * 0x9E3779B97F4A7C15L + rlSteps);
    double loss = 0;
    double policyLoss = 0;
    double criticLoss = 0;
    double entropy = 0;
    double gradNorm = 0;
    long clipped = 0;
    double approxKl = 0;
    long tokens = 0;
    int updates = 0;
    // One minibatch is the whole batch every epoch: no shuffle, and the first update may start from the sample's own pass.
    boolean whole = minibatches == 1;
    for (int epoch = 0; epoch < ppo.epochs(); epoch++) {
      for (int i = inputs - 1; i > 0 && !whole; i--) {
        int j = shuffle.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int b = 0; b < minibatches; b++) {
        int[] inputsOf = java.util.Arrays.copyOfRange(order, b * inputs / minibatches, (b + 1) * inputs / minibatches);
        Rollout sub = whole ? rollout : rollout.select(inputsOf);
        double[][] now = new double[sub.rows()][sub.maxLength()];
        PolicyGradientBatch batch = whole
            ? new PolicyGradientBatch(sub, adv.perStep(), adv.sequenceTargets(), adv.stepTargets(),
                settings.entropyCoefficient(), settings.criticLossCoefficient(),
                new PpoClip(ppo.clipRange(), ppo.valueClipRange(), now))
            : new PolicyGradientBatch(sub, rowsOf(adv.perStep(), inputsOf, k),
                adv.sequenceTargets() == null ? null : rowsOf(adv.sequenceTargets(), inputsOf, k),
                adv.stepTargets() == null ? null : rowsOf(adv.stepTargets(), inputsOf, k),
                settings.entropyCoefficient(), settings.criticLossCoefficient(),
                new PpoClip(ppo.clipRange(), ppo.valueClipRange(), now));
        UpdateStats u = policy.update(batch, optimizer);
        requireFinite(u, "PPO");
        for (int r = 0; r < sub.rows(); r++) {
          for (int t = 0; t < sub.lengths()[r]; t++) {
            double logRatio = now[r][t] - sub.logProbs()[r][t];
            clipped += PpoMath.clipped(Math.exp(logRatio), ppo.clipRange()) ? 1 : 0;
            approxKl += PpoMath.approxKl(logRatio);
            tokens++;
          }
        }
        loss += u.loss();
        policyLoss += u.policyLoss();
        criticLoss += u.criticLoss();
        entropy += u.entropy();
        gradNorm += u.gradNorm();
        updates++;
      }
    }
    m.put(MetricNames.RL_CLIP_FRACTION, tokens == 0 ? 0 : (double) clipped / tokens);
    m.put(MetricNames.RL_APPROX_KL, tokens == 0 ? 0 : approxKl / tokens);
    return new UpdateStats(loss / updates, policyLoss / updates, criticLoss / updates, entropy / updates,
        gradNorm / updates, rollout.tokenCount());
  }

  private static double[][] rowsOf(double[][] perRow, int[] inputs, int k) {
    double[][] out = new double[inputs.length * k][];
    for (int i = 0; i < inputs.length; i++) {
      for (int j = 0; j < k; j++) {
        out[i * k + j] = perRow[inputs[i] * k + j];
      }
    }
    return out;
  }

  private static double[] rowsOf(double[] perRow, int[] inputs, int k) {
    double[] out = new double[inputs.length * k];
    for (int i = 0; i < inputs.length; i++) {
      for (int j = 0; j < k; j++) {
        out[i * k + j] = perRow[inputs[i] * k + j];
      }
    }
    return out;
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

  /** The KL penalty's coefficient for the next RL step. */
  public double klCoefficient() {
    return klCoefficient;
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
    if (settings.kl().enabled()) {
      s.put("kl_coefficient", klCoefficient);
    }
    baseline.state().forEach((k, v) -> s.put("baseline." + k, v));
    return s;
  }

  public void restore(Map<String, Double> state) {
    step = state.getOrDefault("step", 0.0).longValue();
    mleSteps = state.getOrDefault("mle_steps", 0.0).longValue();
    rlSteps = state.getOrDefault("rl_steps", 0.0).longValue();
    klCoefficient = state.getOrDefault("kl_coefficient", settings.kl().coefficient());
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
