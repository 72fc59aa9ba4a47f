package org.seqrl.experiments.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.SlurmConfig;

/**
 * Runs a sweep's {@code seqrl train} calls as Slurm job arrays and follows them: one array for the
 * shared pre-training runs, one for the cells, the cells' tasks starting only after the
 * pre-training tasks they need ended well ({@code --dependency=afterok}).
 *
 * <p>What was submitted is kept in {@code <sweep>/slurm/jobs.tsv} (task name, Slurm task id), so
 * that a later call follows what is still queued or running instead of submitting it again, and
 * submits only tasks without a {@code summary.json}. An array task's index is the task's position in
 * the sweep (stable over calls); it runs {@code <sweep>/slurm/tasks/<stage>-<index>.sh}, written at
 * submission, which appends to the task's {@code train.log} as a local sweep does.
 *
 * <p>States come from {@code squeue --states=all} (slurmctld keeps finished jobs for {@code MinJobAge}
 * seconds), else from {@code sacct} where the cluster keeps accounting, else from the files: a task
 * that is listed nowhere is done when its {@code summary.json} exists and failed otherwise.
 */
final class SlurmSweep {

  /** One {@code seqrl train} call; {@code args} are built at submission (a started run resumes). */
  record Task(String name, String label, Path dir, boolean pretraining, Supplier<List<String>> args) {}

  /** Where a task stands, from Slurm's job states. */
  enum TaskState {
    PENDING, RUNNING, DONE, FAILED;

    boolean active() {
      return this == PENDING || this == RUNNING;
    }

    static TaskState of(String slurmState) {
      String s = slurmState.trim().toUpperCase(Locale.ROOT);
      // "CANCELLED by 0" from sacct; a state name otherwise.
      s = s.split("[ +]")[0];
      return switch (s) {
        case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SUSPENDED",
             "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING" -> PENDING;
        case "RUNNING", "COMPLETING" -> RUNNING;
        case "COMPLETED" -> DONE;
        default -> FAILED; // FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE
      };
    }
  }

  private static final Duration POLL = Duration.ofSeconds(2);
  private static final int LOG_TAIL = 15;

  private final Path sweepDir;
  private final Path slurmDir;
  private final String experiment;
  private final SlurmConfig resources;
  private final List<String> javaCommand;
  private final PrintStream out;

  SlurmSweep(Path sweepDir, String experiment, SlurmConfig resources, List<String> javaCommand, PrintStream out) {
    this.sweepDir = sweepDir.toAbsolutePath().normalize();
    this.slurmDir = this.sweepDir.resolve("slurm");
    this.experiment = experiment;
    this.resources = resources;
    this.javaCommand = List.copyOf(javaCommand);
    this.out = out;
  }

