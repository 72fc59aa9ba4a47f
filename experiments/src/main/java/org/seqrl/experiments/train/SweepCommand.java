package org.seqrl.experiments.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.ConfigChoice;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.SlurmConfig;
import org.seqrl.experiments.config.SweepLauncher;
import org.seqrl.experiments.config.RlStart;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.experiments.tracking.RunRecorder;
import org.seqrl.experiments.tracking.TrackingTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code seqrl sweep}: runs every cell of {@code sweep.grid} as its own {@code seqrl train}
 * process (as many at once as {@code sweep.parallel}), each a child run of one MLflow parent
 * run. Running it again skips finished cells and resumes interrupted ones from their
 * checkpoints, into the same MLflow runs.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = "Run the grid in the config's sweep.grid: one parent MLflow run, one child run per cell; resumable.")
public final class SweepCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "CONFIG", description = "YAML config with a sweep.grid section.")
  Path configFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key for every cell.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--output", paramLabel = "DIR", description = "Sweep directory (default: runs/sweep-<experiment>).")
  Path output;

  @Option(names = "--parallel", paramLabel = "N", description = "Cells at once (default: sweep.parallel, else one per core as memory allows).")
  Integer parallel;

  @Option(names = "--tracking-uri", paramLabel = "URI", description = "MLflow server (default: MLFLOW_TRACKING_URI, else the embedded local server).")
  String trackingUri;

  @Option(names = "--no-tracking", description = "Do not record the sweep in MLflow.")
  boolean noTracking;

  @Option(names = "--launcher", paramLabel = "LAUNCHER", description = "Where cells run: local (processes here) or "
      + "slurm (a Slurm job array; see docs/cluster.md). Default: sweep.launcher, else local.")
  String launcher;

  @Option(names = "--detach", description = "With --launcher slurm: submit and return at once (run the sweep again to "
      + "follow it, or to finish it once its cells are done).")
  boolean detach;

  @Option(names = "--partition", paramLabel = "NAME", description = "Slurm partition (default: sweep.slurm.partition).")
  String partition;

  @Option(names = "--time", paramLabel = "LIMIT", description = "Slurm time limit per cell, e.g. 2:00:00 (default: sweep.slurm.time).")
  String time;

  @Option(names = "--cpus-per-task", paramLabel = "N", description = "CPUs per cell (default: sweep.slurm.cpus_per_task).")
  Integer cpusPerTask;

  @Option(names = "--mem", paramLabel = "SIZE", description = "Memory per cell, e.g. 4G (default: sweep.slurm.memory).")
  String memory;

  @Option(names = "--sbatch-options", paramLabel = "OPTIONS", description = "Extra sbatch options, e.g. \"--qos=short\" "
      + "(default: sweep.slurm.sbatch_options).")
  String sbatchOptions;

  private TrackingTarget parentTarget;
  /** The tracking URI the cells are given (null: they resolve it as `seqrl train` does). */
  private String cellTrackingUri;

  /** One cell's outcome; {@code label} is its short run name, {@code pretraining} marks a shared pre-training run. */
  record CellResult(String name, String label, Path dir, int exitCode, boolean skipped, boolean pretraining) {}

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(configFile)) {
      throw new UserInputException(configFile + ": no such config file");
    }
    SeqrlConfig config = ConfigLoader.load(configFile, overrides);
    if (config.sweep().grid().isEmpty()) {
      // An empty grid has one cell without overrides: that is `seqrl train`, not a sweep.
      throw new UserInputException(configFile + ": sweep.grid is empty or missing; expected a mapping of config keys "
          + "to lists of values, e.g. sweep: {grid: {rl.baseline: [scst, rloo], seed: [1, 2]}}");
    }
    List<org.seqrl.experiments.config.SweepCell> cells = config.sweep().cells();
    Path dir = output != null ? output : Path.of("runs", "sweep-" + config.experiment());
    Files.createDirectories(dir.resolve("cells"));
    Files.writeString(dir.resolve("sweep.yaml"), ConfigLoader.toYaml(config));
    int workers = parallel != null ? parallel : config.sweep().effectiveParallel();
    if (workers < 1) {
      throw new UserInputException("--parallel: " + workers + " is not a number of processes; expected >= 1");
    }
    String cellThreadsEnv = System.getenv("SEQRL_CELL_THREADS");
    int cores = Runtime.getRuntime().availableProcessors();
    long unfinished = cells.stream()
        .filter(c -> !Files.isRegularFile(dir.resolve("cells").resolve(safeName(c.name())).resolve(TrainingRun.SUMMARY_FILE)))
        .count();
    SweepLauncher where = launcher == null ? config.sweep().launcher()
        : ConfigChoice.parse(SweepLauncher.class, "--launcher", "a sweep launcher", launcher);
    // On Slurm a cell's threads follow its CPUs per task instead.
    String threadsNote = where == SweepLauncher.LOCAL
        ? String.format(Locale.ROOT, ", %d BLAS thread(s) each", cellThreads(cellThreadsEnv, cores, workers, unfinished)) : "";
    System.out.printf(Locale.ROOT, "sweep %s: %d cells, %d at a time%s, in %s%n", config.experiment(), cells.size(), workers,
        threadsNote, dir);

    Map<String, String> labels = runLabels(cells);
    cellTrackingUri = trackingUri;
    RunRecorder parent = noTracking ? null : openParent(config, dir);
    if (where == SweepLauncher.SLURM) {
      return runOnSlurm(config, cells, labels, dir, parent);
    }
    if (detach) {
      throw new UserInputException("--detach: only a sweep on Slurm (--launcher slurm) can run without this command");
    }
    AtomicBoolean stopping = new AtomicBoolean();
    Thread hook = new Thread(() -> stopping.set(true), "seqrl-sweep-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    List<CellResult> results = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      Map<String, List<String>> cellExtra = new LinkedHashMap<>();
      if (config.sweep().sharePretraining()) {
        // Stage 1: one pre-training run per distinct non-RL configuration; stage 2 starts RL from it.
        Map<String, PretrainGroup> groups = pretrainGroups(config, cells, dir);
        var distinct = new java.util.LinkedHashSet<>(groups.values());
        int stage1Threads = cellThreads(cellThreadsEnv, cores, workers,
            distinct.stream().filter(g -> !Files.isRegularFile(g.dir().resolve(TrainingRun.SUMMARY_FILE))).count());
        System.out.printf(Locale.ROOT, "shared pre-training: %d run(s), %d BLAS thread(s) each%n", distinct.size(),
            stage1Threads);
        List<Future<CellResult>> stage1 = new ArrayList<>();
        for (PretrainGroup g : distinct) {
          stage1.add(pool.submit(() -> runCell(g.name(), g.label(), g.overrides(), g.dir(), parent, stage1Threads, stopping)));
        }
        for (Future<CellResult> f : stage1) {
          results.add(f.get());
        }
        cellExtra.putAll(rlStartOverrides(config, cells, groups));
      }
      int threads = cellThreads(cellThreadsEnv, cores, workers, unfinished);
      List<Future<CellResult>> futures = new ArrayList<>();
      for (var cell : cells) {
        List<String> cellOverrides = new ArrayList<>(cell.overrides());
        cellOverrides.addAll(cellExtra.getOrDefault(cell.name(), List.of()));
        Path cellDir = dir.resolve("cells").resolve(safeName(cell.name()));
        boolean ready = !config.sweep().sharePretraining() || Files.isRegularFile(
            Path.of(cellExtra.get(cell.name()).get(1).substring("rl.init_checkpoint=".length())).resolve("COMPLETE"));
        if (!ready) {
          results.add(new CellResult(cell.name(), labels.get(cell.name()), cellDir, 1, false, false));
          continue;
        }
        futures.add(pool.submit(() -> runCell(cell.name(), labels.get(cell.name()), cellOverrides, cellDir, parent,
            threads, stopping)));
      }
      for (Future<CellResult> f : futures) {
        results.add(f.get());
      }
    } finally {
      pool.shutdown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Shutting down already.
      }
    }
    return finish(config, dir, parent, results);
  }

  /**
   * The grid as Slurm job arrays: the shared pre-training runs first, the cells after them
   * ({@code afterok}); only what has not finished is submitted, and what is still queued or running
   * from an earlier call is followed, not submitted again.
   */
  private int runOnSlurm(SeqrlConfig config, List<org.seqrl.experiments.config.SweepCell> cells,
      Map<String, String> labels, Path dir, RunRecorder parent) throws IOException, InterruptedException {
    SlurmConfig resources = config.sweep().slurm().overriddenBy(partition, time, cpusPerTask, memory, sbatchOptions);
    if (parent != null && cellTrackingUri == null && parentTarget.embedded()) {
      // Cells must not each start an embedded server of their own: they get this one's address.
      cellTrackingUri = org.seqrl.experiments.tracking.LocalMlflowServer.ensureRunning(parentTarget.server()).uri();
      System.out.println("slurm: cells track to the embedded server at " + cellTrackingUri
          + " (this machine only; on a real cluster give --tracking-uri a server the nodes reach, see docs/cluster.md)");
    }
    List<SlurmSweep.Task> pretrain = new ArrayList<>();
    List<SlurmSweep.Task> rl = new ArrayList<>();
    Map<String, List<String>> cellExtra = new LinkedHashMap<>();
    if (config.sweep().sharePretraining()) {
      Map<String, PretrainGroup> groups = pretrainGroups(config, cells, dir);
      for (PretrainGroup g : new java.util.LinkedHashSet<>(groups.values())) {
        pretrain.add(new SlurmSweep.Task(g.name(), g.label(), g.dir(), true,
            () -> trainArgs(g.name(), g.label(), g.overrides(), g.dir(), parent, false)));
      }
      cellExtra.putAll(rlStartOverrides(config, cells, groups));
    }
    for (var cell : cells) {
      List<String> cellOverrides = new ArrayList<>(cell.overrides());
      cellOverrides.addAll(cellExtra.getOrDefault(cell.name(), List.of()));
      Path cellDir = dir.resolve("cells").resolve(safeName(cell.name()));
      String label = labels.get(cell.name());
      rl.add(new SlurmSweep.Task(cell.name(), label, cellDir, false,
          () -> trainArgs(cell.name(), label, cellOverrides, cellDir, parent, false)));
    }
    System.out.printf(Locale.ROOT, "sweep %s: %d cells%s on Slurm, in %s%n", config.experiment(), cells.size(),
        pretrain.isEmpty() ? "" : " after " + pretrain.size() + " shared pre-training run(s)", dir);
    SlurmSweep slurm = new SlurmSweep(dir, config.experiment(), resources, javaCommand(), System.out);
    Optional<List<CellResult>> results = slurm.run(pretrain, rl, detach);
    if (results.isEmpty()) {
      // Detached or left running after Ctrl-C: the parent stays RUNNING until a later call finishes the sweep.
      if (parent != null) {
        parent.closeRunning();
      }
      return 0;
    }
    return finish(config, dir, parent, results.get());
  }

  /** The sweep's end, whatever ran the cells: the table, the parent's summary and status. */
  private int finish(SeqrlConfig config, Path dir, RunRecorder parent, List<CellResult> results) throws IOException {
    long failed = results.stream().filter(r -> r.exitCode() != 0).count();
    writeTable(dir, results);
    if (parent != null) {
      parent.logArtifact(dir.resolve("cells.md"), "");
      SweepSummary.log(parent, config, results);
      SweepSummary.report(parent, parentTarget, config, dir);
      parent.end(failed == 0 ? RunRecorder.Status.FINISHED : RunRecorder.Status.FAILED);
      parent.close();
      parent.runPage().ifPresent(link -> System.out.println("MLflow sweep run: " + link));
      parent.experimentPage().ifPresent(link -> System.out.println("MLflow runs: " + link));
    }
    System.out.println("cells: " + results.size() + ", failed or interrupted: " + failed + "; table in " + dir.resolve("cells.md"));
    return failed == 0 ? 0 : 1;
  }

  private RunRecorder openParent(SeqrlConfig config, Path dir) {
    TrackingTarget target = TrackingTarget.resolve(trackingUri != null ? trackingUri : config.tracking().uri(), System.getenv());
    parentTarget = target;
    Path parentDir = dir.resolve("parent");
    try {
      Files.createDirectories(parentDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String dirName = dir.toAbsolutePath().normalize().getFileName().toString();
    // The default directory is sweep-<experiment>: "sweep sweep-g2p" would say it twice.
    String name = "sweep " + (dirName.startsWith("sweep-") && dirName.length() > 6 ? dirName.substring(6) : dirName);
    Map<String, String> tags = new LinkedHashMap<>(TrainCommand.standardTags(config, "seqrl sweep " + configFile));
    tags.put("mlflow.note.content", "Sweep over " + String.join(" × ", config.sweep().grid().keySet()) + " ("
        + config.sweep().cells().size() + " cells); its summary metrics and `report/` arrive when the sweep ends. "
        + "The base config, before each cell's overrides:\n\n" + tags.get("mlflow.note.content"));
    tags.put("seqrl.sweep", "true");
    RunRecorder r = RunRecorder.builder(target, parentDir).experiment(config.experiment())
        .runName(name).tags(tags).flushTimeout(Duration.ofSeconds(60)).start();
    Map<String, String> grid = new LinkedHashMap<>();
    config.sweep().grid().forEach((k, v) -> grid.put("sweep.grid." + k, String.valueOf(v)));
    r.logParams(grid);
    r.logArtifact(dir.resolve("sweep.yaml"), "config");
    return r;
  }

  /** Per cell, the overrides that start its RL from its group's shared pre-training run. */
  static Map<String, List<String>> rlStartOverrides(SeqrlConfig config, List<org.seqrl.experiments.config.SweepCell> cells,
      Map<String, PretrainGroup> groups) {
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (var cell : cells) {
      PretrainGroup g = groups.get(cell.name());
      // rl.start_from picks the shared run's final model or its best pre-training evaluation.
      String start = ConfigLoader.withOverrides(config, cell.overrides()).rl().startFrom() == RlStart.BEST
          ? "best" : "latest";
      extra.put(cell.name(), List.of("pretrain.steps=0",
          "rl.init_checkpoint=" + g.dir().toAbsolutePath().resolve("checkpoints").resolve(start)));
    }
    return extra;
  }

  /** A pre-training run shared by the cells whose config differs only in RL and evaluation settings. */
  record PretrainGroup(String name, String label, List<String> overrides, Path dir) {}

  /** Maps every cell name to its pre-training group. */
  private Map<String, PretrainGroup> pretrainGroups(SeqrlConfig config,
      List<org.seqrl.experiments.config.SweepCell> cells, Path dir) {
    Map<String, PretrainGroup> byKey = new LinkedHashMap<>();
    Map<String, PretrainGroup> byCell = new LinkedHashMap<>();
    for (var cell : cells) {
      List<String> shared = cell.overrides().stream().filter(o -> !isRlOnly(o.substring(0, o.indexOf('=')))).toList();
      String key = String.join(",", shared);
      PretrainGroup g = byKey.computeIfAbsent(key, k -> {
        String name = "pretrain" + (k.isEmpty() ? "" : "," + k);
        List<String> o = new ArrayList<>(shared);
        o.add("rl.steps=0");
        // one run, not a sweep: without the grid, whose rl.* cells it would check against rl.steps 0
        // (a grid over rl.warmup_steps or rl.critic_warmup_steps would fail every cell)
        o.add("sweep.grid={}");
        String label = shared.isEmpty() ? "pretrain" : "pretrain · " + runLabel(shared);
        return new PretrainGroup(name, label, o, dir.resolve("pretrain").resolve(safeName(name)));
      });
      byCell.put(cell.name(), g);
    }
    return byCell;
  }

  /** Settings that do not change pre-training. */
  static boolean isRlOnly(String key) {
    return key.startsWith("rl.") || key.startsWith("eval.") || key.startsWith("tracking.") || key.startsWith("diag.");
  }

  private CellResult runCell(String name, String label, List<String> cellOverrides, Path cellDir,
      RunRecorder parent, int threads, AtomicBoolean stopping) throws IOException, InterruptedException {
    boolean pretraining = cellOverrides.contains("rl.steps=0");
    if (Files.isRegularFile(cellDir.resolve(TrainingRun.SUMMARY_FILE))) {
      System.out.println("skip (finished): " + name);
      return new CellResult(name, label, cellDir, 0, true, pretraining);
    }
    if (stopping.get()) {
      return new CellResult(name, label, cellDir, TrainCommand.EXIT_INTERRUPTED, false, pretraining);
    }
    List<String> cmd = new ArrayList<>(javaCommand());
    cmd.addAll(trainArgs(name, label, cellOverrides, cellDir, parent, true));
    Files.createDirectories(cellDir);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(cellDir.resolve("train.log").toFile()));
    pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
    pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
    Process p = pb.start();
    int code = p.waitFor();
    System.out.printf(Locale.ROOT, "%s: %s (log %s)%n", code == 0 ? "done" : "FAILED (exit " + code + ")", name,
        cellDir.resolve("train.log"));
    return new CellResult(name, label, cellDir, code, false, pretraining);
  }

  /**
   * The {@code seqrl train} arguments of one cell: {@code --resume} when the cell has started before
   * (its directory holds a config), else the sweep's config with the cell's overrides. {@code say}
   * prints whether it starts or resumes.
   */
  List<String> trainArgs(String name, String label, List<String> cellOverrides, Path cellDir, RunRecorder parent,
      boolean say) {
    List<String> cmd = new ArrayList<>();
    cmd.add("train");
    if (Files.isRegularFile(cellDir.resolve(TrainingRun.CONFIG_FILE))) {
      if (say) {
        System.out.println("resume: " + name);
      }
      cmd.addAll(List.of("--resume", cellDir.toAbsolutePath().toString()));
    } else {
      if (say) {
        System.out.println("start:  " + name);
      }
      cmd.add(configFile.toAbsolutePath().toString());
      for (String o : overrides) {
        cmd.addAll(List.of("--set", o));
      }
      for (String o : cellOverrides) {
        cmd.addAll(List.of("--set", o));
      }
      cmd.addAll(List.of("--output", cellDir.toAbsolutePath().toString(), "--run-name", label, "--sweep-cell", name));
    }
    cmd.addAll(List.of("--progress", "lines"));
    if (parent == null) {
      cmd.add("--no-tracking");
    } else {
      cmd.addAll(List.of("--parent-journal", parent.journalDir().toAbsolutePath().toString()));
      if (cellTrackingUri != null) {
        cmd.addAll(List.of("--tracking-uri", cellTrackingUri));
      }
    }
    return cmd;
  }

  /**
   * Short, distinct run names for a grid's cells, e.g. {@code rl.reward=levenshtein,rl.baseline=scst,seed=2}
   * becomes {@code levenshtein · scst · seed 2} (the runs table cuts long names to their first
   * characters, where the full overrides all look alike). Falls back to the full names if two
   * labels would be equal.
   */
  static Map<String, String> runLabels(List<org.seqrl.experiments.config.SweepCell> cells) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (var c : cells) {
      labels.put(c.name(), runLabel(c.overrides()));
    }
    if (new java.util.HashSet<>(labels.values()).size() < labels.size()) {
      cells.forEach(c -> labels.put(c.name(), c.name()));
    }
    return labels;
  }

  /** One cell's label: a value alone when it is a word that names itself, else the key's last part and the value. */
  static String runLabel(List<String> overrides) {
    if (overrides.isEmpty()) {
      return "base";
    }
    List<String> parts = new ArrayList<>();
    for (String o : overrides) {
      int eq = o.indexOf('=');
      String key = o.substring(0, eq);
      String value = o.substring(eq + 1).replaceAll("[{}\\[\\]]", "").replaceAll(":\\s*", " ").trim();
      String last = key.substring(key.lastIndexOf('.') + 1);
      boolean selfNaming = value.matches("[A-Za-z][A-Za-z0-9_-]*")
          && !List.of("none", "true", "false", "null").contains(value.toLowerCase(Locale.ROOT));
      parts.add(selfNaming && !last.equals("seed") ? value : last.replace('_', ' ') + " " + value);
    }
    return String.join(" · ", parts);
  }

  /**
   * BLAS threads of each cell: {@code SEQRL_CELL_THREADS} when set, else the cores shared among the cells
   * that run side by side, which are fewer than {@code workers} when fewer cells are left to run (8 cells
   * with 32 workers on 64 cores get 8 threads each, not 2 with 48 cores idle).
   */
  static int cellThreads(String fromEnv, int cores, int workers, long cellsToRun) {
    if (fromEnv != null && !fromEnv.isBlank()) {
      int n;
      try {
        n = Integer.parseInt(fromEnv.trim());
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (n < 1) {
        throw new UserInputException("SEQRL_CELL_THREADS: '" + fromEnv + "' is not a thread count; expected a whole "
            + "number >= 1, or unset to share the cores among the cells that run at once");
      }
      return n;
    }
    long sideBySide = Math.max(1, Math.min(workers, cellsToRun));
    return (int) Math.max(1, cores / sideBySide);
  }

  /** The command that starts this same CLI in a new JVM. */
  static List<String> javaCommand() {
    String java = ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx2g");
    // The grants this JVM got from ./seqrl or surefire (Java 22+ warns without them), so that cells run as quietly.
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access")) {
        cmd.add(arg);
      }
    }
    String home = System.getProperty("seqrl.home");
    if (home != null) {
      cmd.add("-Dseqrl.home=" + home);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.seqrl.experiments.cli.SeqrlCli"));
    return cmd;
  }

  static String safeName(String cellName) {
    return cellName.replaceAll("[^A-Za-z0-9._=,-]", "_");
  }

  private static void writeTable(Path dir, List<CellResult> results) throws IOException {
    StringBuilder b = new StringBuilder("| cell | status | dev bleu | dev levenshtein | dev levenshtein rate | dev exact match |\n|---|---|---|---|---|---|\n");
    for (CellResult r : results) {
      String status = r.exitCode() == 0 ? (r.skipped() ? "finished earlier" : "finished") : "exit " + r.exitCode();
      String bleu = "", lev = "", rate = "", exact = "";
      Path summary = r.dir().resolve(TrainingRun.SUMMARY_FILE);
      if (Files.isRegularFile(summary)) {
        var f = TrainingRun.JSON.readTree(summary.toFile()).path("final");
        bleu = fmt(f.path("bleu").asDouble(Double.NaN));
        lev = fmt(f.path("levenshtein").asDouble(Double.NaN));
        rate = fmt(f.path("levenshtein_rate").asDouble(Double.NaN));
        exact = fmt(f.path("exact_match").asDouble(Double.NaN));
      }
      b.append("| ").append(r.name()).append(" | ").append(status).append(" | ").append(bleu).append(" | ").append(lev)
          .append(" | ").append(rate).append(" | ").append(exact).append(" |\n");
    }
    Files.writeString(dir.resolve("cells.md"), b.toString());
    System.out.print(b);
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
  }

}
