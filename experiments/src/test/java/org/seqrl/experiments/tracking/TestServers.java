package org.seqrl.experiments.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Real MLflow servers from the project's .venv for tests: one shared per JVM, or private ones. */
public final class TestServers {
  private static LocalMlflowServer shared;

  private TestServers() {}

  /** Options for a server on a fresh temp state dir and a free port, stopped on close. */
  public static LocalMlflowServer.Options freshOptions() {
    Path root = LocalMlflowServer.projectRoot();
    Path mlflow = LocalMlflowServer.mlflowExecutable(root);
    if (!Files.isExecutable(mlflow)) {
      throw new IllegalStateException("MLflow tests need " + mlflow + " (the project's .venv); run "
          + "./scripts/setup-python.sh or ./scripts/test.sh, which installs it");
    }
    try {
      Path state = Files.createTempDirectory("seqrl-mlflow-test");
      return new LocalMlflowServer.Options(root, state, LocalMlflowServer.freePort(), Duration.ofSeconds(120), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server of a test state dir (if running) and deletes the dir. */
  public static void stopAndDelete(Path stateDir) {
    LocalMlflowServer.stopRecorded(stateDir);
    try (var files = Files.walk(stateDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temp dir is harmless.
    }
  }

  /** One server for every test class that only reads and writes (never kills it). */
  public static synchronized LocalMlflowServer shared() {
    if (shared == null) {
      shared = LocalMlflowServer.ensureRunning(freshOptions());
      LocalMlflowServer s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAndDelete(s.stateDir())));
    }
    return shared;
  }
}
