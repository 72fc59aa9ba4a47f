package org.seqrl.experiments.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.SeqrlCli;
import org.seqrl.experiments.train.CliRuns;

/** {@code seqrl config} through the real CLI entry point. */
class ConfigCommandTest {
  @TempDir Path dir;

  @Test
  void printsResolvedYamlThatReloadsEqual() throws IOException {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "experiment: demo\nrl:\n  baseline: rloo\n  samples: 4\n");
    CliRuns.Result r = CliRuns.seqrl("config", file.toString(), "--set", "model.hidden=64", "--set", "seed=5");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("hidden: 64"), r.out());
    assertTrue(r.out().contains("baseline: rloo"), r.out());
    SeqrlConfig printed = ConfigLoader.parse(r.out(), "printed", null, List.of());
    assertEquals(ConfigLoader.load(file, List.of("model.hidden=64", "seed=5")), printed);
  }

  @Test
  void badConfigIsOneLineAndExitCode2() throws IOException {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "rl:\n  baseline: scts\n");
    CliRuns.Result r = CliRuns.seqrl("config", file.toString());
    assertEquals(SeqrlCli.EXIT_USAGE, r.code());
    assertEquals("seqrl: " + file + ":2: rl.baseline: 'scts' is not a baseline; expected one of none, "
        + "moving-average, scst, value, step-value, scst-correction, rloo, grpo", r.err().strip());
    CliRuns.Result o = CliRuns.seqrl("config", file.toString(), "--set", "rl.baseline=scst", "--set", "rl.samples=0");
    assertEquals(SeqrlCli.EXIT_USAGE, o.code());
    assertEquals("seqrl: --set rl.samples=0: rl.samples: 0 is out of range; expected an integer from 1 to 1024",
        o.err().strip());
  }
}
