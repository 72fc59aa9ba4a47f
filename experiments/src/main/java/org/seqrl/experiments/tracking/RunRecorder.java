package org.seqrl.experiments.tracking;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one MLflow run without ever blocking or failing the training loop.
 *
 * <p>Every call appends a record to the run's journal ({@code <dir>/mlflow-journal/}) and returns;
 * a background thread delivers the journal to the tracking server in order, exactly once (see
 * {@link JournalSender}), retrying with back-off while the server is away. {@link #close()} waits a
 * bounded time for the rest; whatever is still undelivered stays in the journal for
 * {@code seqrl sync DIR}.
 *
 * <p>Opening a recorder on a directory whose journal already holds a run resumes that run
 * (same MLflow run, status back to RUNNING).
 */
public final class RunRecorder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RunRecorder.class);
  /** MLflow's limit on a param value (mlflow/utils/validation.py MAX_PARAM_VAL_LENGTH). */
  public static final int MAX_PARAM_VALUE = 6000;
  static final String TRUNCATION_MARK = "...[truncated]";

  /** How a run ended. */
  public enum Status { FINISHED, FAILED, KILLED }

  private final Journal journal;
  private final TrackingTarget target;
  private final Duration flushTimeout;
  private final PrintStream console;
  private final Object signal = new Object();
  private final Thread sender;
  private volatile boolean stopping;
  private volatile boolean ended;
  private volatile long delivered;
  private volatile String lastError;
  private volatile MlflowConnection connection;
  private boolean journalBroken;

  private RunRecorder(Journal journal, TrackingTarget target, Duration flushTimeout, PrintStream console) {
    this.journal = journal;
    this.target = target;
    this.flushTimeout = flushTimeout;
    this.console = console;
    this.delivered = journal.cursor().delivered();
    this.sender = new Thread(this::sendLoop, "mlflow-sender-" + journal.dir().getParent().getFileName());
    this.sender.setDaemon(true);
  }

  public static Builder builder(TrackingTarget target, Path runDir) {
    return new Builder(target, runDir);
  }

  /** Options of a new (or resumed) run. */
  public static final class Builder {
    private final TrackingTarget target;
    private final Path runDir;
    private String experiment = "Default";
    private String runName;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private String parentRunId;
    private RunRecorder parent;
    private Path parentJournalDir;
    private String reattachRunId;
    private Duration flushTimeout = Duration.ofSeconds(30);
    private PrintStream console = System.err;

    private Builder(TrackingTarget target, Path runDir) {
      this.target = target;
      this.runDir = runDir;
    }

    public Builder experiment(String name) {
      this.experiment = name;
      return this;
    }

    public Builder runName(String name) {
      this.runName = name;
      return this;
    }

    public Builder tag(String key, String value) {
      tags.put(key, value);
      return this;
    }

    public Builder tags(Map<String, String> all) {
      tags.putAll(all);
      return this;
    }

    /** Nest under a run that already exists on the server. */
    public Builder parentRunId(String id) {
      this.parentRunId = id;
      return this;
    }

    /** Nest under a run recorded in this process (it may not be on the server yet). */
    public Builder parent(RunRecorder p) {
      this.parent = p;
      return this;
    }

    /**
     * Nest under a run recorded by another process (e.g. a sweep's parent) through its journal
     * folder; the child waits for the parent to reach the server before it is created there.
     */
    public Builder parentJournal(Path journalDirOrRunDir) {
      Path d = journalDirOrRunDir.resolve(Journal.DIR_NAME);
      this.parentJournalDir = (Journal.isJournal(d) ? d : journalDirOrRunDir).toAbsolutePath().normalize();
      return this;
    }

    /** Log into an existing server run (e.g. resuming a run whose journal is gone). */
    public Builder reattach(String runId) {
      this.reattachRunId = runId;
      return this;
    }

    /** How long {@link RunRecorder#close()} waits for delivery before leaving the rest to {@code seqrl sync}. */
    public Builder flushTimeout(Duration d) {
      this.flushTimeout = d;
      return this;
    }

    /** Where the user-facing notes (server away, records left for sync) go. */
    public Builder console(PrintStream out) {
      this.console = out;
      return this;
    }

    /** Creates the journal (or resumes the run it holds) and starts delivering in the background. */
    public RunRecorder start() {
      Path dir = runDir.resolve(Journal.DIR_NAME);
      boolean resume = Journal.isJournal(dir);
      Journal journal = Journal.open(dir);
      try {
        Journal.RunState state = journal.runStateOrCreate(target.embedded()
            ? "embedded:" + target.embeddedStateDir() : TrackingTarget.redact(target.uri()));
        if (resume && journal.appended() > 0) {
          journal.append(record("resume").put("time", System.currentTimeMillis()));
        } else {
          ObjectNode start = record("start").put("key", state.key()).put("experiment", experiment)
              .put("name", runName).put("time", System.currentTimeMillis());
          start.put("runId", reattachRunId);
          start.put("parentRunId", parentRunId);
          start.put("parentJournal", parent != null ? parent.journal.dir().toString()
              : parentJournalDir != null ? parentJournalDir.toString() : null);
          ObjectNode t = start.putObject("tags");
          tags.forEach(t::put);
          journal.append(start);
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot write the MLflow journal in " + dir + ": " + e.getMessage(), e);
      }
      RunRecorder r = new RunRecorder(journal, target, flushTimeout, console);
      r.sender.start();
      return r;
    }
  }

  // ---- what training calls ---------------------------------------------------------------

  /** Logs params from a (possibly nested) map, flattened with dots; over-long values are truncated (see {@link #truncate}). */
  public void logParams(Map<String, ?> params) {
    Map<String, String> flat = flatten(params);
    List<String> truncated = new ArrayList<>();
    flat.forEach((k, v) -> {
      String value = truncate(v);
      if (!value.equals(v)) {
        truncated.add(k);
      }
      append(record("param").put("k", k).put("v", value));
    });
    if (!truncated.isEmpty()) {
      setTag("seqrl.truncated_params", String.join(",", truncated));
    }
  }

  public void logParam(String key, Object value) {
    logParams(Map.of(key, value));
  }

  public void setTag(String key, String value) {
    append(record("tag").put("k", key).put("v", value));
  }

  public void logMetric(String key, double value, long step) {
    logMetric(key, value, step, System.currentTimeMillis());
  }

  /** The timestamp is part of the point's identity (see {@link JournalSender}); keep it as given. */
  public void logMetric(String key, double value, long step, long timestampMillis) {
    ObjectNode n = record("metric").put("k", key).put("s", step).put("ts", timestampMillis);
    if (Double.isFinite(value)) {
      n.put("v", value);
    } else {
      n.put("v", Double.toString(value)); // JSON has no NaN/Infinity literals.
    }
    append(n);
  }

  public void logMetrics(Map<String, Double> values, long step) {
    long now = System.currentTimeMillis();
    values.forEach((k, v) -> logMetric(k, v, step, now));
  }

  /** Logs one file as {@code artifactDir/<file name>} (artifactDir may be empty for the root). */
  public void logArtifact(Path file, String artifactDir) {
    copyAndRecord(file, join(artifactDir, file.getFileName().toString()));
  }

  /** Logs every file below a directory, keeping relative paths, under {@code artifactDir}. */
  public void logArtifacts(Path dir, String artifactDir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        copyAndRecord(f, join(artifactDir, dir.relativize(f).toString().replace('\\', '/')));
      }
    } catch (IOException e) {
      warnJournal(e);
    }
  }

  /** Logs a text (e.g. the resolved config) as an artifact file. */
  public void logText(String text, String artifactPath) {
    try {
      Path tmp = Files.createTempFile("seqrl-artifact", ".txt");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      copyAndRecord(tmp, artifactPath);
      Files.deleteIfExists(tmp);
    } catch (IOException e) {
      warnJournal(e);
    }
  }

  /** Marks the run ended with this status; later {@link #close()} keeps it. */
  public void end(Status status) {
    if (!ended) {
      ended = true;
      append(record("end").put("status", status.name()).put("time", System.currentTimeMillis()));
    }
  }

  /**
   * Closes this recorder and leaves the run RUNNING on the server (no end record), for work that goes on
   * elsewhere: a sweep whose Slurm jobs outlive the command. A recorder opened later on the same
   * directory continues the run and ends it.
   */
  public void closeRunning() {
    ended = true;
    close();
  }

  /** The server's run id, once the run exists there. */
  public Optional<String> runId() {
    return journal.runState().map(Journal.RunState::runId);
  }

  public Path journalDir() {
    return journal.dir();
  }

  /** The run's page in the MLflow UI (model-training view), once the run exists on the server. */
  public Optional<String> runPage() {
    return journal.runState().filter(s -> s.runId() != null)
        .flatMap(s -> uiBase().map(b -> UiLinks.run(b, s.experimentId(), s.runId())));
  }

  /** The runs table of the run's experiment in the MLflow UI, once the run exists on the server. */
  public Optional<String> experimentPage() {
    return journal.runState().filter(s -> s.experimentId() != null)
        .flatMap(s -> uiBase().map(b -> UiLinks.experimentRuns(b, s.experimentId())));
  }

  private Optional<String> uiBase() {
    return target.embedded() ? LocalMlflowServer.findRunning(target.server()).map(LocalMlflowServer::uri)
        : Optional.of(target.uri());
  }

  /** Records appended but not yet acknowledged by the server. */
  public long pending() {
    return journal.appended() - delivered;
  }

  /** Waits up to {@code timeout} until everything appended so far is delivered; true if it was. */
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (signal) {
      signal.notifyAll();
      while (pending() > 0 && System.nanoTime() < deadline) {
        try {
          signal.wait(Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return pending() == 0;
        }
      }
    }
    return pending() == 0;
  }

  /** Ends the run as FINISHED (unless {@link #end} was called), flushes with a bounded wait, stops the sender. */
  @Override
  public void close() {
    end(Status.FINISHED);
    boolean all = flush(flushTimeout);
    stopping = true;
    synchronized (signal) {
      signal.notifyAll();
    }
    try {
      sender.join(2000);
      MlflowConnection stuck = connection;
      if (sender.isAlive() && stuck != null) {
        // The Java client sets no socket timeout: a server that accepts but never answers would hold the
        // sender (and the journal's delivery lock) forever. Closing its HTTP client aborts the call.
        stuck.close();
        sender.join(2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    journal.closeWriter();
    // The sender may finish the last batch while we join it.
    all = all || pending() == 0;
    if (!all) {
      console.println("seqrl: " + pending() + " MLflow records of " + journal.dir().getParent()
          + " were not delivered (" + (lastError == null ? "timed out" : lastError) + "); they are kept in "
          + journal.dir() + " and `seqrl sync " + journal.dir().getParent() + "` will deliver them");
    }
    long rejected = journal.rejectedCount();
    if (rejected > 0) {
      console.println("seqrl: the MLflow server refused " + rejected + " records as invalid; see "
          + journal.dir().resolve("rejected.jsonl"));
    }
  }

  // ---- the background sender ---------------------------------------------------------------

  private void sendLoop() {
    JournalSender s = new JournalSender(journal);
    MlflowConnection conn = null;
    long backoffMs = 250;
    boolean away = false;
    while (!stopping) {
      if (pending() > 0) {
        try (Journal.DeliveryLock lock = journal.tryLockDelivery()) {
          if (lock == null) {
            sleepOnSignal(500);
            continue;
          }
          if (conn == null) {
            conn = target.connect();
            connection = conn;
          }
          s.deliverPending(conn);
          delivered = journal.cursor().delivered();
          if (away) {
            console.println("seqrl: MLflow at " + target.describe() + " is reachable again; journal delivered");
          }
          away = false;
          lastError = null;
          backoffMs = 250;
          synchronized (signal) {
            signal.notifyAll();
          }
          continue;
        } catch (JournalSender.NotDelivered | RuntimeException | IOException e) {
          s.markInDoubt();
          lastError = e.getMessage();
          if (!away) {
            console.println("seqrl: MLflow at " + target.describe() + " is not reachable (" + e.getMessage()
                + "); training goes on and records are kept in " + journal.dir());
            away = true;
          }
          LOG.debug("delivery failed", e);
          if (target.embedded() && conn != null) {
            conn.close();
            conn = null; // The embedded server may have died: the next attempt restarts it.
            connection = null;
          }
          sleepOnSignal(backoffMs);
          backoffMs = Math.min(backoffMs * 2, 5000);
          continue;
        }
      }
      sleepOnSignal(1000);
    }
    if (conn != null) {
      conn.close();
    }
  }

  private void sleepOnSignal(long ms) {
    synchronized (signal) {
      if (stopping) {
        return;
      }
      try {
        signal.wait(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopping = true;
      }
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void append(ObjectNode n) {
    try {
      journal.append(n);
    } catch (IOException e) {
      warnJournal(e);
      return;
    }
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  private synchronized void copyAndRecord(Path file, String artifactPath) {
    try {
      long id = journal.appended();
      Path rel = Path.of("artifacts", String.format("%08d", id), file.getFileName().toString());
      Path copy = journal.dir().resolve(rel);
      Files.createDirectories(copy.getParent());
      Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
      append(record("artifact").put("copy", rel.toString().replace('\\', '/')).put("path", artifactPath));
    } catch (IOException e) {
      warnJournal(e);
    }
  }

  private void warnJournal(IOException e) {
    // Training must go on even if the disk is full; say so once rather than on every step.
    if (!journalBroken) {
      journalBroken = true;
      console.println("seqrl: cannot write the MLflow journal " + journal.dir() + " (" + e.getMessage()
          + "); tracking records are being lost");
    }
  }

  private static ObjectNode record(String type) {
    return Journal.JSON.createObjectNode().put("t", type);
  }

  private static String join(String dir, String name) {
    if (dir == null || dir.isBlank()) {
      return name;
    }
    return (dir.endsWith("/") ? dir : dir + "/") + name;
  }

  /** Values longer than MLflow accepts are cut, ending with {@value #TRUNCATION_MARK}; log the full config as an artifact. */
  static String truncate(String v) {
    if (v.length() <= MAX_PARAM_VALUE) {
      return v;
    }
    return v.substring(0, MAX_PARAM_VALUE - TRUNCATION_MARK.length()) + TRUNCATION_MARK;
  }

  /** {@code {a: {b: 1}, c: [x, y]}} becomes {@code a.b=1, c=[x, y]}. */
  static Map<String, String> flatten(Map<String, ?> map) {
    Map<String, String> out = new LinkedHashMap<>();
    flattenInto("", map, out);
    return out;
  }

  private static void flattenInto(String prefix, Map<String, ?> map, Map<String, String> out) {
    for (Map.Entry<String, ?> e : map.entrySet()) {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      Object v = e.getValue();
      if (v instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, ?> sub = (Map<String, ?>) m;
        flattenInto(key, sub, out);
      } else {
        out.put(key, String.valueOf(v));
      }
    }
  }
}
