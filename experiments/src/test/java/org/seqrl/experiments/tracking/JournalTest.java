package org.seqrl.experiments.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

  @Test
  void aLineCutShortByACrashDoesNotCorruptTheNextRecord(@TempDir Path dir) throws Exception {
    Journal j = Journal.open(dir);
    j.append(Journal.JSON.createObjectNode().put("t", "tag").put("k", "a").put("v", "1"));
    j.closeWriter();
    Files.writeString(dir.resolve(Journal.RECORDS), "{\"t\":\"met", StandardOpenOption.APPEND);
    Journal reopened = Journal.open(dir);
    reopened.append(Journal.JSON.createObjectNode().put("t", "tag").put("k", "b").put("v", "2"));
    List<Journal.Entry> entries = reopened.read(new Journal.Cursor(0, 0), 10);
    assertEquals(3, entries.size());
    assertNull(entries.get(1).node());
    assertEquals("b", entries.get(2).node().get("k").asText());
    assertEquals(3, reopened.appended());
  }

  @Test
  void readingResumesAtTheCursor(@TempDir Path dir) throws Exception {
    Journal j = Journal.open(dir);
    for (int i = 0; i < 5; i++) {
      j.append(Journal.JSON.createObjectNode().put("t", "metric").put("i", i));
    }
    List<Journal.Entry> first = j.read(new Journal.Cursor(0, 0), 2);
    Journal.Entry last = first.get(1);
    List<Journal.Entry> rest = j.read(new Journal.Cursor(last.index() + 1, last.end()), 10);
    assertEquals(List.of(2, 3, 4), rest.stream().map(e -> e.node().get("i").asInt()).toList());
    assertEquals(4, rest.get(2).index());
  }

  /** The in-doubt check drops exactly the points the server already has. */
  @Test
  void inDoubtBatchDropsStoredPoints(@TempDir Path dir) throws Exception {
    LocalMlflowServer server = TestServers.shared();
    String runId;
    try (RunRecorder r = RunRecorder.builder(TrackingTarget.of(server.uri()), dir).experiment("in-doubt")
        .console(new PrintStream(new ByteArrayOutputStream())).start()) {
      r.logMetric("m", 1.0, 0, 1000);
      r.logMetric("m", 2.0, 1, 1001);
      assertTrue(r.flush(Duration.ofSeconds(30)));
      runId = r.runId().orElseThrow();
    }
    var client = new MlflowConnection(server.uri(), MlflowCredentials.NONE).client();
    List<JsonNode> batch = List.of(
        metric(1.0, 0, 1000), // stored
        metric(2.0, 1, 1001), // stored
        metric(2.0, 1, 1002), // same step and value, later timestamp: a distinct point
        metric(3.0, 2, 1003));
    List<JsonNode> left = JournalSender.dropStoredMetrics(client, runId, batch);
    assertEquals(List.of(batch.get(2), batch.get(3)), left);
  }

  /** Token credentials from the environment go out as a bearer header (checked on a plain HTTP listener). */
  @Test
  void credentialsAreSentAsAuthorizationHeader(@TempDir Path dir) throws Exception {
    List<String> auth = new CopyOnWriteArrayList<>();
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", ex -> {
      auth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      byte[] body = "{\"error_code\":\"INTERNAL_ERROR\"}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(503, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    http.start();
    try {
      TrackingTarget target = TrackingTarget.resolve("http://127.0.0.1:" + http.getAddress().getPort(),
          Map.of("MLFLOW_TRACKING_TOKEN", "tok-123"));
      try (RunRecorder r = RunRecorder.builder(target, dir).flushTimeout(Duration.ofSeconds(2))
          .console(new PrintStream(new ByteArrayOutputStream())).start()) {
        r.logMetric("m", 1, 0);
      }
      assertTrue(!auth.isEmpty() && auth.stream().allMatch("Bearer tok-123"::equals), auth.toString());
    } finally {
      http.stop(0);
    }
  }

  /**
   * A server that accepts but never answers must not hold close() or the journal's delivery lock.
   * The server signals when it holds a request, so the test knows the sender is stuck in a call
   * before it closes (and fails if the sender never called).
   */
  @Test
  void hungServerDoesNotHoldCloseOrTheJournal(@TempDir Path dir) throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch held = new CountDownLatch(1);
    http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    }));
    http.createContext("/", ex -> {
      held.countDown();
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    http.start();
    try {
      RunRecorder r = RunRecorder.builder(TrackingTarget.of("http://127.0.0.1:" + http.getAddress().getPort()), dir)
          .flushTimeout(Duration.ofSeconds(1)).console(new PrintStream(new ByteArrayOutputStream())).start();
      r.logMetric("m", 1, 0);
      assertTrue(held.await(30, TimeUnit.SECONDS), "the sender never sent a request");
      long start = System.nanoTime();
      r.close();
      long closeMs = (System.nanoTime() - start) / 1_000_000;
      // by design at most flushTimeout + 2 s for the sender + 2 s after aborting its call: ~5 s
      assertTrue(closeMs < 10_000, "close() took " + closeMs + " ms with the sender stuck");
      try (Journal.DeliveryLock lock = Journal.open(r.journalDir()).tryLockDelivery()) {
        assertTrue(lock != null, "the stuck sender still holds the journal");
      }
      assertEquals(3, r.pending()); // start, metric, end: all kept for seqrl sync
    } finally {
      never.countDown();
      http.stop(0);
    }
  }

  static JsonNode metric(double v, long step, long ts) {
    return Journal.JSON.createObjectNode().put("t", "metric").put("k", "m").put("v", v).put("s", step).put("ts", ts);
  }
}
