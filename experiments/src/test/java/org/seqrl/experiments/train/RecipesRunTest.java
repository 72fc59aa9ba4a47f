package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.seqrl.experiments.train.CliRuns.stopAt;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.rl.MetricNames;
import org.seqrl.rl.Phase;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.StepEvent;

/** The RL recipes (KL penalty, MIXER, PPO-clip) through the config and the training run. */
class RecipesRunTest {
  @TempDir Path tmp;

  private static final String KL_PPO = """
        kl_coefficient: 0.05
        kl_target: 0.5
        kl_horizon: 200
        objective: ppo-clip
        ppo_epochs: 2
        ppo_minibatches: 2
      """;

  private static String rl(String keys) {
    return keys.lines().map(l -> "  " + l.strip()).reduce("", (a, b) -> a + b + "\n");
  }

  private Path config(String name, int pre, int rlSteps, String rlKeys) throws IOException {
    // the recipe keys join TinyRuns' rl: section
    Path base = TinyRuns.config(tmp, name, pre, rlSteps, "");
    String yaml = Files.readString(base).replace("  learning_rate: 0.003\n", "  learning_rate: 0.003\n" + rl(rlKeys));
    Files.writeString(base, yaml);
    return base;
  }

  private static final class Keys implements RunListener {
    final List<Map<String, Double>> rl = new ArrayList<>();

    @Override
    public void onStep(StepEvent event) {
      if (event.phase() == Phase.RL) {
        rl.add(event.metrics());
      }
    }
  }

  @Test
  void klAndPpoResumeWithTheSameNumbers() throws IOException {
    Path cfg = config("klppo", 50, 40, KL_PPO);
    SeqrlConfig c = ConfigLoader.load(cfg, List.of());
    assertEquals(0.05, c.rl().klCoefficient());
    Path straight = tmp.resolve("straight");
    Keys keys = new Keys();
    try (TrainingRun run = TrainingRun.start(c, tmp, straight)) {
      run.addListener(keys);
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
    assertEquals(40, keys.rl.size());
    for (String k : List.of(MetricNames.RL_KL, MetricNames.RL_KL_COEFFICIENT, MetricNames.RL_CLIP_FRACTION,
        MetricNames.RL_APPROX_KL)) {
      assertTrue(keys.rl.get(39).containsKey(k), k + " in " + keys.rl.get(39).keySet());
    }
    assertEquals(0.0, keys.rl.get(0).get(MetricNames.RL_KL), 1e-4, "RL starts at its reference");
    assertTrue(Files.isDirectory(straight.resolve("checkpoints/latest/policy/reference")));

    Path stopped = tmp.resolve("stopped");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, stopped)) {
      run.addListener(stopAt(run, 71)); // during RL, after the reference was frozen and the coefficient moved
      assertEquals(TrainingRun.Outcome.INTERRUPTED, run.run());
    }
    try (TrainingRun run = TrainingRun.resume(stopped)) {
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
    JsonNode a = TrainingRun.JSON.readTree(straight.resolve("summary.json").toFile());
    JsonNode b = TrainingRun.JSON.readTree(stopped.resolve("summary.json").toFile());
    assertEquals(a.get("final"), b.get("final"));
    TrainingRunTest.assertSameFiles(straight.resolve("checkpoints/latest/policy"),
        stopped.resolve("checkpoints/latest/policy"));
  }

  @Test
  void mixerRunLogsItsAnnealedWeight() throws IOException {
    Path cfg = config("mixer", 20, 30, """
        mle_weight_start: 0.8
        mle_weight_end: 0.2
        mle_weight_steps: 20
        """);
    Keys keys = new Keys();
    Path dir = tmp.resolve("mixer-run");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, dir)) {
      run.addListener(keys);
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
    assertEquals(0.8, keys.rl.get(0).get(MetricNames.RL_MLE_WEIGHT), 1e-12);
    assertEquals(0.5, keys.rl.get(10).get(MetricNames.RL_MLE_WEIGHT), 1e-12);
    assertEquals(0.2, keys.rl.get(29).get(MetricNames.RL_MLE_WEIGHT), 1e-12);
  }

  @Test
  void badRecipeSettingsAreOneLineErrors() throws IOException {
    Path cfg = config("bad", 5, 5, "");
    Map<List<String>, String> cases = Map.of(
        List.of("rl.objective=ppo-clip", "rl.baseline=none"), "rl.baseline",
        List.of("rl.kl_target=3"), "rl.kl_target",
        List.of("rl.objective=ppo-clip", "rl.ppo_minibatches=17"), "rl.ppo_minibatches",
        List.of("rl.objective=ppo-clip", "rl.mle_weight_start=0.5"), "rl.mle_weight_start",
        List.of("rl.objective=ppo"), "rl.objective",
        List.of("rl.mle_weight_end=1.5"), "rl.mle_weight_end",
        List.of("rl.ppo_clip=0"), "rl.ppo_clip",
        List.of("rl.kl_coefficient=-1"), "rl.kl_coefficient");
    cases.forEach((overrides, key) -> {
      RuntimeException e = assertThrows(RuntimeException.class, () -> ConfigLoader.load(cfg, overrides),
          overrides.toString());
      assertTrue(e.getMessage().contains(key) && !e.getMessage().contains("\n"), overrides + ": " + e.getMessage());
    });
    // and the keys are written to the resolved config, so a resumed or swept run reads them back
    SeqrlConfig c = ConfigLoader.load(cfg, List.of("rl.objective=ppo-clip", "rl.ppo_epochs=3", "rl.kl_coefficient=0.2"));
    String yaml = ConfigLoader.toYaml(c);
    assertTrue(yaml.contains("objective: ppo-clip") && yaml.contains("ppo_epochs: 3") && yaml.contains("kl_coefficient: 0.2"),
        yaml);
    assertEquals(c, ConfigLoader.load(writeAndReturn(tmp.resolve("resolved.yaml"), yaml), List.of()));
  }

  private static Path writeAndReturn(Path p, String text) throws IOException {
    Files.writeString(p, text);
    return p;
  }
}
