package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.rl.Reward;

/**
 * A reward and a baseline written outside SeqRL's sources (test resources compiled here, as a user
 * would compile them against rl-core) train a model from the CLI; wrong plug-ins are one-line errors.
 */
class PluginTest {
  @TempDir static Path classes;
  @TempDir Path tmp;

  @BeforeAll
  static void compilePlugins() throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    String rlCore = Path.of(Reward.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", rlCore, "--release", "17"));
    for (String name : List.of("LengthReward", "BatchMeanBaseline", "NotAReward", "NeedsGreedyBaseline",
        "ServiceLengthReward", "BrokenServiceReward")) {
      Path src = classes.resolve(name + ".java");
      try (InputStream in = PluginTest.class.getResourceAsStream("/plugins/" + name + ".java")) {
        Files.copy(in, src);
      }
      args.add(src.toString());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, javac.run(null, null, err, args.toArray(String[]::new)), err.toString(StandardCharsets.UTF_8));
    // Two folders that only declare ServiceLoader providers of the compiled classes, as a plug-in jar would.
    for (String[] service : new String[][] {{"services", "example.plugins.ServiceLengthReward"},
        {"broken-services", "example.plugins.BrokenServiceReward"}}) {
      Path file = classes.resolve(service[0]).resolve("META-INF/services/org.seqrl.rl.Reward");
      Files.createDirectories(file.getParent());
      Files.writeString(file, "# a comment, as users write them\n" + service[1] + "\n");
    }
  }

  private Path config(String rl) throws IOException {
    return config(rl, "");
  }

  /** The tiny run with {@code rl} as its reward and baseline lines, and {@code morePath} added to plugins.path. */
  private Path config(String rl, String morePath) throws IOException {
    Path cfg = TinyRuns.config(tmp, "plugin", 0, 150, "plugins:\n  path: [" + classes + morePath + "]\n");
    // Replace the tiny config's reward and baseline lines with the plug-ins under test.
    String yaml = Files.readString(cfg).replace("  reward: levenshtein\n  baseline: scst\n", rl)
        .replace("learning_rate: 0.003", "learning_rate: 0.01");
    Files.writeString(cfg, yaml);
    return cfg;
  }

