package org.seqrl.experiments.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;

/**
 * Delivers a journal's unacknowledged records to a server, in order, exactly once.
 *
 * <p>Exactly once, because of how each kind of record is made safe to send again after an
 * acknowledgement was lost (sent, applied by the server, but the cursor not yet saved):
 * <ul>
 *   <li><b>run start</b>: the run is created with tag {@value #RUN_KEY_TAG} = the journal's local run
 *       key; before creating, the sender searches the experiment for a run with that key and adopts
 *       it, so a lost reply to create-run never makes a second run;</li>
 *   <li><b>metrics</b>: the first batch after (re)starting a sender or after any failed send is
 *       "in doubt"; for it the sender reads the metric history of the batch's keys and drops the
 *       points already stored (same step, timestamp and value: the timestamp is taken when the
 *       metric is journaled, so a re-send is bit-identical). Batches after an acknowledged one are
 *       not in doubt, because the cursor is saved before the next batch is sent. (MLflow's SQL
 *       store also ignores an exact duplicate of a stored point, a second line of defence that a
 *       file or third-party store may not give.);</li>
 *   <li><b>params</b> are write-once with the same value, <b>tags</b> are overwritten,
 *       <b>artifacts</b> are PUT to the same path, <b>end</b> sets the same status: all idempotent.</li>
 * </ul>
 * The cursor is saved atomically after every acknowledged batch.
 */
final class JournalSender {

  static final String RUN_KEY_TAG = "seqrl.run_key";
  static final int MAX_METRICS = 1000;
  static final int MAX_PARAMS_TAGS = 100;
  static final int READ_AHEAD = 1200;

