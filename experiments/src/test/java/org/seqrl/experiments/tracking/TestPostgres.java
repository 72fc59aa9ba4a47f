package org.seqrl.experiments.tracking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server for tests: Debian's binaries ({@code scripts/setup-postgres.sh} installs
 * them), a fresh data directory in a temp dir, 127.0.0.1 and a free port, password authentication
 * for TCP, one database. As root it runs as the {@code postgres} user (PostgreSQL refuses root).
 */
public final class TestPostgres implements AutoCloseable {
  public static final String USER = "seqrl";
  public static final String DATABASE = "mlflow";

  private final Path dataDir;
  private final int port;
  private final String password;
  private final Process server;
  private final Path bin;

  private TestPostgres(Path bin, Path dataDir, int port, String password, Process server) {
    this.bin = bin;
    this.dataDir = dataDir;
    this.port = port;
    this.password = password;
    this.server = server;
  }

  /** Initialises a cluster, starts it and creates the database; fails with the setup script's name when absent. */
  public static TestPostgres start() throws IOException, InterruptedException {
    Path bin = binDir();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dataDir = Files.createTempDirectory("seqrl-pg");
    Path pwFile = dataDir.resolve("pw");
    String password = "pg-" + Long.toHexString(new java.security.SecureRandom().nextLong());
    Files.writeString(pwFile, password + "\n");
    Path data = dataDir.resolve("data");
    if (root) {
      run(List.of("chown", "-R", "postgres:postgres", dataDir.toString()), Map.of());
    }
    run(asOwner(root, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
        "--pwfile=" + pwFile, "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync")), Map.of());
    Files.deleteIfExists(pwFile);
    int port = LocalMlflowServer.freePort();
    List<String> cmd = asOwner(root, List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
        "-p", Integer.toString(port), "-k", dataDir.toString(), "-c", "listen_addresses=127.0.0.1",
        "-c", "fsync=off", "-c", "max_connections=200"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(dataDir.resolve("postgres.log").toFile())).start();
    TestPostgres pg = new TestPostgres(bin, dataDir, port, password, p);
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      if (!p.isAlive()) {
        throw new IllegalStateException("postgres exited with " + p.exitValue() + ":\n"
            + Files.readString(dataDir.resolve("postgres.log")));
      }
      if (run(List.of(bin.resolve("pg_isready").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port)),
          Map.of(), false) == 0) {
        break;
      }
      if (System.nanoTime() > deadline) {
        pg.close();
        throw new IllegalStateException("postgres did not answer within 120 s");
      }
      Thread.sleep(200);
    }
    pg.psql("CREATE DATABASE " + DATABASE, "postgres");
    return pg;
  }

  /** {@code postgresql://seqrl:PASSWORD@127.0.0.1:PORT/mlflow}. */
  public String uri() {
    return "postgresql://" + USER + ":" + password + "@127.0.0.1:" + port + "/" + DATABASE;
  }

  public String password() {
    return password;
  }

  public int port() {
    return port;
  }

  /** Runs one SQL statement over TCP with the password; returns psql's unaligned output. */
  public String psql(String sql, String database) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p",
        Integer.toString(port), "-U", USER, "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql)
        .redirectErrorStream(true);
    // psql reads the password from PGPASSWORD, set on this child only.
    pb.environment().put("PGPASSWORD", password);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("psql " + sql + ": " + out);
    }
    return out.strip();
  }

  @Override
  public void close() {
    // SIGINT: PostgreSQL's fast shutdown (disconnects clients, then exits).
    ProcessHandle.of(server.pid()).ifPresent(h -> {
      try {
        new ProcessBuilder("kill", "-INT", Long.toString(h.pid())).start().waitFor();
        h.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    });
    server.descendants().forEach(ProcessHandle::destroyForcibly);
    try (var files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temp dir is harmless.
    }
  }

  private static Path binDir() throws IOException {
    Path base = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(base)) {
      try (var versions = Files.list(base)) {
        var newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
            .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))));
        if (newest.isPresent()) {
          return newest.get().resolve("bin");
        }
      }
    }
    throw new IllegalStateException("PostgreSQL tests need Debian's postgresql (/usr/lib/postgresql/*/bin/postgres); "
        + "run ./scripts/setup-postgres.sh or ./scripts/test.sh, which installs it");
  }

  private static List<String> asOwner(boolean root, List<String> cmd) {
    if (!root) {
      return cmd;
    }
    List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    c.addAll(cmd);
    return c;
  }

  private static void run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
    if (run(cmd, env, true) != 0) {
      throw new IllegalStateException("failed: " + String.join(" ", cmd));
    }
  }

  private static int run(List<String> cmd, Map<String, String> env, boolean showOutput)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    if (p.exitValue() != 0 && showOutput) {
      System.err.println(String.join(" ", cmd) + ":\n" + out);
    }
    return p.exitValue();
  }
}