  @Test
  void aPluginRewardAndBaselineTrainAModelFromTheCli() throws IOException {
    Path cfg = config("  reward: {class: example.plugins.LengthReward, args: {target: 2}}\n"
        + "  baseline: {class: example.plugins.BatchMeanBaseline}\n");
    Path dir = tmp.resolve("run");
    String out = CliRuns.succeeds("train", cfg.toString(), "--output", dir.toString(), "--no-tracking", "--progress",
        "lines").all();
    assertTrue(out.contains("seqrl: finished"), out);
    JsonNode summary = TrainingRun.JSON.readTree(dir.resolve("summary.json").toFile());
    assertEquals("example.plugins.LengthReward", summary.get("reward").asText());
    assertEquals("example.plugins.BatchMeanBaseline", summary.get("baseline").asText());
    // The reward (minus the distance of the length to 2) rises: the model learned what the plug-in asks.
    List<Double> rewards = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      JsonNode n = TrainingRun.JSON.readTree(line).get("metrics");
      // The reward's metric is named by the plug-in's own name(), "length-2".
      if (n.has(org.seqrl.rl.MetricNames.rlReward("length-2"))) {
        rewards.add(n.get(org.seqrl.rl.MetricNames.rlReward("length-2")).asDouble());
      }
    }
    assertEquals(150, rewards.size());
    double first = rewards.subList(0, 20).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = rewards.subList(130, 150).stream().mapToDouble(d -> d).average().orElseThrow();
    System.out.printf("plug-in reward: first 20 steps %.3f, last 20 steps %.3f%n", first, last);
    assertTrue(last > first + 0.5, "the plug-in reward should rise: " + first + " -> " + last);
    // The resolved config names the plug-ins and reloads (resume reads it).
    var resolved = ConfigLoader.load(dir.resolve(TrainingRun.CONFIG_FILE), List.of());
    assertEquals("example.plugins.LengthReward", resolved.rl().rewardPlugin().className());
    assertEquals(java.util.Map.of("target", 2), resolved.rl().rewardPlugin().args());
  }

  @Test
  void aPluginRewardInAWeightedSumTrainsAModelFromTheCli() throws IOException {
    Path cfg = config("  reward: {levenshtein: 0.1, length: {class: example.plugins.LengthReward, args: {target: 2}, "
        + "weight: 1.0}}\n  baseline: scst\n");
    Path dir = tmp.resolve("sum");
    String out = CliRuns.succeeds("train", cfg.toString(), "--output", dir.toString(), "--no-tracking", "--progress",
        "lines").all();
    assertTrue(out.contains("seqrl: finished"), out);
    JsonNode summary = TrainingRun.JSON.readTree(dir.resolve("summary.json").toFile());
    assertEquals("0.1*levenshtein+1.0*length-2", summary.get("reward").asText());
    // Each term is logged as its own metric; the plug-in's rises: the model learned what the sum asks.
    List<Double> lengthTerm = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      JsonNode n = TrainingRun.JSON.readTree(line).get("metrics");
      if (n.has(org.seqrl.rl.MetricNames.rlReward("length-2"))) {
        lengthTerm.add(n.get(org.seqrl.rl.MetricNames.rlReward("length-2")).asDouble());
        assertTrue(n.has(org.seqrl.rl.MetricNames.rlReward("levenshtein")), n.toString());
      }
    }
    assertEquals(150, lengthTerm.size());
    double first = lengthTerm.subList(0, 20).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = lengthTerm.subList(130, 150).stream().mapToDouble(d -> d).average().orElseThrow();
    System.out.printf("plug-in term of a weighted sum: first 20 steps %.3f, last 20 steps %.3f%n", first, last);
    assertTrue(last > first + 0.5, "the plug-in term should rise: " + first + " -> " + last);
    // The resolved config keeps the term (resume reads it).
    var resolved = ConfigLoader.load(dir.resolve(TrainingRun.CONFIG_FILE), List.of());
    assertEquals(List.of(new org.seqrl.experiments.config.RewardPlugin("length",
        new org.seqrl.experiments.config.Plugin("example.plugins.LengthReward", java.util.Map.of("target", 2)), 1.0)),
        resolved.rl().rewardPlugins());
    assertEquals("0.1*levenshtein+1.0*length-2", resolved.rewardName());
  }

  @Test
  void serviceLoaderRewardsAreFoundByNameAloneAndInAWeightedSum() throws IOException {
    String services = ", " + classes.resolve("services");
    var single = ConfigLoader.load(config("  reward: service-length\n  baseline: scst\n", services), List.of());
    assertEquals("service-length", single.rewardName());
    Path cfg = config("  reward: {levenshtein: 0.5, service-length: 0.25}\n  baseline: scst\n", services);
    var config = ConfigLoader.load(cfg, List.of());
    assertEquals("0.5*levenshtein+0.25*service-length", config.rewardName());
    try (RunComponents parts = RunComponents.build(config, tmp, new org.seqrl.rl.RunListener() {})) {
      Reward reward = parts.reward();
      int[][] refs = {{4, 5, 6}};
      for (int[] hyp : new int[][] {{4, 5, 6}, {4}, {7, 7, 7, 7, 7}, {}}) {
        double expected = 0.5 * org.seqrl.rl.Rewards.levenshtein().score(hyp, refs) - 0.25 * Math.abs(hyp.length - 3);
        assertEquals(expected, reward.score(hyp, refs), 1e-12, java.util.Arrays.toString(hyp));
      }
    }
    // Resolved and reloaded, the term stays a ServiceLoader name.
    var again = ConfigLoader.parse(ConfigLoader.toYaml(config), "resolved.yaml", tmp, List.of());
    assertEquals(config.rl().rewardPlugins(), again.rl().rewardPlugins());
    // The same run from the CLI trains with it.
    Path dir = tmp.resolve("service-run");
    String yaml = Files.readString(cfg).replace("steps: 150", "steps: 5");
    Files.writeString(cfg, yaml);
    CliRuns.succeeds("train", cfg.toString(), "--output", dir.toString(), "--no-tracking", "--progress", "lines");
    assertTrue(Files.readString(dir.resolve("metrics.jsonl")).contains(org.seqrl.rl.MetricNames.rlReward("service-length")));
  }

  @Test
  void wrongRewardTermsAreOneLineErrors() throws IOException {
    String services = ", " + classes.resolve("services");
    String unknown = error("  reward: {bleu: 0.5, nope: 0.5}\n  baseline: scst\n", services);
    assertTrue(unknown.startsWith("REWARD rl.reward.nope: 'nope' is not a reward; expected one of bleu, "), unknown);
    assertTrue(unknown.contains("(found: service-length)"), unknown);
    assertTrue(error("  reward: nope\n  baseline: scst\n", "").contains("rl.reward.nope: 'nope' is not a reward; "
        + "expected one of bleu"), "a lone unknown name is no reward either");
    assertEquals("REWARD rl.reward.length.weight: missing; expected the term's weight, e.g. "
        + "{class: example.plugins.LengthReward, weight: 0.5}",
        error("  reward: {bleu: 0.5, length: {class: example.plugins.LengthReward}}\n  baseline: scst\n", ""));
    assertEquals("REWARD rl.reward.length: [1] is not a weight; expected a number (for a built-in reward, or a reward "
        + "found by ServiceLoader under that name) or {class: com.example.MyReward, args: {...}, weight: 0.5}",
        error("  reward: {bleu: 0.5, length: [1]}\n  baseline: scst\n", ""));
    String rejected = error("  reward: {bleu: 0.5, length: {class: example.plugins.LengthReward, args: {target: -1}, "
        + "weight: 0.5}}\n  baseline: scst\n", "");
    assertTrue(rejected.endsWith("rl.reward.length.args: {target=-1} rejected by 'example.plugins.LengthReward': target "
        + "must be an integer >= 0, got -1"), rejected);
    String broken = error("  reward: {bleu: 0.5, broken: 0.5}\n  baseline: scst\n",
        ", " + classes.resolve("broken-services"));
    assertTrue(broken.contains("rl.reward.broken: a ServiceLoader reward on plugins.path or the class path cannot be "
        + "made (") && broken.contains("model file broken.bin not found"), broken);
    String twice = error("  reward: {levenshtein: 0.5, service-length: 0.5, other: {class: "
        + "example.plugins.ServiceLengthReward, weight: 0.5}}\n  baseline: scst\n", services);
    assertTrue(twice.endsWith("rl.reward.other: the reward is named 'service-length' like another term of rl.reward; "
        + "expected different names, since each term is logged as rl/reward_<name>"), twice);
    for (String e : List.of(unknown, rejected, broken, twice)) {
      assertFalse(e.contains("\n"), "one line: " + e);
    }
  }

  @Test
  void wrongPluginsAreOneLineErrors() throws IOException {
    assertEquals("REWARD rl.reward.class: no class 'example.plugins.Missing' on plugins.path [" + classes
        + "]; expected a jar or folder that holds it",
        error("  reward: {class: example.plugins.Missing}\n  baseline: scst\n"));
    assertEquals("REWARD rl.reward.class: 'example.plugins.NotAReward' does not implement org.seqrl.rl.Reward; "
        + "expected a class that does", error("  reward: {class: example.plugins.NotAReward}\n  baseline: scst\n"));
    assertEquals("REWARD rl.reward.args: {target=-1} rejected by 'example.plugins.LengthReward': target must be "
        + "an integer >= 0, got -1",
        error("  reward: {class: example.plugins.LengthReward, args: {target: -1}}\n  baseline: scst\n"));
    assertEquals("BASELINE rl.baseline.args: {k=1} cannot be passed to 'example.plugins.BatchMeanBaseline', which "
        + "has only a no-argument constructor; expected no args, or a (Map<String, Object> args) constructor",
        error("  reward: levenshtein\n  baseline: {class: example.plugins.BatchMeanBaseline, args: {k: 1}}\n"));
    assertEquals("BASELINE rl.baseline.klass: unknown key of a plug-in; expected class and args",
        error("  reward: levenshtein\n  baseline: {class: example.plugins.BatchMeanBaseline, klass: x}\n"));
    // A plug-in baseline that needs more samples than the config draws is refused before training.
    Path cfg = config("  reward: levenshtein\n  baseline: {class: example.plugins.NeedsGreedyBaseline}\n");
    String err = CliRuns.exits(2, "train", cfg.toString(), "--output", tmp.resolve("never").toString(),
        "--no-tracking").all();
    assertTrue(err.contains("rl.baseline: example.plugins.NeedsGreedyBaseline: the baseline needs at least 4 samples "
        + "per input, but samplesPerInput is 1"), err);
    assertFalse(err.contains("\tat "), "no stack trace: " + err);
  }

  private String error(String rl) throws IOException {
    return error(rl, "");
  }

  private String error(String rl, String morePath) throws IOException {
    Path cfg = config(rl, morePath);
    UserInputException e = assertThrows(UserInputException.class, () -> ConfigLoader.load(cfg, List.of()));
    String msg = e.getMessage();
    // The error points at the line of the setting: replace that prefix with REWARD or BASELINE.
    List<String> lines = Files.readAllLines(cfg);
    for (String key : List.of("reward", "baseline")) {
      String prefix = "plugin.yaml:" + (lines.indexOf(lines.stream().filter(l -> l.startsWith("  " + key + ":"))
          .findFirst().orElseThrow()) + 1) + ": rl." + key;
      if (msg.contains(prefix)) {
        return key.toUpperCase(java.util.Locale.ROOT) + " rl." + key + msg.substring(msg.indexOf(prefix) + prefix.length());
      }
    }
    return msg;
  }
}