  /**
   * Submits what is not finished, then follows every task until it ends. Empty when the tasks were
   * left running: {@code detach}, or Ctrl-C answered with "keep them".
   */
  Optional<List<SweepCommand.CellResult>> run(List<Task> pretrain, List<Task> cells, boolean detach)
      throws IOException, InterruptedException {
    Files.createDirectories(slurmDir.resolve("tasks"));
    Files.createDirectories(slurmDir.resolve("logs"));
    Map<String, String> submitted = readJobs();
    Map<String, TaskState> previous = states(submitted);

    Map<String, String> jobOf = new LinkedHashMap<>();
    List<Task> finishedEarlier = new ArrayList<>();
    List<Integer> pretrainToSubmit = indicesToSubmit(pretrain, submitted, previous, jobOf, finishedEarlier);
    List<Integer> cellsToSubmit = indicesToSubmit(cells, submitted, previous, jobOf, finishedEarlier);

    if (!pretrainToSubmit.isEmpty()) {
      String job = submit("pretrain", pretrain, pretrainToSubmit, List.of());
      pretrainToSubmit.forEach(i -> jobOf.put(pretrain.get(i).name(), job + "_" + i));
    }
    if (!cellsToSubmit.isEmpty()) {
      // Cells wait for every pre-training task that has not finished yet (a finished one needs no waiting).
      List<String> waitFor = pretrain.stream().map(Task::name).filter(jobOf::containsKey).map(jobOf::get).toList();
      String job = submit("cells", cells, cellsToSubmit, waitFor);
      cellsToSubmit.forEach(i -> jobOf.put(cells.get(i).name(), job + "_" + i));
    }
    writeJobs(submitted, jobOf);

    List<Task> all = new ArrayList<>(pretrain);
    all.addAll(cells);
    if (jobOf.isEmpty()) {
      out.println("slurm: every task finished earlier; nothing submitted");
    }
    String jobs = arrayJobs(jobOf.values());
    if (detach) {
      if (!jobOf.isEmpty()) {
        out.println("slurm: detached; jobs " + jobs + " run on. Follow with `squeue -j " + jobs + "`; run this sweep "
            + "again to follow it and finish it (it submits nothing that is queued or running), `scancel " + jobs
            + "` to cancel.");
        return Optional.empty();
      }
    }
    Optional<Map<String, TaskState>> ended = follow(all, jobOf);
    if (ended.isEmpty()) {
      return Optional.empty();
    }
    List<SweepCommand.CellResult> results = new ArrayList<>();
    for (Task t : all) {
      boolean earlier = finishedEarlier.contains(t);
      TaskState s = earlier ? TaskState.DONE : ended.get().get(t.name());
      results.add(new SweepCommand.CellResult(t.name(), t.label(), t.dir(), s == TaskState.DONE ? 0 : 1, earlier,
          t.pretraining()));
    }
    return Optional.of(results);
  }

