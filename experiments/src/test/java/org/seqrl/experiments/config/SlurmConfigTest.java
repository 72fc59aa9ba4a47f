package org.seqrl.experiments.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.UserInputException;

/** sweep.launcher and sweep.slurm.*: read, written back, and bad values named with their line. */
class SlurmConfigTest {
  @TempDir Path dir;

  @Test
  void slurmSettingsRoundTrip() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, """
        sweep:
          grid: {seed: [1, 2]}
          launcher: slurm
          slurm:
            partition: cpu
            time: "1-02:00:00"
            cpus_per_task: 4
            memory: 8G
            sbatch_options: "--qos=short --account=nlp"
        """);
    SeqrlConfig c = ConfigLoader.load(f, List.of());
    assertEquals(SweepLauncher.SLURM, c.sweep().launcher());
    assertEquals(new SlurmConfig("cpu", "1-02:00:00", 4, "8G", "--qos=short --account=nlp"), c.sweep().slurm());
    assertEquals(List.of("--qos=short", "--account=nlp"), c.sweep().slurm().sbatchOptionList());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "again", null, List.of()));
    assertEquals(SweepLauncher.LOCAL, ConfigLoader.parse("experiment: x\n", "d", null, List.of()).sweep().launcher());
  }

  @Test
  void badValuesNameTheLineTheValueAndWhatIsAllowed() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "sweep:\n  slurm:\n    time: 2h\n");
    UserInputException e = assertThrows(UserInputException.class, () -> ConfigLoader.load(f, List.of()));
    assertEquals(f + ":3: sweep.slurm.time: '2h' is not a Slurm time limit; expected minutes, MM:SS, HH:MM:SS, D-HH, "
        + "D-HH:MM or D-HH:MM:SS (e.g. 2:00:00)", e.getMessage());
    e = assertThrows(UserInputException.class, () -> ConfigLoader.load(f, List.of("sweep.slurm.time=30",
        "sweep.slurm.memory=lots")));
    assertEquals("--set sweep.slurm.memory=lots: sweep.slurm.memory: 'lots' is not a memory size; expected a number of "
        + "megabytes or one with a K, M, G or T suffix (e.g. 4G)", e.getMessage());
    e = assertThrows(UserInputException.class, () -> ConfigLoader.load(f, List.of("sweep.slurm.time=30",
        "sweep.launcher=kubernetes")));
    assertEquals("--set sweep.launcher=kubernetes: sweep.launcher: 'kubernetes' is not a sweep launcher; expected one "
        + "of local, slurm", e.getMessage());
  }
}
