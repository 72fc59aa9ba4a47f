package org.seqrl.experiments.tracking;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqrl mlflow}: starts (or finds) the project's local MLflow server and prints its address. */
@Command(name = "mlflow", mixinStandardHelpOptions = true,
    description = "Start or find the local MLflow tracking server (sqlite + artifacts under .seqrl/mlflow) and print the UI address.")
public final class MlflowCommand implements Callable<Integer> {

  @Option(names = "--stop", description = "Stop the local server instead.")
  boolean stop;

  @Option(names = "--port", paramLabel = "PORT", description = "Port for a new server (default: any free port).")
  int port;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Server state directory (default: <project>/.seqrl/mlflow).")
  Path stateDir;

  @Override
  public Integer call() {
    LocalMlflowServer.Options options = LocalMlflowServer.Options.defaults();
    if (stateDir != null) {
      options = options.withStateDir(stateDir);
    }
    if (port != 0) {
      options = options.withPort(port);
    }
    if (stop) {
      boolean was = LocalMlflowServer.stopRecorded(options.stateDir());
      System.out.println(was ? "seqrl: stopped the local MLflow server" : "seqrl: no local MLflow server was running");
      return 0;
    }
    try {
      LocalMlflowServer server = LocalMlflowServer.ensureRunning(options);
      System.out.println("MLflow UI: " + server.uri() + (server.startedHere() ? " (started, pid " : " (already running, pid ")
          + server.pid() + "; state in " + server.stateDir() + ")");
      System.out.println("export MLFLOW_TRACKING_URI=" + server.uri());
      return 0;
    } catch (IllegalStateException e) {
      System.err.println("seqrl: " + e.getMessage());
      return 1;
    }
  }
}
