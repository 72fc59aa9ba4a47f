package org.seqrl.experiments.tracking;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Not a test: measures the cost of {@code logMetric} for training and the delivery rate to a server.
 * {@code ./seqrl mlflow --port 5977; ./mvnw -o -q -pl experiments -am test-compile; java -cp
 * "experiments/target/classes:experiments/target/test-classes:experiments/target/lib/*"
 * org.seqrl.experiments.tracking.TrackingBench http://127.0.0.1:5977 100000}
 */
public final class TrackingBench {
  private TrackingBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("seqrl-bench");
    int n = Integer.parseInt(args[1]);
    try (RunRecorder r = RunRecorder.builder(TrackingTarget.of(args[0]), dir).experiment("bench")
        .flushTimeout(Duration.ofSeconds(600)).start()) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        r.logMetric("train/x", i, i);
      }
      long t1 = System.nanoTime();
      System.out.printf("logMetric: %.2f us/call over %d calls%n", (t1 - t0) / 1e3 / n, n);
      boolean all = r.flush(Duration.ofSeconds(600));
      long t2 = System.nanoTime();
      System.out.printf("delivered all=%s %.2f s after logging ended (%.0f points/s end to end)%n",
          all, (t2 - t1) / 1e9, n / ((t2 - t0) / 1e9));
    }
  }
}
