package org.seqrl.experiments.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The on-disk journal of one run, {@code <run dir>/mlflow-journal/}:
 *
 * <ul>
 *   <li>{@code records.jsonl}: every record (run start, params, tags, metrics, artifacts, end), one
 *       JSON object a line, appended <em>before</em> anything is sent, so that nothing is lost when
 *       the server is away;</li>
 *   <li>{@code cursor.json}: how many records (and bytes) the server has acknowledged, rewritten
 *       atomically after each acknowledged batch;</li>
 *   <li>{@code run.json}: the local run key, and once the run exists on the server its run id,
 *       experiment id and target (never credentials);</li>
 *   <li>{@code artifacts/}: copies of logged artifact files, taken when logged (the originals may
 *       change or vanish before delivery), deleted once uploaded;</li>
 *   <li>{@code rejected.jsonl}: records the server refused as invalid (a 4xx other than 408/429),
 *       kept with the server's message rather than retried forever.</li>
 * </ul>
 */
final class Journal {

  static final String DIR_NAME = "mlflow-journal";
  static final String RECORDS = "records.jsonl";
  static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path records;
  private long appended;
  private FileChannel out;

  /** A record with its position: {@code index} is its line number, {@code end} the byte offset after it. */
  record Entry(long index, long end, JsonNode node) {}

  /** Acknowledged prefix of the journal. */
  record Cursor(long delivered, long offset) {}

  /** What the journal knows of its run. */
  record RunState(String key, String runId, String experimentId, String target) {
    RunState withRun(String id, String experiment) {
      return new RunState(key, id, experiment, target);
    }
  }

  private Journal(Path dir) throws IOException {
    this.dir = dir;
    this.records = dir.resolve(RECORDS);
    Files.createDirectories(dir.resolve("artifacts"));
    if (!Files.exists(records)) {
      Files.createFile(records);
    }
    terminatePartialLine(records);
    this.appended = countLines(records);
  }

  /** Opens (creating if needed) the journal directory itself. */
  static Journal open(Path journalDir) {
    try {
      return new Journal(journalDir.toAbsolutePath().normalize());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the MLflow journal " + journalDir + ": " + e.getMessage(), e);
    }
  }

  static boolean isJournal(Path dir) {
    return Files.isRegularFile(dir.resolve(RECORDS));
  }

  Path dir() {
    return dir;
  }

  /** Appends one record; it is in the OS's hands (survives a crash of this process) when this returns. */
  synchronized long append(ObjectNode record) throws IOException {
    if (out == null) {
      out = FileChannel.open(records, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }
    byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.wrap(line);
    while (buf.hasRemaining()) {
      out.write(buf);
    }
    return appended++;
  }

  synchronized long appended() {
    return appended;
  }

  synchronized void closeWriter() {
    if (out != null) {
      try {
        out.force(false);
        out.close();
      } catch (IOException ignored) {
        // Already-written lines are safe; force is only extra durability against power loss.
      }
      out = null;
    }
  }

  /** Reads up to {@code max} complete records starting at a byte offset (a partial last line is left). */
  List<Entry> read(Cursor from, int max) throws IOException {
    List<Entry> result = new ArrayList<>();
    try (RandomAccessFile raf = new RandomAccessFile(records.toFile(), "r")) {
      long offset = from.offset();
      long index = from.delivered();
      raf.seek(offset);
      byte[] chunk = new byte[1 << 16];
      java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
      int n;
      outer:
      while ((n = raf.read(chunk)) > 0) {
        for (int i = 0; i < n; i++) {
          offset++;
          if (chunk[i] == '\n') {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!text.isBlank()) {
              result.add(new Entry(index, offset, parseOrNull(text)));
            }
            index++;
            if (result.size() >= max) {
              break outer;
            }
          } else {
            line.write(chunk[i]);
          }
        }
      }
    }
    return result;
  }

  Cursor cursor() {
    Path f = dir.resolve("cursor.json");
    if (!Files.exists(f)) {
      return new Cursor(0, 0);
    }
    try {
      JsonNode n = JSON.readTree(f.toFile());
      return new Cursor(n.path("delivered").asLong(), n.path("offset").asLong());
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt journal cursor " + f + ": " + e.getMessage(), e);
    }
  }

  void saveCursor(Cursor c) throws IOException {
    writeAtomically("cursor.json", JSON.createObjectNode().put("delivered", c.delivered()).put("offset", c.offset()));
  }

  Optional<RunState> runState() {
    Path f = dir.resolve("run.json");
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(f.toFile());
      return Optional.of(new RunState(n.path("key").asText(), text(n, "runId"), text(n, "experimentId"), text(n, "target")));
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt journal run state " + f + ": " + e.getMessage(), e);
    }
  }

  /** The run state, created with a fresh local run key on first use. */
  RunState runStateOrCreate(String target) throws IOException {
    Optional<RunState> s = runState();
    if (s.isPresent()) {
      return s.get();
    }
    RunState fresh = new RunState(UUID.randomUUID().toString().replace("-", ""), null, null, target);
    saveRunState(fresh);
    return fresh;
  }

  void saveRunState(RunState s) throws IOException {
    ObjectNode n = JSON.createObjectNode().put("key", s.key());
    n.put("runId", s.runId());
    n.put("experimentId", s.experimentId());
    n.put("target", s.target());
    writeAtomically("run.json", n);
  }

  void reject(JsonNode record, String reason) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.set("record", record);
    n.put("reason", reason);
    Files.writeString(dir.resolve("rejected.jsonl"), JSON.writeValueAsString(n) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  long rejectedCount() {
    Path f = dir.resolve("rejected.jsonl");
    try {
      return Files.exists(f) ? countLines(f) : 0;
    } catch (IOException e) {
      return -1;
    }
  }

  Path artifactsDir() {
    return dir.resolve("artifacts");
  }

  /**
   * Exclusive right to deliver this journal, across processes (a file lock) and inside this JVM
   * (file locks do not exclude threads of one process). Null when someone else holds it.
   */
  DeliveryLock tryLockDelivery() throws IOException {
    FileChannel ch = FileChannel.open(dir.resolve("deliver.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        ch.close();
        return null;
      }
      return new DeliveryLock(ch, lock);
    } catch (OverlappingFileLockException e) {
      ch.close();
      return null;
    }
  }

  static final class DeliveryLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    DeliveryLock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() throws IOException {
      lock.release();
      channel.close();
    }
  }

  private void writeAtomically(String name, ObjectNode n) throws IOException {
    Path tmp = dir.resolve(name + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(JSON.writeValueAsBytes(n)));
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A line cut short by a crash becomes one unreadable record (set aside on delivery), not a corrupt next record. */
  private static void terminatePartialLine(Path f) throws IOException {
    long size = Files.size(f);
    if (size == 0) {
      return;
    }
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(size - 1);
      if (raf.read() != '\n') {
        raf.seek(size);
        raf.write('\n');
      }
    }
  }

  private static JsonNode parseOrNull(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      return null;
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static long countLines(Path f) throws IOException {
    long count = 0;
    try (var in = Files.newInputStream(f)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            count++;
          }
        }
      }
    }
    return count;
  }
}
