package example.plugins;

import java.util.Map;
import org.seqrl.rl.Reward;

/** A reward written outside SeqRL: minus the distance of the output's length to a target length. */
public class LengthReward implements Reward {
  private final int target;

  public LengthReward(Map<String, Object> args) {
    Object t = args.getOrDefault("target", 2);
    if (!(t instanceof Integer) || (Integer) t < 0) {
      throw new IllegalArgumentException("target must be an integer >= 0, got " + t);
    }
    this.target = (Integer) t;
  }

  @Override
  public double score(int[] hypothesis, int[][] references) {
    return -Math.abs(hypothesis.length - target);
  }

  @Override
  public String name() {
    return "length-" + target;
  }
}
