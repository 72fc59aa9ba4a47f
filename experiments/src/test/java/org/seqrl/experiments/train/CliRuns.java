package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seqrl.experiments.cli.SeqrlCli;
import org.seqrl.experiments.tracking.MlflowConnection;
import org.seqrl.experiments.tracking.MlflowCredentials;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.StepEvent;

/**
 * Runs as the end-to-end tests drive them: the {@code seqrl} CLI in-process with its output captured,
 * a stop at a chosen step, and the files a run leaves behind. Public for the CLI tests of the other
 * packages ({@link #seqrl}, {@link #succeeds}, {@link #exits}); the rest serves this package's tests.
 */
public final class CliRuns {
  private CliRuns() {}

  /** A command's exit code, what it printed, and what picocli printed as errors. */
  public record Result(int code, String out, String err) {
    /** Both streams, for a message that may be on either. */
    public String all() {
      return out + err;
    }
  }

  /**
   * Runs {@code seqrl args...} in this JVM. {@code out} is what the command printed to System.out
   * and to picocli's out writer (both UTF-8, in order), {@code err} what it printed to picocli's
   * err writer (usage errors, one-line input errors, stack traces); System.err is not captured.
   */
  public static Result seqrl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    try {
      PrintStream captured = new PrintStream(out, true, StandardCharsets.UTF_8);
      System.setOut(captured);
      var cli = SeqrlCli.commandLine();
      // the commands that print through picocli (config, score, completion) write to the same buffer
      cli.setOut(new PrintWriter(captured, true, StandardCharsets.UTF_8));
      cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
      int code = cli.execute(args);
      cli.getOut().flush();
      cli.getErr().flush();
      return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
    }
  }

  /** Runs {@code seqrl args...}, which must exit with {@code code}; the message of a failure is what it printed. */
  public static Result exits(int code, String... args) {
    Result r = seqrl(args);
    assertEquals(code, r.code(), "seqrl " + String.join(" ", args) + ":\n" + r.all());
    return r;
  }

  /** Runs {@code seqrl args...}, which must succeed (exit 0). */
  public static Result succeeds(String... args) {
    return exits(0, args);
  }

  /** Asks {@code run} to stop after {@code step}, as SIGINT/SIGTERM would (it checkpoints, then returns INTERRUPTED). */
  static RunListener stopAt(TrainingRun run, long step) {
    return new RunListener() {
      @Override
      public void onStep(StepEvent event) {
        if (event.step() == step) {
          run.requestStop();
        }
      }
    };
  }

  /** Writes {@code <name>.yaml} into {@code dir}. */
  static Path writeConfig(Path dir, String name, String yaml) throws IOException {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  /** {@code seqrl train CONFIG --no-tracking --output RUN --progress lines MORE...}, which must succeed. */
  static Result train(Path config, Path runDir, String... more) {
    return succeeds(concat(List.of("train", config.toString(), "--no-tracking", "--output", runDir.toString(),
        "--progress", "lines"), more));
  }

  /** {@code seqrl train --resume RUN --no-tracking --progress lines}, which must succeed. */
  static Result resume(Path runDir) {
    return succeeds(List.of("train", "--resume", runDir.toString(), "--no-tracking", "--progress", "lines"));
  }

  /** {@code seqrl eval --checkpoint CHECKPOINT --split test MORE...}, which must succeed. */
  static Result evalOnTest(Path checkpoint, String... more) {
    return succeeds(concat(List.of("eval", "--checkpoint", checkpoint.toString(), "--split", "test"), more));
  }

  private static Result succeeds(List<String> args) {
    return succeeds(args.toArray(String[]::new));
  }

  private static List<String> concat(List<String> first, String... more) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(more));
    return all;
  }

  /** The {@code metrics} of a {@code seqrl eval --output} file. */
  static JsonNode evalMetrics(Path json) throws IOException {
    return TrainingRun.JSON.readTree(json.toFile()).get("metrics");
  }

  /** A finished run's {@code summary.json}. */
  static JsonNode summary(Path runDir) throws IOException {
    return TrainingRun.JSON.readTree(runDir.resolve(TrainingRun.SUMMARY_FILE).toFile());
  }

  /** The outputs of a {@code seqrl eval --predictions} file (what follows each line's first tab). */
  static List<String> predictedOutputs(List<String> predictionLines) {
    List<String> outputs = new ArrayList<>();
    predictionLines.forEach(l -> outputs.add(l.substring(l.indexOf('\t') + 1)));
    return outputs;
  }

  static MlflowConnection mlflow(String uri) {
    return new MlflowConnection(uri, MlflowCredentials.NONE);
  }

  /** The runs of {@code experiment} (up to 100) as the server's REST API lists them. */
  static JsonNode searchRuns(String uri, String experiment) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> e = http.send(HttpRequest.newBuilder(URI.create(uri + "/api/2.0/mlflow/experiments/get-by-name?"
        + "experiment_name=" + URLEncoder.encode(experiment, StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    String id = TrainingRun.JSON.readTree(e.body()).get("experiment").get("experiment_id").asText();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri + "/api/2.0/mlflow/runs/search"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"experiment_ids\": [\"" + id + "\"], \"max_results\": 100}")).build(),
        HttpResponse.BodyHandlers.ofString());
    return TrainingRun.JSON.readTree(r.body()).path("runs");
  }

  /** The run id of the one run a test logged to {@code experiment}. */
  static String onlyRunId(MlflowConnection conn, String experiment) {
    String expId = conn.experimentId(experiment).orElseThrow();
    return conn.client().searchRuns(List.of(expId), "").get(0).getRunId();
  }
}
