package org.seqrl.experiments.tracking;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seqrl sync DIR}: delivers to MLflow whatever the run journals below DIR still hold. */
@Command(name = "sync", mixinStandardHelpOptions = true,
    description = "Deliver MLflow records kept in run journals (DIR/**/mlflow-journal) to the tracking server.")
public final class SyncCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "DIR", description = "A run or sweep output directory.")
  Path dir;

  @Option(names = "--tracking-uri", paramLabel = "URI",
      description = "Send here instead of the server each journal recorded.")
  String trackingUri;

  @Override
  public Integer call() {
    TrackingTarget override = trackingUri == null ? null : TrackingTarget.resolve(trackingUri, System.getenv());
    JournalSync.Result r = JournalSync.sync(dir, override, System.getenv(), Duration.ofSeconds(30), System.err);
    System.out.printf("seqrl sync: %d journal(s), %d record(s) delivered, %d left, %d refused by the server%n",
        r.journals(), r.delivered(), r.remaining(), r.rejected());
    return r.remaining() == 0 ? 0 : 1;
  }
}
