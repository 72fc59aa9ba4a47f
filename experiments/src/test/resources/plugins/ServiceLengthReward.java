package example.plugins;

import org.seqrl.rl.Reward;

/** A reward found by ServiceLoader (META-INF/services/org.seqrl.rl.Reward) under its name: minus |length - 3|. */
public class ServiceLengthReward implements Reward {
  @Override
  public double score(int[] hypothesis, int[][] references) {
    return -Math.abs(hypothesis.length - 3);
  }

  @Override
  public String name() {
    return "service-length";
  }
}
