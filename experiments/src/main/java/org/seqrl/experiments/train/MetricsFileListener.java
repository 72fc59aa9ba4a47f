package org.seqrl.experiments.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.seqrl.rl.EvaluationEvent;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.StepEvent;

/**
 * Appends every metric point to {@code <run>/metrics.jsonl}: the run's own record, independent
 * of any tracking server, from which curves are drawn (also across resumes).
 */
final class MetricsFileListener implements RunListener, AutoCloseable {
  static final String FILE = "metrics.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedWriter out;

  MetricsFileListener(Path runDir) {
    try {
      out = Files.newBufferedWriter(runDir.resolve(FILE), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + runDir.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onStep(StepEvent event) {
    write(event.step(), event.metrics());
  }

  @Override
  public void onEvaluation(EvaluationEvent event) {
    write(event.step(), event.metrics());
  }

  private void write(long step, Map<String, Double> metrics) {
    ObjectNode n = JSON.createObjectNode();
    n.put("step", step);
    ObjectNode m = n.putObject("metrics");
    metrics.forEach((k, v) -> {
      if (Double.isFinite(v)) {
        m.put(k, v);
      }
    });
    try {
      out.write(JSON.writeValueAsString(n));
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + FILE + ": " + e.getMessage(), e);
    }
  }

  /** Histories of every metric in a run's file; a step logged twice (after a kill) keeps its last value. */
  static Map<String, SortedMap<Long, Double>> read(Path runDir) throws IOException {
    Map<String, SortedMap<Long, Double>> h = new TreeMap<>();
    Path f = runDir.resolve(FILE);
    if (!Files.exists(f)) {
      return h;
    }
    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (IOException e) {
        continue; // a line cut by a kill
      }
      long step = n.path("step").asLong();
      n.path("metrics").fields().forEachRemaining(e ->
          h.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).put(step, e.getValue().asDouble()));
    }
    return h;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      // Everything written was flushed line by line.
    }
  }
}
