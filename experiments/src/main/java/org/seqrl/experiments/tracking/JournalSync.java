package org.seqrl.experiments.tracking;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Delivers whatever the journals below a directory still hold (the work of {@code seqrl sync}). */
public final class JournalSync {

  private JournalSync() {}

  /** What a sync did. {@code remaining} counts records still undelivered. */
  public record Result(int journals, long delivered, long remaining, long rejected) {}

  /**
   * @param override the tracking target to send to, or null to use the one each journal recorded
   *     (with credentials from the environment)
   */
  public static Result sync(Path dir, TrackingTarget override, Map<String, String> env, Duration lockWait, PrintStream out) {
    List<Path> journals = findJournals(dir);
    long delivered = 0;
    List<Path> left = new ArrayList<>(journals);
    // Several passes: a child run can only be created once its parent (another journal) is.
    boolean progress = true;
    String lastError = null;
    while (!left.isEmpty() && progress) {
      progress = false;
      for (Path j : new ArrayList<>(left)) {
        Journal journal = Journal.open(j);
        TrackingTarget target = override != null ? override : recordedTarget(journal, env);
        try (Journal.DeliveryLock lock = waitForLock(journal, lockWait);
            MlflowConnection conn = target.connect()) {
          long n = new JournalSender(journal).deliverPending(conn);
          delivered += n;
          left.remove(j);
          progress = true;
        } catch (JournalSender.NotDelivered e) {
          lastError = j + ": " + e.getMessage();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    long remaining = 0;
    long rejected = 0;
    for (Path j : journals) {
      Journal journal = Journal.open(j);
      remaining += journal.appended() - journal.cursor().delivered();
      rejected += journal.rejectedCount();
    }
    if (remaining > 0 && lastError != null) {
      out.println("seqrl sync: " + remaining + " records not delivered; last error: " + lastError);
    }
    return new Result(journals.size(), delivered, remaining, rejected);
  }

  static TrackingTarget recordedTarget(Journal journal, Map<String, String> env) {
    MlflowCredentials creds = MlflowCredentials.fromEnv(env);
    String recorded = journal.runState().map(Journal.RunState::target).orElse(null);
    if (recorded == null) {
      return TrackingTarget.resolve(null, env);
    }
    if (recorded.startsWith("embedded:")) {
      Path state = Path.of(recorded.substring("embedded:".length()));
      return TrackingTarget.embedded(LocalMlflowServer.Options.defaults().withStateDir(state)).withCredentials(creds);
    }
    return TrackingTarget.of(recorded).withCredentials(creds);
  }

  private static Journal.DeliveryLock waitForLock(Journal journal, Duration wait) throws IOException, JournalSender.NotDelivered {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Journal.DeliveryLock lock = journal.tryLockDelivery();
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() > deadline) {
        throw new JournalSender.NotDelivered("another process is delivering this journal (a run still going?)", null);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JournalSender.NotDelivered("interrupted", e);
      }
    }
  }

  /** Journal directories at or below {@code dir} (the directory itself, its mlflow-journal, or any deeper). */
  static List<Path> findJournals(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new org.seqrl.experiments.cli.UserInputException("'" + dir + "' is not a directory; expected a run "
          + "or sweep output directory holding mlflow-journal/");
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isDirectory).filter(Journal::isJournal)
          .sorted(Comparator.comparingInt(Path::getNameCount).thenComparing(Comparator.naturalOrder()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
