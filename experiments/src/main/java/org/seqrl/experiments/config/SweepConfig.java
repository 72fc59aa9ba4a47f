package org.seqrl.experiments.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A grid of dotted config keys to values; {@link #cells()} is their cartesian product with the first
 * key varying slowest. {@code parallel} 0 means max(1, cores / 2) (benchmarks/sweep-throughput.sh measures
 * the alternatives). Keys and values are checked against the config by {@link ConfigLoader} (a value is
 * valid if applying it gives a valid config).
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

  /** How many cells to run at once on this machine. */
  public int effectiveParallel() {
    return parallel > 0 ? parallel : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
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
