package org.seqrl.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.seqrl.rl.testing.TabularPolicy;

/** Every baseline learns to copy length-2 sequences over 3 symbols through {@link Trainer#rlStep}. */
class LearningTest {
  static final int STEPS = 400;

  static int[][] sources() {
    List<int[]> s = new ArrayList<>();
    for (int a = 4; a < 7; a++) {
      for (int b = 4; b < 7; b++) {
        s.add(new int[] {a, b});
      }
    }
    return s.toArray(new int[0][]);
  }

  static int[][][] references(int[][] sources) {
    int[][][] r = new int[sources.length][][];
    for (int i = 0; i < sources.length; i++) {
      r[i] = new int[][] {sources[i].clone()};
    }
    return r;
  }

  static int solved(TabularPolicy p, int[][] sources) {
    Rollout g = p.greedy(sources, 3);
    int n = 0;
    for (int i = 0; i < sources.length; i++) {
      n += java.util.Arrays.equals(g.hypothesis(i), sources[i]) ? 1 : 0;
    }
    return n;
  }

  @ParameterizedTest
  @EnumSource(BaselineKind.class)
  void solvesCopy(BaselineKind kind) {
    BaselineStrategy strategy = kind.create(0.9);
    TabularPolicy p = new TabularPolicy(3, strategy.requirements().criticHeads(), 42);
    TrainerSettings settings = new TrainerSettings(4, 1.0, 3, 0.0, 0.5, new OptimizerSettings(1.0, 5.0),
        new OptimizerSettings(1.0, 5.0));
    Trainer trainer = new Trainer(p, Rewards.levenshtein(), strategy, settings, List.of());
    int[][] sources = sources();
    int[][][] refs = references(sources);
    int steps = 0;
    while (steps < STEPS && solved(p, sources) < sources.length) {
      trainer.rlStep(sources, refs);
      steps++;
    }
    System.out.printf("copy task: %-16s solved %d/%d inputs after %d RL steps%n", kind.configName(), solved(p, sources),
        sources.length, steps);
    assertEquals(sources.length, solved(p, sources), kind.configName() + " after " + steps + " steps");
  }
}
