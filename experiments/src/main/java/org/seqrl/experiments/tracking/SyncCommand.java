package org.seqrl.experiments.tracking;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code seqrl sync DIR}: delivers to MLflow whatever the run journals below DIR still hold. */
@Command(name = "sync", mixinStandardHelpOptions = true,
    description = "Deliver MLflow records kept in run journals (DIR/**/mlflow-journal) to the tracking server.")
public final class SyncCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "DIR", description = "A run or sweep output directory.")
  Path dir;

  /** When given, overrides the server each journal recorded. */
  @Mixin TrackingUriOption tracking = new TrackingUriOption();

  @Override
  public Integer call() {
    TrackingTarget override = tracking.uri() == null ? null : tracking.target();
    JournalSync.Result r = JournalSync.sync(dir, override, System.getenv(), Duration.ofSeconds(30), System.err);
    System.out.printf("seqrl sync: %d journal(s), %d record(s) delivered, %d left, %d refused by the server%n",
        r.journals(), r.delivered(), r.remaining(), r.rejected());
    return r.remaining() == 0 ? 0 : 1;
  }
}
