package org.seqrl.agents;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a loop over independent rows on the process's compute threads: Java-side loops between the
 * matrix products (recurrent attention's per-row blocks), which would otherwise stay on one core
 * while OpenBLAS spreads the products over all of them. Every row is computed by the same code
 * whatever the split, so the results do not depend on the thread count.
 *
 * <p>The thread count is OpenBLAS's ({@code OPENBLAS_NUM_THREADS}, else {@code OMP_NUM_THREADS}, else
 * the cores this process may use), so a sweep that gives each cell one BLAS thread gets one thread
 * here too. A loop is split only when it has at least {@code minRows} rows per thread: handing work
 * to another thread costs some microseconds.
 */
final class RowSplit {
  /** The body of a loop over rows {@code [from, to)}; it must touch only those rows' outputs. */
  interface Rows {
    void run(int from, int to);
  }

  private static final ThreadGroup HELPERS = new ThreadGroup("seqrl-rows");
  /** The thread count and the threads beside the caller's (null for one thread), swapped together. */
  private record Threads(int count, ExecutorService helpers) {}

  private static volatile Threads current = threads(fromEnvironment());
  /** Loops that ran split (tests check that a split happened). */
  private static final AtomicLong SPLITS = new AtomicLong();

  private RowSplit() {}

  /** Runs {@code body} over rows {@code [0, rows)}, split into one contiguous range per thread. */
  static void run(int rows, int minRows, Rows body) {
    Threads now = current;
    int t = Math.min(now.count, rows / Math.max(1, minRows));
    // a body that splits again runs inline: a helper waiting on the helpers could wait forever
    if (t <= 1 || Thread.currentThread().getThreadGroup() == HELPERS) {
      body.run(0, rows);
      return;
    }
    SPLITS.incrementAndGet();
    ExecutorService pool = now.helpers;
    Future<?>[] others = new Future<?>[t - 1];
    for (int k = 1; k < t; k++) {
      int from = (int) ((long) rows * k / t);
      int to = (int) ((long) rows * (k + 1) / t);
      others[k - 1] = pool.submit(() -> body.run(from, to));
    }
    body.run(0, (int) ((long) rows / t));
    for (Future<?> f : others) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a row range", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException r) {
          throw r;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(cause);
      }
    }
  }

  static int threads() {
    return current.count;
  }

  static long splits() {
    return SPLITS.get();
  }

  /** Tests: run with {@code n} threads from now on (n >= 1). */
  static synchronized void useThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }
    Threads old = current;
    current = threads(n);
    if (old.helpers != null) {
      old.helpers.shutdown();
    }
  }

  private static Threads threads(int n) {
    if (n <= 1) {
      return new Threads(1, null);
    }
    return new Threads(n, Executors.newFixedThreadPool(n - 1, r -> {
      Thread th = new Thread(HELPERS, r, "seqrl-rows");
      th.setDaemon(true);
      return th;
    }));
  }

  /** OpenBLAS's thread count as the environment sets it, at most the usable cores; the cores when unset or unreadable. */
  static int fromEnvironment() {
    int cores = Runtime.getRuntime().availableProcessors();
    String setting = BlasInfo.threadsSetting();
    if (setting == null) {
      return cores;
    }
    try {
      int n = Integer.parseInt(setting);
      return n >= 1 ? Math.min(n, cores) : cores;
    } catch (NumberFormatException e) {
      return cores;
    }
  }
}
