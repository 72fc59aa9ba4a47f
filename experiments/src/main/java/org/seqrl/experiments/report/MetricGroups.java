package org.seqrl.experiments.report;

import java.util.Collection;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a metric's name says about it: the part after its namespace ({@code train/reward_mean} and
 * {@code rl/reward_mean} are both {@code reward_mean}), the panel it belongs in, and whether it is
 * logged by pre-training or RL steps. Both namings work: one {@code train/} namespace for both
 * phases, or {@code pretrain/} and {@code rl/}.
 */
final class MetricGroups {

  /** Logged only by RL steps, whatever their namespace. */
  private static final Set<String> RL_ONLY = Set.of("reward_mean", "reward_std", "greedy_reward_mean",
      "advantage_mean", "advantage_std", "policy_loss", "critic_loss");
  /** Logged only by pre-training (MLE) steps. */
  private static final Set<String> PRETRAIN_ONLY = Set.of("mle_loss", "mle_token_nll");

  /** Panels of a run's figure, in the order they are drawn. */
  enum Group {
    REWARDS("rewards and advantages"), EVAL("dev evaluation"), LOSSES("losses"),
    OPTIMISATION("gradient, entropy, lr"), SPEED("speed"), OTHER("other");

    final String title;

    Group(String title) {
      this.title = title;
    }
  }

  private MetricGroups() {}

  static String namespace(String metric) {
    int slash = metric.indexOf('/');
    return slash < 0 ? "" : metric.substring(0, slash);
  }

  /** The name without its namespace: {@code reward/bleu} for {@code train/reward/bleu}. */
  static String base(String metric) {
    return metric.substring(metric.indexOf('/') + 1);
  }

  static Group group(String metric) {
    String ns = namespace(metric);
    String b = base(metric);
    if (ns.equals("eval")) {
      return Group.EVAL;
    }
    if (ns.equals("perf") || b.contains("per_s") || b.contains("seconds")) {
      return Group.SPEED;
    }
    if (b.contains("reward") || b.startsWith("advantage")) {
      return Group.REWARDS;
    }
    if (b.contains("loss") || b.contains("nll")) {
      return Group.LOSSES;
    }
    if (ns.equals("diag") || b.startsWith("grad") || b.contains("entropy") || b.equals("lr")) {
      return Group.OPTIMISATION;
    }
    return Group.OTHER;
  }

  static boolean isRl(String metric) {
    return namespace(metric).equals("rl") || (!namespace(metric).equals("eval") && RL_ONLY.contains(base(metric)));
  }

  static boolean isPretrain(String metric) {
    return namespace(metric).equals("pretrain") || PRETRAIN_ONLY.contains(base(metric));
  }

  /** The first step at which an RL-only metric was logged, if any was. */
  static OptionalLong firstRlStep(Map<String, ? extends Collection<Long>> stepsByMetric) {
    return stepsByMetric.entrySet().stream().filter(e -> isRl(e.getKey())).flatMap(e -> e.getValue().stream())
        .mapToLong(Long::longValue).min();
  }

  /**
   * Where pre-training ends and RL begins, half a step before the first RL step, when the run
   * logged pre-training steps before it; empty for a run of one phase.
   */
  static OptionalDouble phaseBoundary(Map<String, ? extends Collection<Long>> stepsByMetric) {
    OptionalLong rl = firstRlStep(stepsByMetric);
    if (rl.isEmpty()) {
      return OptionalDouble.empty();
    }
    boolean pretrainBefore = stepsByMetric.entrySet().stream().filter(e -> isPretrain(e.getKey()))
        .flatMap(e -> e.getValue().stream()).anyMatch(s -> s < rl.getAsLong());
    return pretrainBefore ? OptionalDouble.of(rl.getAsLong() - 0.5) : OptionalDouble.empty();
  }
}
