package org.seqrl.experiments.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.ConfigChoice;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.experiments.report.LearningCurvePlot;
import org.seqrl.experiments.tracking.RunRecorder;
import org.seqrl.experiments.tracking.TrackingTarget;
import org.seqrl.rl.NonFiniteLossException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seqrl train}: MLE pre-training, then RL, tracked in MLflow, resumable. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Pre-train with likelihood, then train with RL; evaluate, checkpoint and track the run.")
public final class TrainCommand implements Callable<Integer> {

  /** Exit code of a run stopped by SIGINT/SIGTERM after writing its checkpoint. */
  static final int EXIT_INTERRUPTED = 130;
  /** Exit code of a run that hit a NaN or infinite loss. */
  static final int EXIT_DIVERGED = 3;

  @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "YAML config (not with --resume).")
  Path configFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. --set rl.baseline=scst.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--output", paramLabel = "DIR", description = "Run directory (default: runs/<experiment>-<time>).")
  Path output;

  @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its latest checkpoint.")
  Path resume;

  @Option(names = "--tracking-uri", paramLabel = "URI", description = "MLflow server (default: MLFLOW_TRACKING_URI, else the embedded local server).")
  String trackingUri;

  @Option(names = "--no-tracking", description = "Do not record the run in MLflow (metrics.jsonl and summary.json are still written).")
  boolean noTracking;

  @Option(names = "--run-name", paramLabel = "NAME", description = "MLflow run name (default: the run directory's name).")
  String runName;

  @Option(names = "--parent-run-id", hidden = true)
  String parentRunId;

  @Option(names = "--parent-journal", hidden = true)
  Path parentJournal;

  /** The sweep cell's full overrides (the run name is a short label), kept as the tag seqrl.sweep.cell. */
  @Option(names = "--sweep-cell", hidden = true)
  String sweepCell;

  @Option(names = "--progress", description = "Progress display: auto (bar on a terminal), bar, lines. Default: ${DEFAULT-VALUE}.",
      defaultValue = "auto")
  String progress;

  @Option(names = "--max-time", paramLabel = "DURATION", description = "Wall-clock budget of this call, e.g. 90s, 30m, "
      + "2h: when spent, the run ends as if done (final evaluation, best checkpoint, summary).")
  String maxTime;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    java.time.Duration budget = maxTime == null ? null : parseDuration("--max-time", maxTime);
    TrainingRun run = open();
    run.setMaxTime(budget);
    Path runDir = run.runDir();
    SeqrlConfig config = run.config();
    long total = config.pretrain().steps() + config.rl().steps();
    boolean terminal = switch (progress) {
      case "bar" -> true;
      case "lines" -> false;
      case "auto" -> System.console() != null;
      default -> throw new UserInputException("--progress: '" + progress + "' is not a mode; expected auto, bar or lines");
    };
    // On SIGINT/SIGTERM the JVM runs shutdown hooks and then halts: this one asks the loop to stop
    // and waits (bounded) until this command has checkpointed and flushed its records.
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      run.requestStop();
      try {
        done.await(120, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "seqrl-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (ConsoleListener console = new ConsoleListener(out, total, Math.max(1, config.eval().every() / 4), terminal,
        run.components().reward().name());
         MetricsFileListener metricsFile = new MetricsFileListener(runDir);
         RunRecorder recorder = noTracking ? null : openRecorder(run)) {
      run.addListener(console);
      run.addListener(metricsFile);
      // memory heatmaps come from the fast engine's NTM cell; other policies have no memory to draw
      MlflowListener.MemoryTracer memory = run.components().policy() instanceof org.seqrl.agents.Seq2SeqPolicy fast
          ? fast::memoryTrace : null;
      run.addListener(new MlflowListener(recorder, runDir, run.components().dataset(), config.eval().heatmaps(), memory));
      TrainingRun.Outcome outcome;
      try {
        outcome = run.run();
      } catch (NonFiniteLossException e) {
        out.println("seqrl: " + e.getMessage() + "; training stopped. The last good checkpoint is kept in "
            + runDir.resolve("checkpoints") + " (resume with `seqrl train --resume " + runDir + "` after changing the"
            + " learning rate or clipping in " + runDir.resolve(TrainingRun.CONFIG_FILE) + ").");
        if (recorder != null) {
          recorder.setTag("seqrl.failure", e.getMessage());
          recorder.end(RunRecorder.Status.FAILED);
        }
        return EXIT_DIVERGED;
      }
      if (outcome == TrainingRun.Outcome.INTERRUPTED) {
        out.println("seqrl: stopped at step " + run.globalStep() + "; checkpoint written. Continue with `seqrl train --resume "
            + runDir + "`.");
        if (recorder != null) {
          recorder.end(RunRecorder.Status.KILLED);
        }
        return EXIT_INTERRUPTED;
      }
      Path plot = writeCurves(runDir);
      if (recorder != null) {
        recorder.logArtifact(runDir.resolve(TrainingRun.SUMMARY_FILE), "");
        if (plot != null) {
          recorder.logArtifact(plot, "plots");
        }
        new CheckpointStore(runDir).find("best").ifPresent(p -> recorder.logArtifacts(p, "checkpoints/best"));
        new CheckpointStore(runDir).find("latest").ifPresent(p -> recorder.logArtifacts(p, "checkpoints/final"));
      }
      run.phaseEnds().forEach((phase, end) -> {
        if (!end.equals("completed") && !end.equals("skipped")) {
          out.println("seqrl: " + phase + " ended early (" + switch (end) {
            case "patience" -> "no better " + config.eval().bestMetric() + " in "
                + (phase.equals("rl") ? config.rl().patience() : config.pretrain().patience()) + " evaluations";
            case "max_time" -> "--max-time " + maxTime + " spent";
            default -> end;
          } + ")");
        }
      });
      out.println("seqrl: finished; summary in " + runDir.resolve(TrainingRun.SUMMARY_FILE));
      printSummary(out, runDir);
      if (recorder != null) {
        // The run's page exists once the server has the run; close() would wait as long anyway.
        recorder.flush(Duration.ofSeconds(30));
        recorder.runPage().ifPresent(link -> out.println("MLflow run: " + link));
        recorder.experimentPage().ifPresent(link -> out.println("MLflow runs: " + link));
      }
      return 0;
    } finally {
      run.close();
      done.countDown();
      removeHook(hook);
    }
  }

  private TrainingRun open() {
    if (resume != null) {
      if (configFile != null || !overrides.isEmpty()) {
        throw new UserInputException("--resume " + resume + " continues a run with its saved config; "
            + "drop CONFIG and --set (edit " + resume.resolve(TrainingRun.CONFIG_FILE) + " instead)");
      }
      return TrainingRun.resume(resume);
    }
    if (configFile == null) {
      throw new UserInputException("train: missing CONFIG; expected `seqrl train CONFIG [--set key=value ...]` "
          + "or `seqrl train --resume DIR`");
    }
    if (!Files.isRegularFile(configFile)) {
      throw new UserInputException(configFile + ": no such config file");
    }
    SeqrlConfig config = ConfigLoader.load(configFile, overrides);
    Path dir = output != null ? output : Path.of("runs", config.experiment() + "-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
    Path base = configFile.toAbsolutePath().getParent();
    return TrainingRun.start(config, base, dir);
  }

  private RunRecorder openRecorder(TrainingRun run) {
    SeqrlConfig config = run.config();
    String uri = trackingUri != null ? trackingUri : config.tracking().uri();
    TrackingTarget target = TrackingTarget.resolve(uri, System.getenv());
    String name = runName != null ? runName : run.runDir().toAbsolutePath().normalize().getFileName().toString();
    Map<String, String> tags = new LinkedHashMap<>();
    tags.putAll(standardTags(config, configFile != null ? "seqrl train " + configFile
        : "seqrl train --resume " + run.runDir()));
    if (sweepCell != null) {
      tags.put("seqrl.sweep.cell", sweepCell);
    }
    tags.put("seqrl.task", ConfigChoice.spelling(config.data().task()));
    tags.put("seqrl.reward", RunComponents.rewardLabel(config));
    tags.put("seqrl.baseline", config.rl().baselineLabel());
    tags.put("seqrl.model", modelSummary(config));
    tags.put("seqrl.seed", Long.toString(config.seed()));
    tags.put("seqrl.run_dir", run.runDir().toAbsolutePath().normalize().toString());
    Provenance.versions().forEach((k, v) -> tags.put("seqrl.version." + k, v));
    RunRecorder.Builder b = RunRecorder.builder(target, run.runDir()).experiment(config.experiment()).runName(name).tags(tags);
    if (parentRunId != null) {
      b.parentRunId(parentRunId);
    }
    if (parentJournal != null) {
      b.parentJournal(parentJournal);
    }
    RunRecorder recorder = b.start();
    if (run.globalStep() == 0) {
      recorder.logParams(withoutNulls(config.flatten()));
      recorder.logArtifact(run.runDir().resolve(TrainingRun.CONFIG_FILE), "config");
    }
    return recorder;
  }

  /**
   * MLflow's own tags, which its UI shows as "Created by", "Source", the git commit and the run's
   * description (mlflow.note.content: a short summary of the resolved config).
   */
  static Map<String, String> standardTags(SeqrlConfig config, String source) {
    Map<String, String> tags = new LinkedHashMap<>();
    String user = System.getProperty("user.name");
    if (user != null && !user.isBlank()) {
      tags.put("mlflow.user", user);
    }
    tags.put("mlflow.source.type", "LOCAL");
    tags.put("mlflow.source.name", source);
    String commit = Provenance.gitCommit();
    if (!commit.equals("unknown")) {
      // MLflow links a bare hash; "+dirty" stays in seqrl.version.git_commit.
      tags.put("mlflow.source.git.commit", commit.replace("+dirty", ""));
    }
    tags.put("mlflow.note.content", note(config));
    return tags;
  }

  /** A Markdown summary of the resolved config for the run's description. */
  static String note(SeqrlConfig c) {
    var p = c.pretrain();
    var r = c.rl();
    return String.format(Locale.ROOT, """
        **%s**: task `%s`, reward `%s`, baseline `%s`, seed %d

        - model: %s
        - pre-training: %d steps, batch %d, learning rate %s
        - RL: %d steps, batch %d, learning rate %s, entropy bonus %s
        - best checkpoint by `%s` (%s)

        The full resolved config is the artifact `config/config.yaml` and the run's params.
        """, c.experiment(), ConfigChoice.spelling(c.data().task()), RunComponents.rewardLabel(c),
        r.baselineLabel(), c.seed(), modelSummary(c), p.steps(), p.batchSize(), num(p.learningRate()),
        r.steps(), r.batchSize(), num(r.learningRate()), num(r.entropy()), c.eval().bestMetric(),
        c.eval().bestDirection() == org.seqrl.rl.MetricDirection.MAX ? "higher is better" : "lower is better");
  }

  private static String num(double v) {
    return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
  }

  /** Unset options flatten to "null": MLflow would show each as a param, which is noise; config.yaml keeps them. */
  static Map<String, String> withoutNulls(Map<String, String> params) {
    Map<String, String> out = new LinkedHashMap<>(params);
    out.values().removeIf(v -> v == null || v.equals("null"));
    return out;
  }

  static String modelSummary(SeqrlConfig c) {
    var m = c.model();
    return String.format(Locale.ROOT, "%s emb%d hid%d layers%d%s%s attn=%s", m.cell(), m.embedding(), m.hidden(),
        m.encoderLayers(), m.bidirectional() ? " bi" : "", m.decoderLayers() > 1 ? " dec" + m.decoderLayers() : "",
        m.attention()).toLowerCase(Locale.ROOT)
        + (m.engine() == org.seqrl.agents.Engine.FAST ? "" : " engine=" + ConfigChoice.spelling(m.engine()));
  }

  private static Path writeCurves(Path runDir) {
    try {
      var histories = MetricsFileListener.read(runDir);
      if (histories.isEmpty()) {
        return null;
      }
      Path png = runDir.resolve("plots").resolve("learning-curves.png");
      Files.createDirectories(png.getParent());
      LearningCurvePlot.writeRun(runDir.getFileName().toString(), histories, png);
      return png;
    } catch (IOException | RuntimeException e) {
      System.err.println("seqrl: could not draw learning curves: " + e);
      return null;
    }
  }

  private static void printSummary(PrintStream out, Path runDir) {
    try {
      var s = TrainingRun.JSON.readTree(runDir.resolve(TrainingRun.SUMMARY_FILE).toFile());
      out.printf(Locale.ROOT, "%-22s %12s %12s%n", "dev metric", "before RL", "final");
      s.get("final").fieldNames().forEachRemaining(k -> out.printf(Locale.ROOT, "%-22s %12.4f %12.4f%n", k,
          s.get("before_rl").path(k).asDouble(Double.NaN), s.get("final").get(k).asDouble()));
      out.printf(Locale.ROOT, "wall time %.1f s%n", s.get("wall_time_s").asDouble());
    } catch (IOException e) {
      out.println("seqrl: could not read the summary: " + e.getMessage());
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook is running and waits for us.
    }
  }

  /** A duration as 90s, 30m, 2h or 1h30m (or ISO-8601 such as PT90S); the error says which forms work. */
  static java.time.Duration parseDuration(String option, String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    java.time.Duration d = null;
    if (t.matches("(\\d+h)?(\\d+m)?(\\d+s)?") && !t.isEmpty()) {
      d = java.time.Duration.parse("PT" + t.toUpperCase(java.util.Locale.ROOT));
    } else if (t.startsWith("pt")) {
      try {
        d = java.time.Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
      } catch (java.time.format.DateTimeParseException e) {
        // reported below
      }
    }
    if (d == null || d.isZero() || d.isNegative()) {
      throw new UserInputException(option + ": '" + text + "' is not a duration; expected e.g. 90s, 30m, 2h or 1h30m");
    }
    return d;
  }
}