  /** A failure to deliver now that a later attempt may overcome (server away, parent run not yet created). */
  static final class NotDelivered extends Exception {
    NotDelivered(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Journal journal;
  private boolean inDoubt = true;
  private Journal.RunState state;

  JournalSender(Journal journal) {
    this.journal = journal;
  }

  /** After a failure, the next batch may or may not have been applied. */
  void markInDoubt() {
    inDoubt = true;
  }

  /** Delivers everything appended so far; returns how many records were acknowledged. */
  long deliverPending(MlflowConnection conn) throws NotDelivered {
    long done = 0;
    try {
      while (true) {
        Journal.Cursor cursor = journal.cursor();
        List<Journal.Entry> entries = journal.read(cursor, READ_AHEAD);
        if (entries.isEmpty()) {
          return done;
        }
        int used = deliverPrefix(conn, entries);
        Journal.Entry last = entries.get(used - 1);
        journal.saveCursor(new Journal.Cursor(last.index() + 1, last.end()));
        inDoubt = false;
        done += used;
      }
    } catch (NotDelivered e) {
      inDoubt = true;
      throw e;
    } catch (MlflowHttpException e) {
      inDoubt = true;
      throw new NotDelivered("server answered " + e.getStatusCode() + ": " + e.getBodyMessage(), e);
    } catch (IOException | RuntimeException e) {
      inDoubt = true;
      throw new NotDelivered(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** Delivers a prefix of {@code entries} as one request (or a few); returns its length. */
  private int deliverPrefix(MlflowConnection conn, List<Journal.Entry> entries) throws NotDelivered, IOException {
    JsonNode first = entries.get(0).node();
    String type = first == null ? "corrupt" : first.path("t").asText();
    switch (type) {
      case "start" -> {
        ensureRun(conn, first);
        return 1;
      }
      case "metric", "param", "tag" -> {
        return deliverBatch(conn, entries);
      }
      case "artifact" -> {
        deliverArtifact(conn, first);
        return 1;
      }
      case "resume" -> {
        updateStatus(conn, "RUNNING", null);
        return 1;
      }
      case "end" -> {
        updateStatus(conn, first.path("status").asText(), first.path("time").asLong());
        return 1;
      }
      default -> {
        journal.reject(first, "unreadable or unknown journal record");
        return 1;
      }
    }
  }

  private String runId() throws NotDelivered {
    if (state == null || state.runId() == null) {
      state = journal.runState().orElse(null);
    }
    if (state == null || state.runId() == null) {
      throw new NotDelivered("journal " + journal.dir() + " has records before its run start", null);
    }
    return state.runId();
  }

  private void ensureRun(MlflowConnection conn, JsonNode start) throws NotDelivered, IOException {
    state = journal.runState().orElseThrow(() -> new IOException("journal " + journal.dir() + " has no run.json"));
    if (state.runId() != null) {
      return;
    }
    MlflowClient client = conn.client();
    if (start.hasNonNull("runId")) {
      // Reattaching to a run that exists on the server (resume).
      Run run = client.getRun(start.get("runId").asText());
      state = state.withRun(run.getInfo().getRunId(), run.getInfo().getExperimentId());
      journal.saveRunState(state);
      updateStatus(conn, "RUNNING", null);
      return;
    }
    String experimentId = experimentId(client, start.path("experiment").asText());
    Optional<String> existing = findByKey(client, experimentId, state.key());
    String runId;
    if (existing.isPresent()) {
      runId = existing.get();
    } else {
      CreateRun.Builder create = CreateRun.newBuilder()
          .setExperimentId(experimentId)
          .setStartTime(start.path("time").asLong());
      if (start.hasNonNull("name")) {
        create.setRunName(start.get("name").asText());
        create.addTags(tag("mlflow.runName", start.get("name").asText()));
      }
      String parent = parentRunId(start);
      if (parent != null) {
        create.addTags(tag("mlflow.parentRunId", parent));
      }
      create.addTags(tag(RUN_KEY_TAG, state.key()));
      Iterator<Map.Entry<String, JsonNode>> tags = start.path("tags").fields();
      while (tags.hasNext()) {
        Map.Entry<String, JsonNode> t = tags.next();
        create.addTags(tag(t.getKey(), t.getValue().asText()));
      }
      runId = client.createRun(create.build()).getRunId();
    }
    state = state.withRun(runId, experimentId);
    journal.saveRunState(state);
  }

  // Synchronised so that a sweep's parent and child senders in one JVM do not race to create it.
  private static synchronized String experimentId(MlflowClient client, String name) {
    Optional<String> found = MlflowConnection.findExperiment(client, name);
    if (found.isPresent()) {
      return found.get();
    }
    try {
      return client.createExperiment(name);
    } catch (MlflowHttpException ex) {
      // Another process created it between our lookup and create.
      return MlflowConnection.findExperiment(client, name).orElseThrow(() -> ex);
    }
  }

  private static Optional<String> findByKey(MlflowClient client, String experimentId, String key) {
    List<org.mlflow.api.proto.Service.RunInfo> runs =
        client.searchRuns(List.of(experimentId), "tags.`" + RUN_KEY_TAG + "` = '" + key + "'");
    return runs.stream().map(org.mlflow.api.proto.Service.RunInfo::getRunId).findFirst();
  }

  private String parentRunId(JsonNode start) throws NotDelivered {
    if (start.hasNonNull("parentRunId")) {
      return start.get("parentRunId").asText();
    }
    if (start.hasNonNull("parentJournal")) {
      Path parentDir = Path.of(start.get("parentJournal").asText());
      Optional<Journal.RunState> ps = Journal.isJournal(parentDir) ? Journal.open(parentDir).runState() : Optional.empty();
      if (ps.isEmpty() || ps.get().runId() == null) {
        throw new NotDelivered("parent run (journal " + parentDir + ") is not on the server yet", null);
      }
      return ps.get().runId();
    }
    return null;
  }

  private int deliverBatch(MlflowConnection conn, List<Journal.Entry> entries) throws NotDelivered, IOException {
    String runId = runId();
    List<JsonNode> batch = new ArrayList<>();
    int metrics = 0;
    int params = 0;
    int tags = 0;
    for (Journal.Entry e : entries) {
      JsonNode n = e.node();
      String t = n == null ? "" : n.path("t").asText();
      boolean fits = switch (t) {
        case "metric" -> metrics < MAX_METRICS && metrics + params + tags < MAX_METRICS;
        case "param" -> params < MAX_PARAMS_TAGS && metrics + params + tags < MAX_METRICS;
        case "tag" -> tags < MAX_PARAMS_TAGS && metrics + params + tags < MAX_METRICS;
        default -> false;
      };
      if (!fits) {
        break;
      }
      switch (t) {
        case "metric" -> metrics++;
        case "param" -> params++;
        default -> tags++;
      }
      batch.add(n);
    }
    List<JsonNode> toSend = inDoubt ? dropStoredMetrics(conn.client(), runId, batch) : batch;
    try {
      send(conn.client(), runId, toSend);
    } catch (MlflowHttpException ex) {
      if (!isPermanent(ex)) {
        throw ex;
      }
      // One bad record (e.g. a changed param) must not block the rest: send one by one, set aside the refused.
      for (JsonNode n : toSend) {
        try {
          send(conn.client(), runId, List.of(n));
        } catch (MlflowHttpException one) {
          if (!isPermanent(one)) {
            throw one;
          }
          journal.reject(n, "HTTP " + one.getStatusCode() + ": " + one.getBodyMessage());
        }
      }
    }
    return batch.size();
  }

  private static void send(MlflowClient client, String runId, List<JsonNode> records) {
    if (records.isEmpty()) {
      return;
    }
    List<Metric> metrics = new ArrayList<>();
    List<Param> params = new ArrayList<>();
    List<RunTag> tags = new ArrayList<>();
    for (JsonNode n : records) {
      switch (n.path("t").asText()) {
        case "metric" -> metrics.add(Metric.newBuilder().setKey(n.get("k").asText()).setValue(value(n.get("v")))
            .setStep(n.get("s").asLong()).setTimestamp(n.get("ts").asLong()).build());
        case "param" -> params.add(Param.newBuilder().setKey(n.get("k").asText()).setValue(n.get("v").asText()).build());
        default -> tags.add(tag(n.get("k").asText(), n.get("v").asText()));
      }
    }
    client.logBatch(runId, metrics, params, tags);
  }

  /** For an in-doubt batch: drops metric points the server already holds (see the class comment). */
  static List<JsonNode> dropStoredMetrics(MlflowClient client, String runId, List<JsonNode> batch) {
    Map<String, Set<String>> stored = new HashMap<>();
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : batch) {
      if (!"metric".equals(n.path("t").asText())) {
        out.add(n);
        continue;
      }
      String key = n.get("k").asText();
      Set<String> have = stored.computeIfAbsent(key, k -> {
        Set<String> s = new HashSet<>();
        for (Metric m : client.getMetricHistory(runId, k)) {
          s.add(identity(m.getStep(), m.getTimestamp(), m.getValue()));
        }
        return s;
      });
      if (!have.contains(identity(n.get("s").asLong(), n.get("ts").asLong(), value(n.get("v"))))) {
        out.add(n);
      }
    }
    return out;
  }

  private static String identity(long step, long timestamp, double value) {
    return step + "/" + timestamp + "/" + Double.doubleToLongBits(value);
  }

  private void deliverArtifact(MlflowConnection conn, JsonNode n) throws NotDelivered, IOException {
    String runId = runId();
    Path copy = journal.dir().resolve(n.get("copy").asText());
    if (!Files.isRegularFile(copy)) {
      // Only possible if the copy was uploaded and deleted but the ack not saved, or removed by hand.
      if (!conn.listArtifactFiles(runId).contains(n.get("path").asText())) {
        journal.reject(n, "journal copy " + copy + " is missing");
      }
      return;
    }
    try {
      conn.uploadArtifact(runId, copy, n.get("path").asText());
    } catch (MlflowHttpException ex) {
      if (!isPermanent(ex)) {
        throw ex;
      }
      journal.reject(n, "HTTP " + ex.getStatusCode() + ": " + ex.getBodyMessage());
      return;
    }
    Files.deleteIfExists(copy);
  }

  private void updateStatus(MlflowConnection conn, String status, Long endTime) throws NotDelivered {
    String runId = runId();
    if (endTime == null) {
      // The Java client only terminates runs; reopening one for a resume is a plain update call.
      conn.client().sendPost("runs/update", "{\"run_id\":\"" + runId + "\",\"status\":\"" + status + "\"}");
    } else {
      conn.client().setTerminated(runId, RunStatus.valueOf(status), endTime);
    }
  }

  static boolean isPermanent(MlflowHttpException e) {
    int s = e.getStatusCode();
    // 401/403: the credentials are wrong or missing, not the record; it waits in the journal for `seqrl sync`.
    return s >= 400 && s < 500 && s != 401 && s != 403 && s != 408 && s != 429;
  }

  static double value(JsonNode v) {
    return v.isNumber() ? v.asDouble() : Double.parseDouble(v.asText());
  }

  private static RunTag tag(String k, String v) {
    return RunTag.newBuilder().setKey(k).setValue(v).build();
  }
}
