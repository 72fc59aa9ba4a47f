package example.plugins;

import org.seqrl.rl.Reward;

/** A ServiceLoader reward whose constructor fails, as a user's might when its resources are missing. */
public class BrokenServiceReward implements Reward {
  public BrokenServiceReward() {
    throw new IllegalStateException("model file broken.bin not found");
  }

  @Override
  public double score(int[] hypothesis, int[][] references) {
    return 0;
  }

  @Override
  public String name() {
    return "broken";
  }
}
