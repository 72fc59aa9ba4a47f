package org.seqrl.experiments.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.seqrl.experiments.cli.SeqrlVersion;
import org.seqrl.experiments.tracking.LocalMlflowServer;

/** What a run records so it can be rerun: versions, threads, git commit. */
public final class Provenance {
  private Provenance() {}

  public static Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("seqrl", SeqrlVersion.version());
    v.put("java", System.getProperty("java.version"));
    v.put("blas", org.seqrl.agents.BlasInfo.describe());
    v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    v.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    String omp = System.getenv("OMP_NUM_THREADS");
    v.put("omp_num_threads", omp == null ? "unset" : omp);
    String blasThreads = System.getenv("OPENBLAS_NUM_THREADS");
    v.put("openblas_num_threads", blasThreads == null ? "unset" : blasThreads);
    v.put("git_commit", gitCommit());
    return v;
  }

  /** The project's git commit, with "+dirty" when the tree has changes; "unknown" outside a checkout. */
  public static String gitCommit() {
    Path root = LocalMlflowServer.projectRoot();
    if (!Files.isDirectory(root.resolve(".git")) && !Files.isRegularFile(root.resolve(".git"))) {
      return "unknown";
    }
    try {
      String head = run(root, "git", "rev-parse", "HEAD");
      String dirty = run(root, "git", "status", "--porcelain", "--untracked-files=no");
      return head == null ? "unknown" : head + (dirty != null && !dirty.isBlank() ? "+dirty" : "");
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static String run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      return null;
    }
    return out;
  }
}
