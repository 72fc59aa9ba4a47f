package org.seqrl.experiments.config;

import java.util.Arrays;
import java.util.List;

/**
 * What each array task of a sweep on Slurm asks for ({@code sweep.slurm.*}); null or 0 leaves a
 * setting to the cluster's defaults. {@code sbatchOptions} are extra {@code sbatch} options, split on
 * whitespace (e.g. {@code --qos=short --account=nlp}).
 */
public record SlurmConfig(String partition, String time, int cpusPerTask, String memory, String sbatchOptions) {
  /** Slurm's time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
  private static final String TIME = "\\d+|\\d+:\\d{1,2}|\\d+:\\d{1,2}:\\d{1,2}|\\d+-\\d{1,2}(:\\d{1,2}){0,2}";

  public SlurmConfig {
    if (partition != null && !partition.matches("[A-Za-z0-9_.,-]+")) {
      throw new InvalidConfigException("sweep.slurm.partition", "'" + partition + "' is not a partition name; expected "
          + "letters, digits and _ . - (a comma-separated list for several)");
    }
    if (time != null && !time.matches(TIME)) {
      throw new InvalidConfigException("sweep.slurm.time", "'" + time + "' is not a Slurm time limit; expected "
          + "minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. 2:00:00)");
    }
    Checks.between("sweep.slurm.cpus_per_task", cpusPerTask, 0, 1024);
    if (memory != null && !memory.matches("\\d+[KMGT]?")) {
      throw new InvalidConfigException("sweep.slurm.memory", "'" + memory + "' is not a memory size; expected a number "
          + "of megabytes or one with a K, M, G or T suffix (e.g. 4G)");
    }
    if (sbatchOptions != null && !sbatchOptions.isBlank()) {
      for (String o : sbatchOptions.trim().split("\\s+")) {
        if (!o.startsWith("-")) {
          throw new InvalidConfigException("sweep.slurm.sbatch_options", "'" + o + "' is not an sbatch option; expected "
              + "options like --qos=short, each with its value after '=', separated by spaces");
        }
      }
    }
  }

  public static SlurmConfig defaults() {
    return new SlurmConfig(null, null, 0, null, null);
  }

  /** The extra options as separate arguments. */
  public List<String> sbatchOptionList() {
    return sbatchOptions == null || sbatchOptions.isBlank() ? List.of() : Arrays.asList(sbatchOptions.trim().split("\\s+"));
  }

  /** These settings with the non-null / non-zero ones of {@code flags} in their place. */
  public SlurmConfig overriddenBy(String flagPartition, String flagTime, Integer flagCpus, String flagMemory,
      String flagOptions) {
    return new SlurmConfig(flagPartition != null ? flagPartition : partition, flagTime != null ? flagTime : time,
        flagCpus != null ? flagCpus : cpusPerTask, flagMemory != null ? flagMemory : memory,
        flagOptions != null ? flagOptions : sbatchOptions);
  }
}
