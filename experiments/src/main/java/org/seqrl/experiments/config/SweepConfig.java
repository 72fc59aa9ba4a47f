package org.seqrl.experiments.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A grid of dotted config keys to values; {@link #cells()} is their cartesian product with the first
 * key varying slowest. {@code parallel} 0 means one cell per core, as many as fit in memory at a cell's
 * heap limit ({@link #defaultParallel}; benchmarks/sweep-throughput.sh measured it against half the
 * cores). Keys and values are checked against the config by {@link ConfigLoader} (a value is valid if
 * applying it gives a valid config).
 * {@code sharePretraining}: cells that differ only in RL or evaluation settings start RL from one
 * shared pre-training run instead of each pre-training its own model (same start, less compute).
 * {@code launcher} says where cells run; {@code slurm} what each cell asks of a Slurm cluster.
 */
public record SweepConfig(LinkedHashMap<String, List<Object>> grid, int parallel, boolean sharePretraining,
                          SweepLauncher launcher, SlurmConfig slurm) {
  public SweepConfig {
    Checks.required("sweep.launcher", launcher);
    Checks.required("sweep.slurm", slurm);
    Checks.required("sweep.grid", grid);
    LinkedHashMap<String, List<Object>> copy = new LinkedHashMap<>();
    for (Map.Entry<String, List<Object>> e : grid.entrySet()) {
      if (e.getValue() == null || e.getValue().isEmpty()) {
        throw new InvalidConfigException("sweep.grid." + e.getKey(), "has no values; expected a non-empty list");
      }
      copy.put(e.getKey(), Collections.unmodifiableList(new ArrayList<>(e.getValue())));
    }
    grid = copy;
    Checks.between("sweep.parallel", parallel, 0, 256);
  }

  public static SweepConfig defaults() {
    return new SweepConfig(new LinkedHashMap<>(), 0, false, SweepLauncher.LOCAL, SlurmConfig.defaults());
  }

  @Override
  public LinkedHashMap<String, List<Object>> grid() {
    // A copy, so that the record stays immutable.
    return new LinkedHashMap<>(grid);
  }

  /** The heap limit of a local cell's JVM ({@code -Xmx2g} in SweepCommand): what the default reserves per cell. */
  static final long CELL_MEMORY_BYTES = 2L << 30;

  /** How many cells to run at once on this machine. */
  public int effectiveParallel() {
    if (parallel > 0) {
      return parallel;
    }
    long memory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getTotalMemorySize();
    return defaultParallel(Runtime.getRuntime().availableProcessors(), memory);
  }

  /**
   * {@code sweep.parallel: 0}: one cell per core, each with one BLAS thread when the grid has at least
   * as many cells (SweepCommand gives a smaller grid's cells the spare cores), but no more cells than
   * {@code memoryBytes} holds at {@link #CELL_MEMORY_BYTES} each. On 2 cores two cells at one thread
   * ran 1.52x the cells per hour of one cell at two threads, every round (BENCHMARKS.md, "Sweep
   * throughput, full (2026-12-03)"): a small model gains little from a second BLAS thread.
   */
  static int defaultParallel(int cores, long memoryBytes) {
    return (int) Math.max(1, Math.min(cores, memoryBytes / CELL_MEMORY_BYTES));
  }

  /** Every combination of grid values, in order; an empty grid has one cell without overrides. */
  public List<SweepCell> cells() {
    List<List<String>> combos = new ArrayList<>();
    combos.add(List.of());
    for (Map.Entry<String, List<Object>> e : grid.entrySet()) {
      List<List<String>> next = new ArrayList<>();
      for (List<String> prefix : combos) {
        for (Object value : e.getValue()) {
          List<String> cell = new ArrayList<>(prefix);
          cell.add(e.getKey() + "=" + YamlValues.flow(value));
          next.add(cell);
        }
      }
      combos = next;
    }
    List<SweepCell> cells = new ArrayList<>();
    for (List<String> overrides : combos) {
      cells.add(new SweepCell(overrides.isEmpty() ? "base" : String.join(",", overrides), overrides));
    }
    return cells;
  }
}
