package example.plugins;

import java.util.Set;
import org.seqrl.rl.Advantages;
import org.seqrl.rl.BaselineRequirements;
import org.seqrl.rl.BaselineStrategy;
import org.seqrl.rl.Rollout;

/** A baseline written outside SeqRL: the mean reward of the batch. */
public class BatchMeanBaseline implements BaselineStrategy {
  @Override
  public BaselineRequirements requirements() {
    return new BaselineRequirements(false, 1, Set.of());
  }

  @Override
  public Advantages advantages(Rollout rollout, double[] rewards, double[] greedyRewards) {
    double mean = 0;
    for (double r : rewards) {
      mean += r / rewards.length;
    }
    double[][] perStep = new double[rollout.rows()][rollout.maxLength()];
    for (int row = 0; row < rollout.rows(); row++) {
      for (int t = 0; t < rollout.maxLength(); t++) {
        perStep[row][t] = rollout.mask(row, t) * (rewards[row] - mean);
      }
    }
    return new Advantages(perStep, null, null);
  }
}
