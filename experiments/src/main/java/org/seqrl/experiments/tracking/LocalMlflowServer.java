package org.seqrl.experiments.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The project's own MLflow tracking server: {@code .venv/bin/mlflow server} with a sqlite backend
 * and proxied artifacts under a state directory, bound to 127.0.0.1.
 *
 * <p>A server outlives the JVM that started it (so that {@code seqrl mlflow} can start it and the
 * UI stays up after a run); its port and pid are kept in {@code server.json} in the state
 * directory, and a later {@link #ensureRunning} reuses it when it still answers {@code /health}.
 * Only {@link #stop()} (or {@link #close()} when built with {@code stopOnClose}) ends it.
 */
public final class LocalMlflowServer implements AutoCloseable {

  /** Default state directory below the project root. */
  public static final String DEFAULT_STATE_DIR = ".seqrl/mlflow";
  static final String STATE_FILE = "server.json";
  static final String LOG_FILE = "server.log";
  private static final ObjectMapper JSON = new ObjectMapper();
  // Serialises starts inside this JVM; the file lock serialises them across processes.
  private static final Object START_LOCK = new Object();

  /** Environment variable that picks the {@link Footprint} of a server SeqRL starts: {@code lean} or {@code full}. */
  public static final String FOOTPRINT_ENV = "SEQRL_MLFLOW_SERVER";

  private final Path stateDir;
  private final int port;
  private final long pid;
  private final Footprint footprint;
  private final boolean startedHere;
  private final boolean stopOnClose;

  private LocalMlflowServer(Path stateDir, State state, boolean startedHere, boolean stopOnClose) {
    this.stateDir = stateDir;
    this.port = state.port();
    this.pid = state.pid();
    this.footprint = state.footprint();
    this.startedHere = startedHere;
    this.stopOnClose = stopOnClose;
  }

  /**
   * What the server runs besides the tracking API. MLflow 3.17's default deployment also starts a
   * GenAI job runner (huey consumers for trace scoring, prompt optimisation...) that SeqRL never uses;
   * it cost 2.3-2.6 GB resident on a 2-core machine against about 0.5 GB without it (docs/tracking.md).
   */
  public enum Footprint {
    /** One uvicorn worker, {@code MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false}: tracking, artifacts and the UI. */
    LEAN,
    /** MLflow's own defaults (4 workers, job execution on), for users who want the GenAI features too. */
    FULL;

    /** Parses {@code lean} / {@code full}; {@code where} names the setting in the error. */
    public static Footprint parse(String value, String where) {
      for (Footprint f : values()) {
        if (f.name().equalsIgnoreCase(value.trim())) {
          return f;
        }
      }
      throw new org.seqrl.experiments.cli.UserInputException(where + ": '" + value
          + "' is not a server footprint; expected lean or full");
    }

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * How to find or start the server. {@code backendStoreUri} is the tracking store (null: sqlite in the
   * state directory), e.g. {@code postgresql://user:password@host:5432/mlflow}; it reaches the server
   * through its environment, never its command line, and is printed and recorded without the password.
   * {@code auth} runs MLflow's {@code basic-auth} app (see {@link #AUTH_ADMIN_PASSWORD_ENV}).
   */
  public record Options(Path projectRoot, Path stateDir, int port, Duration startTimeout, boolean stopOnClose,
      Footprint footprint, String backendStoreUri, boolean auth) {
    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " is not a TCP port; expected 0 (any free port) or 1-65535");
      }
      java.util.Objects.requireNonNull(footprint, "footprint");
      if (backendStoreUri != null) {
        backendStoreUri = checkBackendStoreUri(backendStoreUri);
      }
    }

    /** A lean server. */
    public Options(Path projectRoot, Path stateDir, int port, Duration startTimeout, boolean stopOnClose) {
      this(projectRoot, stateDir, port, startTimeout, stopOnClose, Footprint.LEAN);
    }

    /** A server on sqlite, without authentication. */
    public Options(Path projectRoot, Path stateDir, int port, Duration startTimeout, boolean stopOnClose,
        Footprint footprint) {
      this(projectRoot, stateDir, port, startTimeout, stopOnClose, footprint, null, false);
    }

    /**
     * Defaults: root from {@code seqrl.home} (else the working dir), state in {@code <root>/.seqrl/mlflow}, any
     * free port, the footprint from {@value #FOOTPRINT_ENV} (else lean), the store from
     * {@value #BACKEND_STORE_ENV} (else sqlite).
     */
    public static Options defaults() {
      Path root = LocalMlflowServer.projectRoot();
      String env = System.getenv(FOOTPRINT_ENV);
      Footprint f = env == null || env.isBlank() ? Footprint.LEAN : Footprint.parse(env, FOOTPRINT_ENV);
      String store = System.getenv(BACKEND_STORE_ENV);
      // A first start creates and migrates the sqlite store: tens of seconds on a quiet machine, minutes on a loaded one.
      return new Options(root, root.resolve(DEFAULT_STATE_DIR), 0, Duration.ofSeconds(240), false, f,
          store == null || store.isBlank() ? null : store, false);
    }

    public Options withStateDir(Path dir) {
      return new Options(projectRoot, dir, port, startTimeout, stopOnClose, footprint, backendStoreUri, auth);
    }

    public Options withPort(int p) {
      return new Options(projectRoot, stateDir, p, startTimeout, stopOnClose, footprint, backendStoreUri, auth);
    }

    public Options withStopOnClose(boolean stop) {
      return new Options(projectRoot, stateDir, port, startTimeout, stop, footprint, backendStoreUri, auth);
    }

    public Options withStartTimeout(Duration timeout) {
      return new Options(projectRoot, stateDir, port, timeout, stopOnClose, footprint, backendStoreUri, auth);
    }

    public Options withFootprint(Footprint f) {
      return new Options(projectRoot, stateDir, port, startTimeout, stopOnClose, f, backendStoreUri, auth);
    }

    public Options withBackendStoreUri(String uri) {
      return new Options(projectRoot, stateDir, port, startTimeout, stopOnClose, footprint, uri, auth);
    }

    public Options withAuth(boolean on) {
      return new Options(projectRoot, stateDir, port, startTimeout, stopOnClose, footprint, backendStoreUri, on);
    }

    /** The store as it may be printed: sqlite's file, or the URI without its password. */
    public String describeStore() {
      return backendStoreUri == null ? "sqlite " + stateDir.resolve("mlflow.db") : redactPassword(backendStoreUri);
    }
  }

  /** Environment variable (MLflow's own) with the tracking store of a server SeqRL starts. */
  public static final String BACKEND_STORE_ENV = "MLFLOW_BACKEND_STORE_URI";
  /** MLflow's variable with the password of the basic-auth app's admin user, needed on its first start. */
  public static final String AUTH_ADMIN_PASSWORD_ENV = "MLFLOW_AUTH_ADMIN_PASSWORD";
  /** MLflow's variable with the secret that signs the basic-auth app's CSRF tokens. */
  public static final String AUTH_SECRET_ENV = "MLFLOW_FLASK_SERVER_SECRET_KEY";

  /** Stores a server can run on: the ones MLflow's SQL store supports and SeqRL tests (sqlite, PostgreSQL). */
  static String checkBackendStoreUri(String uri) {
    String u = uri.trim();
    if (!u.matches("(postgresql(\\+[a-z0-9]+)?|sqlite)://.+")) {
      throw new org.seqrl.experiments.cli.UserInputException("--backend-store-uri: '" + redactPassword(u)
          + "' is not a tracking store SeqRL starts servers on; expected postgresql://USER:PASSWORD@HOST:PORT/DB or "
          + "sqlite:///PATH");
    }
    return u;
  }

  /** A database URI with its password replaced by ***. */
  public static String redactPassword(String uri) {
    return uri.replaceFirst("^([a-z0-9+]+://[^:/@]+):[^@]*@", "$1:***@");
  }

  /** The project root: system property {@code seqrl.home}, else the working directory. */
  public static Path projectRoot() {
    String home = System.getProperty("seqrl.home");
    return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath().normalize();
  }

  /** The {@code mlflow} launcher in the project's virtual environment. */
  public static Path mlflowExecutable(Path projectRoot) {
    return projectRoot.resolve(".venv").resolve("bin").resolve("mlflow");
  }

  /** The server recorded in the state directory, if it is alive and answers {@code /health}. */
  public static Optional<LocalMlflowServer> findRunning(Options options) {
    Path stateDir = options.stateDir().toAbsolutePath().normalize();
    return readState(stateDir)
        .filter(s -> ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false))
        .filter(s -> healthy(s.port()))
        .map(s -> new LocalMlflowServer(stateDir, s, false, options.stopOnClose()));
  }

  /** Reuses the running server of this state directory, or starts one and waits until it is ready. */
  public static LocalMlflowServer ensureRunning(Options options) {
    Path stateDir = options.stateDir().toAbsolutePath().normalize();
    synchronized (START_LOCK) {
      try {
        Files.createDirectories(stateDir);
        try (FileChannel ch = FileChannel.open(stateDir.resolve("start.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock ignored = ch.lock()) {
          Optional<LocalMlflowServer> running = findRunning(options);
          if (running.isPresent()) {
            return running.get();
          }
          Optional<State> live = readState(stateDir).filter(st -> ProcessHandle.of(st.pid()).map(ProcessHandle::isAlive).orElse(false));
          if (live.isPresent()) {
            // Alive but silent: one worker busy under load, or hung. Starting a second server beside it
            // would leave it running for good on the same store, so wait for it, and end it if it stays silent.
            if (waitHealthy(live.get().port(), options.startTimeout())) {
              return new LocalMlflowServer(stateDir, live.get(), false, options.stopOnClose());
            }
            killTree(live.get().pid());
          }
          return start(options, stateDir);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the local MLflow server in " + stateDir + ": " + e.getMessage(), e);
      }
    }
  }

  private static LocalMlflowServer start(Options options, Path stateDir) throws IOException {
    Path mlflow = mlflowExecutable(options.projectRoot());
    if (!Files.isExecutable(mlflow)) {
      throw new IllegalStateException("the local MLflow server needs " + mlflow
          + ", which is missing; run ./scripts/setup-python.sh to create the project's .venv");
    }
    int port = options.port() != 0 ? options.port() : freePort();
    Path artifacts = stateDir.resolve("artifacts");
    Files.createDirectories(artifacts);
    Path log = stateDir.resolve(LOG_FILE);
    List<String> cmd = new ArrayList<>(List.of(mlflow.toString(), "server"));
    if (options.backendStoreUri() == null) {
      cmd.addAll(List.of("--backend-store-uri", "sqlite:///" + stateDir.resolve("mlflow.db")));
    }
    cmd.addAll(List.of("--artifacts-destination", artifacts.toString(),
        "--host", "127.0.0.1",
        "--port", Integer.toString(port)));
    if (options.auth()) {
      cmd.addAll(List.of("--app-name", "basic-auth"));
    }
    if (options.footprint() == Footprint.LEAN) {
      // One worker: sqlite does not like concurrent writers, and the machine has few cores.
      cmd.addAll(List.of("--workers", "1"));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(stateDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    // The server must not pick up a client-side tracking URI or credentials meant for another host.
    pb.environment().remove("MLFLOW_TRACKING_URI");
    pb.environment().remove("MLFLOW_TRACKING_USERNAME");
    pb.environment().remove("MLFLOW_TRACKING_PASSWORD");
    pb.environment().remove("MLFLOW_TRACKING_TOKEN");
    if (options.backendStoreUri() != null) {
      // Through the environment: a password in the URI would show in `ps` on the command line.
      pb.environment().put(BACKEND_STORE_ENV, options.backendStoreUri());
    } else {
      pb.environment().remove(BACKEND_STORE_ENV);
    }
    if (options.auth()) {
      configureAuth(pb.environment(), stateDir);
    }
    if (options.footprint() == Footprint.LEAN) {
      // No GenAI job runner (its huey consumers were most of the full server's memory).
      pb.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
    } else {
      pb.environment().remove("MLFLOW_SERVER_ENABLE_JOB_EXECUTION");
    }
    Process process = pb.start();
    State state = new State(port, process.pid(), options.footprint());
    writeState(stateDir, state);
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the local MLflow server exited with code " + process.exitValue()
            + " before it was ready (port " + port + "); last lines of " + log + ":\n" + tail(log, 25));
      }
      if (healthy(port)) {
        return new LocalMlflowServer(stateDir, state, true, options.stopOnClose());
      }
      sleep(250);
    }
    killTree(process.pid());
    throw new IllegalStateException("the local MLflow server did not answer on 127.0.0.1:" + port + " within "
        + options.startTimeout().toSeconds() + " s; last lines of " + log + ":\n" + tail(log, 25));
  }

  /**
   * The basic-auth app's settings: its user store (sqlite in the state directory), and the admin
   * password and CSRF secret, which come from the environment and are never written to a file.
   */
  private static void configureAuth(Map<String, String> env, Path stateDir) throws IOException {
    String password = env.get(AUTH_ADMIN_PASSWORD_ENV);
    if ((password == null || password.isBlank()) && !Files.isRegularFile(stateDir.resolve("basic_auth.db"))) {
      throw new IllegalStateException("an authenticated server needs the admin password in " + AUTH_ADMIN_PASSWORD_ENV
          + " (12 characters or more; the admin's user name is " + "MLFLOW_AUTH_ADMIN_USERNAME, else admin)");
    }
    if (env.getOrDefault(AUTH_SECRET_ENV, "").isBlank()) {
      // A secret of this server's own, kept in the state directory (0600) so that a restart keeps sessions valid.
      Path secretFile = stateDir.resolve("flask-secret");
      if (!Files.isRegularFile(secretFile)) {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        Files.writeString(secretFile, java.util.HexFormat.of().formatHex(b));
        Files.setPosixFilePermissions(secretFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      }
      env.put(AUTH_SECRET_ENV, Files.readString(secretFile).strip());
    }
    Path ini = stateDir.resolve("basic_auth.ini");
    Files.writeString(ini, "[mlflow]\n"
        + "# Written by SeqRL. Signed-in users may read every experiment; only their owners and admins write.\n"
        + "default_permission = READ\n"
        + "admin_username = admin\n"
        + "database_uri = sqlite:///" + stateDir.resolve("basic_auth.db") + "\n"
        + "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n");
    env.put("MLFLOW_AUTH_CONFIG_PATH", ini.toString());
  }

  /** The tracking URI, e.g. {@code http://127.0.0.1:5000}. */
  public String uri() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return pid;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** The footprint the server was started with (servers recorded before footprints existed read as full). */
  public Footprint footprint() {
    return footprint;
  }

  /** True when this object started the process (false when it found one already running). */
  public boolean startedHere() {
    return startedHere;
  }

  /** True while the server answers {@code GET /health}. */
  public boolean isHealthy() {
    return healthy(port);
  }

  /** Stops the server and every process it spawned (uvicorn workers, job runner). */
  public void stop() {
    killTree(pid);
    try {
      Files.deleteIfExists(stateDir.resolve(STATE_FILE));
    } catch (IOException ignored) {
      // A stale state file is harmless: findRunning checks the pid and /health.
    }
  }

  @Override
  public void close() {
    if (stopOnClose) {
      stop();
    }
  }

  /** Stops the server recorded in a state directory; returns false when none was running. */
  public static boolean stopRecorded(Path stateDir) {
    Optional<State> s = readState(stateDir.toAbsolutePath().normalize());
    if (s.isEmpty() || ProcessHandle.of(s.get().pid()).map(h -> !h.isAlive()).orElse(true)) {
      return false;
    }
    new LocalMlflowServer(stateDir, s.get(), false, false).stop();
    return true;
  }

  static void killTree(long pid) {
    Optional<ProcessHandle> root = ProcessHandle.of(pid);
    if (root.isEmpty()) {
      return;
    }
    List<ProcessHandle> all = new ArrayList<>(root.get().descendants().toList());
    all.add(root.get());
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (ProcessHandle h : all) {
      while (h.isAlive() && System.nanoTime() < deadline) {
        sleep(50);
      }
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
    // Wait for the listening socket to go away, so that a restart on the same port can bind it.
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Best effort: a zombie we cannot reap does not hold the port.
      }
    }
  }

  /** Polls {@code /health} until it answers or {@code timeout} has passed. */
  static boolean waitHealthy(int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (healthy(port)) {
        return true;
      }
      sleep(500);
    }
    return healthy(port);
  }

  static boolean healthy(int port) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
              .timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private record State(int port, long pid, Footprint footprint) {}

  private static Optional<State> readState(Path stateDir) {
    Path f = stateDir.resolve(STATE_FILE);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(f.toFile());
      Footprint fp = n.path("footprint").asText("full").equals("lean") ? Footprint.LEAN : Footprint.FULL;
      return Optional.of(new State(n.path("port").asInt(), n.path("pid").asLong(), fp));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void writeState(Path stateDir, State s) throws IOException {
    ObjectNode n = JSON.createObjectNode().put("port", s.port()).put("pid", s.pid()).put("footprint", s.footprint().label());
    Path tmp = stateDir.resolve(STATE_FILE + ".tmp");
    Files.writeString(tmp, n.toString());
    Files.move(tmp, stateDir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the MLflow server", e);
    }
  }
}