  /** Indices of the tasks to submit; finished tasks and those still queued or running are left out. */
  private List<Integer> indicesToSubmit(List<Task> tasks, Map<String, String> submitted, Map<String, TaskState> previous,
      Map<String, String> jobOf, List<Task> finishedEarlier) {
    List<Integer> todo = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      Task t = tasks.get(i);
      if (Files.isRegularFile(t.dir().resolve(TrainingRun.SUMMARY_FILE))) {
        out.println("skip (finished): " + t.name());
        finishedEarlier.add(t);
      } else if (previous.getOrDefault(t.name(), TaskState.FAILED).active()) {
        out.println("follow (" + previous.get(t.name()).name().toLowerCase(Locale.ROOT) + ", job "
            + submitted.get(t.name()) + "): " + t.name());
        jobOf.put(t.name(), submitted.get(t.name()));
      } else {
        boolean started = Files.isRegularFile(t.dir().resolve(TrainingRun.CONFIG_FILE));
        out.println((started ? "resume: " : "start:  ") + t.name());
        todo.add(i);
      }
    }
    return todo;
  }

  /** Writes the task scripts and submits one array; returns its job id. */
  private String submit(String stage, List<Task> tasks, List<Integer> indices, List<String> afterOk)
      throws IOException, InterruptedException {
    for (int i : indices) {
      Task t = tasks.get(i);
      Files.createDirectories(t.dir());
      List<String> cmd = new ArrayList<>(javaCommand);
      cmd.addAll(t.args().get());
      String script = "#!/bin/bash\n"
          + "# " + t.name() + "\n"
          + "cd " + quote(Path.of("").toAbsolutePath().toString()) + "\n"
          // BLAS threads: the cores Slurm gave the task.
          + "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\" OPENBLAS_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n"
          + "echo \"slurm job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname) at $(date -u +%FT%TZ)\" >> "
          + quote(t.dir().resolve("train.log").toString()) + "\n"
          // exec: the JVM gets Slurm's SIGTERM itself (scancel, time limit) and checkpoints before it exits.
          + "exec " + cmd.stream().map(SlurmSweep::quote).collect(Collectors.joining(" "))
          + " >> " + quote(t.dir().resolve("train.log").toString()) + " 2>&1\n";
      Files.writeString(slurmDir.resolve("tasks").resolve(stage + "-" + i + ".sh"), script);
    }
    Path batch = slurmDir.resolve(stage + ".sbatch");
    Files.writeString(batch, "#!/bin/bash\n# Generated by seqrl sweep: array task I runs tasks/" + stage + "-I.sh\n"
        + "exec bash " + quote(slurmDir.resolve("tasks").toString()) + "/" + stage + "-\"${SLURM_ARRAY_TASK_ID}\".sh\n");
    List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable",
        "--array=" + indices.stream().map(String::valueOf).collect(Collectors.joining(",")),
        "--job-name=seqrl-" + experiment + "-" + stage,
        "--output=" + slurmDir.resolve("logs").resolve(stage + "-%A_%a.out")));
    if (resources.partition() != null) {
      cmd.add("--partition=" + resources.partition());
    }
    if (resources.time() != null) {
      cmd.add("--time=" + resources.time());
    }
    if (resources.cpusPerTask() > 0) {
      cmd.add("--cpus-per-task=" + resources.cpusPerTask());
    }
    if (resources.memory() != null) {
      cmd.add("--mem=" + resources.memory());
    }
    if (!afterOk.isEmpty()) {
      cmd.add("--dependency=afterok:" + String.join(":", afterOk));
      // A pre-training run that failed cancels the cells that needed it instead of leaving them queued forever.
      cmd.add("--kill-on-invalid-dep=yes");
    }
    cmd.addAll(resources.sbatchOptionList());
    cmd.add(batch.toString());
    Result r = exec(cmd);
    if (r.code() != 0) {
      throw new UserInputException("sbatch refused the " + stage + " array (exit " + r.code() + "): "
          + r.output().strip() + "; command: " + String.join(" ", cmd));
    }
    String job = r.output().strip().split("[;\\s]")[0];
    if (!job.matches("\\d+")) {
      throw new IllegalStateException("sbatch answered '" + r.output().strip() + "', not a job id");
    }
    out.println("slurm: submitted " + stage + " as array job " + job + " (" + indices.size() + " task"
        + (indices.size() == 1 ? "" : "s") + (afterOk.isEmpty() ? "" : ", after " + String.join(", ", afterOk)) + ")");
    return job;
  }

  /**
   * Polls until every followed task has ended, printing the counts when they change and each end
   * once (with the log tail of a failure). Empty when the user chose to leave the tasks running.
   */
  private Optional<Map<String, TaskState>> follow(List<Task> all, Map<String, String> jobOf)
      throws InterruptedException, IOException {
    Map<String, TaskState> now = new LinkedHashMap<>();
    Map<String, Task> byName = new LinkedHashMap<>();
    all.forEach(t -> byName.put(t.name(), t));
    AtomicBoolean interrupted = new AtomicBoolean();
    Object handler = onInterrupt(() -> interrupted.set(true));
    try {
      String lastCounts = "";
      while (true) {
        Map<String, TaskState> s = states(jobOf);
        for (Map.Entry<String, String> e : jobOf.entrySet()) {
          TaskState before = now.get(e.getKey());
          TaskState state = s.getOrDefault(e.getKey(), TaskState.PENDING);
          if (state == TaskState.DONE && !Files.isRegularFile(byName.get(e.getKey()).dir().resolve(TrainingRun.SUMMARY_FILE))) {
            state = TaskState.FAILED; // ended with 0 but wrote no summary: not a finished run
          }
          if (state != before && !state.active()) {
            report(byName.get(e.getKey()), e.getValue(), state);
          }
          now.put(e.getKey(), state);
        }
        String counts = counts(now.values());
        if (!counts.equals(lastCounts)) {
          out.println("slurm: " + counts);
          lastCounts = counts;
        }
        if (now.values().stream().noneMatch(TaskState::active)) {
          return Optional.of(now);
        }
        if (interrupted.getAndSet(false)) {
          out.println();
          String jobs = arrayJobs(jobOf.entrySet().stream().filter(e -> now.get(e.getKey()).active())
              .map(Map.Entry::getValue).toList());
          if (askToCancel(jobs)) {
            List<String> cancel = new ArrayList<>(List.of("scancel"));
            cancel.addAll(List.of(jobs.split(",")));
            exec(cancel);
            out.println("slurm: cancelled jobs " + jobs + "; run the sweep again to resubmit what did not finish");
            // Cancelled tasks end as CANCELLED: keep polling so that the parent run records them as failed.
          } else {
            out.println("slurm: jobs " + jobs + " run on; run the sweep again to follow and finish it");
            return Optional.empty();
          }
        }
        Thread.sleep(POLL.toMillis());
      }
    } finally {
      restoreInterrupt(handler);
    }
  }

  private void report(Task t, String job, TaskState state) {
    Path log = t.dir().resolve("train.log");
    if (state == TaskState.DONE) {
      out.println("done: " + t.name() + " (job " + job + ", log " + log + ")");
      return;
    }
    out.println("FAILED: " + t.name() + " (job " + job + ", " + slurmState(job) + "); last lines of " + log + ":");
    String tail = LocalTail.of(log, LOG_TAIL);
    if (tail.isBlank()) {
      String[] parts = job.split("_");
      Path slurmLog = slurmDir.resolve("logs").resolve((t.pretraining() ? "pretrain" : "cells") + "-" + parts[0] + "_"
          + parts[1] + ".out");
      tail = "(train.log is empty) " + slurmLog + ":\n" + LocalTail.of(slurmLog, LOG_TAIL);
    }
    tail.lines().forEach(l -> out.println("  | " + l));
  }

  /** Slurm's own word for a task's end (TIMEOUT, CANCELLED...), for the failure line. */
  private String slurmState(String job) {
    try {
      Result r = exec(List.of("squeue", "-h", "-r", "--states=all", "-j", job, "-o", "%T %r"));
      String s = r.code() == 0 ? r.output().strip() : "";
      return s.isEmpty() ? "state unknown" : "slurm state " + s;
    } catch (IOException | InterruptedException e) {
      return "state unknown";
    }
  }

  private static String counts(java.util.Collection<TaskState> states) {
    Map<TaskState, Long> n = states.stream().collect(Collectors.groupingBy(s -> s, () -> new java.util.EnumMap<>(TaskState.class),
        Collectors.counting()));
    return String.format(Locale.ROOT, "%d pending, %d running, %d done, %d failed", n.getOrDefault(TaskState.PENDING, 0L),
        n.getOrDefault(TaskState.RUNNING, 0L), n.getOrDefault(TaskState.DONE, 0L), n.getOrDefault(TaskState.FAILED, 0L));
  }

  /** The states Slurm reports for these tasks (task name to state); tasks it no longer knows are left out. */
  private Map<String, TaskState> states(Map<String, String> jobOf) {
    Map<String, TaskState> states = new LinkedHashMap<>();
    if (jobOf.isEmpty()) {
      return states;
    }
    Map<String, String> bySlurmId = new LinkedHashMap<>();
    jobOf.forEach((name, id) -> bySlurmId.put(id, name));
    String jobs = arrayJobs(jobOf.values());
    Map<String, String> found = new LinkedHashMap<>();
    try {
      Result q = exec(List.of("squeue", "-h", "-r", "--states=all", "-j", jobs, "-o", "%i|%T"));
      if (q.code() == 0) {
        parseStates(q.output(), found);
      }
      if (!found.keySet().containsAll(bySlurmId.keySet())) {
        // Purged from slurmctld's memory: accounting (where the cluster keeps it) still knows.
        Result a = exec(List.of("sacct", "-n", "-P", "-X", "-j", jobs, "-o", "JobID,State"));
        if (a.code() == 0) {
          Map<String, String> acct = new LinkedHashMap<>();
          parseStates(a.output(), acct);
          acct.forEach(found::putIfAbsent);
        }
      }
    } catch (IOException e) {
      throw new UserInputException("could not run squeue (" + e.getMessage() + "); --launcher slurm needs Slurm's "
          + "commands on PATH (scripts/slurm-local.sh start brings up a local cluster)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return states;
    }
    bySlurmId.forEach((id, name) -> {
      String s = found.get(id);
      if (s != null) {
        states.put(name, TaskState.of(s));
      }
    });
    // Listed nowhere (an old submission long gone): the files say whether it finished.
    for (Map.Entry<String, String> e : jobOf.entrySet()) {
      states.putIfAbsent(e.getKey(), TaskState.FAILED);
    }
    return states;
  }

  private static void parseStates(String text, Map<String, String> into) {
    for (String line : text.split("\n")) {
      String[] f = line.strip().split("\\|");
      if (f.length >= 2 && f[0].matches("\\d+_\\d+")) {
        into.put(f[0], f[1]);
      }
    }
  }

  /** The distinct array job ids of task ids like 12_3, comma-separated. */
  private static String arrayJobs(java.util.Collection<String> taskIds) {
    return taskIds.stream().map(id -> id.split("_")[0]).distinct().collect(Collectors.joining(","));
  }

  private Map<String, String> readJobs() throws IOException {
    Map<String, String> jobs = new LinkedHashMap<>();
    Path f = slurmDir.resolve("jobs.tsv");
    if (Files.isRegularFile(f)) {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        int tab = line.lastIndexOf('\t');
        if (tab > 0 && !line.startsWith("#")) {
          jobs.put(line.substring(0, tab), line.substring(tab + 1));
        }
      }
    }
    return jobs;
  }

  private void writeJobs(Map<String, String> earlier, Map<String, String> now) throws IOException {
    Map<String, String> all = new LinkedHashMap<>(earlier);
    all.putAll(now);
    StringBuilder b = new StringBuilder("# task\tslurm array task of its latest submission\n");
    all.forEach((name, id) -> b.append(name).append('\t').append(id).append('\n'));
    Path tmp = slurmDir.resolve("jobs.tsv.tmp");
    Files.writeString(tmp, b.toString());
    Files.move(tmp, slurmDir.resolve("jobs.tsv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** On a terminal, asks whether to cancel; without one, cancelling is not guessed: the jobs run on. */
  private boolean askToCancel(String jobs) {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    String answer = console.readLine("%nCancel the sweep's Slurm jobs (%s)? [y/N] ", jobs);
    return answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y");
  }

  /**
   * Ctrl-C while following: SIGINT is taken from the JVM's default (exit) so that the user can be asked.
   * sun.misc.Signal is the JDK's supported way to do that (module jdk.unsupported).
   */
  private static Object onInterrupt(Runnable r) {
    try {
      return sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> r.run());
    } catch (IllegalArgumentException e) {
      return null; // the signal is reserved here (e.g. -Xrs): Ctrl-C keeps its default
    }
  }

  private static void restoreInterrupt(Object previous) {
    if (previous instanceof sun.misc.SignalHandler h) {
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), h);
    }
  }

  record Result(int code, String output) {}

  static Result exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] bytes = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(cmd.get(0) + " did not answer within 60 s");
    }
    return new Result(p.exitValue(), new String(bytes, StandardCharsets.UTF_8));
  }

  /** A word for bash in single quotes. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** The last lines of a log file. */
  static final class LocalTail {
    private LocalTail() {}

    static String of(Path file, int lines) {
      try {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
      } catch (IOException | UncheckedIOException e) {
        return "";
      }
    }
  }
}
