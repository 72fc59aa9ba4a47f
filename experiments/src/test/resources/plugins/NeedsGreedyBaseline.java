package example.plugins;

import java.util.Set;
import org.seqrl.rl.Advantages;
import org.seqrl.rl.BaselineRequirements;
import org.seqrl.rl.BaselineStrategy;
import org.seqrl.rl.Rollout;

/** Asks for four samples per input, which a config with rl.samples 1 does not give. */
public class NeedsGreedyBaseline implements BaselineStrategy {
  @Override
  public BaselineRequirements requirements() {
    return new BaselineRequirements(false, 4, Set.of());
  }

  @Override
  public Advantages advantages(Rollout rollout, double[] rewards, double[] greedyRewards) {
    return new Advantages(new double[rollout.rows()][rollout.maxLength()], null, null);
  }
}
