package org.seqrl.experiments.config;

/** Where a sweep's cells run: as processes on this machine, or as a Slurm job array. */
public enum SweepLauncher {
  LOCAL,
  SLURM
}
