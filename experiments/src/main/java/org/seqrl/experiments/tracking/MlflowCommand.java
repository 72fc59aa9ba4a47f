package org.seqrl.experiments.tracking;

import java.nio.file.Path;
import java.util.Optional;
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

  @Option(names = "--full", description = "Start MLflow's full server (4 workers and its GenAI job runner, about 2 GB more) "
      + "instead of the lean one; the same as SEQRL_MLFLOW_SERVER=full.")
  boolean full;

  @Option(names = "--backend-store-uri", paramLabel = "URI", description = "Tracking store of a new server, e.g. "
      + "postgresql://USER:PASSWORD@HOST:5432/DB (default: MLFLOW_BACKEND_STORE_URI, else sqlite in the state directory); "
      + "artifacts stay proxied into the state directory.")
  String backendStoreUri;

  @Option(names = "--auth", description = "Start a new server with MLflow's basic-auth app: every request needs a user "
      + "(clients set MLFLOW_TRACKING_USERNAME/PASSWORD); the admin's password comes from MLFLOW_AUTH_ADMIN_PASSWORD.")
  boolean auth;

  @Option(names = "--experiment", paramLabel = "NAME", description = "Print the address of this experiment's runs.")
  String experiment;

  @Override
  public Integer call() {
    LocalMlflowServer.Options options = LocalMlflowServer.Options.defaults();
    if (stateDir != null) {
      options = options.withStateDir(stateDir);
    }
    if (port != 0) {
      options = options.withPort(port);
    }
    if (full) {
      options = options.withFootprint(LocalMlflowServer.Footprint.FULL);
    }
    if (backendStoreUri != null) {
      options = options.withBackendStoreUri(backendStoreUri);
    }
    if (auth) {
      options = options.withAuth(true);
    }
    if (stop) {
      boolean was = LocalMlflowServer.stopRecorded(options.stateDir());
      System.out.println(was ? "seqrl: stopped the local MLflow server" : "seqrl: no local MLflow server was running");
      return 0;
    }
    try {
      LocalMlflowServer server = LocalMlflowServer.ensureRunning(options);
      String link = UiLinks.home(server.uri());
      if (experiment != null) {
        Optional<String> id = new MlflowConnection(server.uri(), MlflowCredentials.fromEnv(System.getenv()))
            .experimentId(experiment);
        if (id.isEmpty()) {
          System.err.println("seqrl: the server has no experiment '" + experiment + "'; listing all experiments");
        } else {
          link = UiLinks.experimentRuns(server.uri(), id.get());
        }
      }
      System.out.println("MLflow UI: " + link);
      // What MLFLOW_TRACKING_URI or --tracking-uri take (the UI link above carries a view after '#').
      System.out.println("Tracking URI: " + server.uri());
      System.out.println("  " + (server.startedHere() ? "started" : "already running") + ", pid " + server.pid() + ", "
          + (server.footprint() == LocalMlflowServer.Footprint.LEAN
              ? "lean server (tracking and UI; `seqrl mlflow --stop` then `--full` for MLflow's GenAI job runner)"
              : "full server") + "; state in " + server.stateDir());
      if (server.startedHere()) {
        System.out.println("  store: " + options.describeStore() + ", artifacts proxied to " + server.stateDir()
            .resolve("artifacts") + (options.auth() ? "; basic-auth on (users in " + server.stateDir()
            .resolve("basic_auth.db") + ")" : ""));
      }
      if (options.footprint() != server.footprint()) {
        System.out.println("  asked for a " + options.footprint().label() + " server, found a " + server.footprint().label()
            + " one running; `seqrl mlflow --stop` first to change it");
      }
      System.out.println("export MLFLOW_TRACKING_URI=" + server.uri());
      return 0;
    } catch (IllegalStateException e) {
      System.err.println("seqrl: " + e.getMessage());
      return 1;
    }
  }
}
