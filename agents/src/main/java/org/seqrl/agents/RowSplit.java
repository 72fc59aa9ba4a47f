package org.seqrl.agents;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Runs a loop over independent rows on the process's compute threads: the matrix products (see
 * {@link Blas}) and the Java loops between them (layer norms, activations, attention), which would
 * otherwise stay on one core. Every row is computed by the same code whatever the split, so the
 * results do not depend on the thread count.
 *
 * <p>The thread count is OpenBLAS's ({@code OPENBLAS_NUM_THREADS}, else {@code OMP_NUM_THREADS}, else
 * the cores this process may use), so a sweep that gives each cell one BLAS thread gets one thread
 * here too. With more than one, this class owns the parallelism: OpenBLAS is set to one thread (each
 * call runs on its caller) and the products are split here, so that one set of threads serves both
 * the products and the loops. A loop is split only when it has at least {@code minRows} rows per thread.
 *
 * <p>The helper threads wait for work spinning for {@link #SPIN_NANOS} before they sleep: a decoding
 * step hands out a few dozen small pieces of work, and waking a sleeping thread (tens of microseconds)
 * cost more than the pieces themselves when this class used an executor. A loop is cut into
 * {@link #CHUNKS_PER_THREAD} chunks per thread that the threads take as they come (see {@link Job}).
 */
final class RowSplit {
  /** The body of a loop over rows {@code [from, to)}; it must touch only those rows' outputs. */
  interface Rows {
    void run(int from, int to);
  }

  /** The same with the index of the thread that runs the range: 0 for the caller, 1.. for the helpers (per-thread scratch). */
  interface Ranges {
    void run(int worker, int from, int to);
  }

  /** Chunks a split loop is cut into per thread (see {@link Job}). */
  static final int CHUNKS_PER_THREAD = 1;
  /** How long an idle helper spins before it sleeps (OpenBLAS's own threads spin far longer by default). */
  static final long SPIN_NANOS = 5_000_000;
  /** Workers a per-thread scratch array must provide for: {@link #useThreads} refuses more threads. */
  static final int MAX_THREADS = 64;

  /**
   * One split loop: {@code chunks} contiguous ranges of rows, which the caller and the helpers take
   * one at a time from a shared counter, so that a helper that starts late (waking a sleeping thread
   * can take a hundred microseconds on a VM) takes fewer and never holds the caller up by more than
   * the chunk it has in hand. Which thread runs a chunk does not change what the chunk computes.
   */
  private static final class Job {
    final Ranges body;
    final int rows;
    final int chunks;
    final int align;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger left;
    volatile Throwable failure;

    Job(Ranges body, int rows, int chunks, int align) {
      this.body = body;
      this.rows = rows;
      this.chunks = chunks;
      this.align = align;
      this.left = new AtomicInteger(chunks);
    }

    /** Runs chunks until none is left to take. */
    void work(int worker) {
      for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
        try {
          body.run(worker, boundary(rows, c, chunks, align), boundary(rows, c + 1, chunks, align));
        } catch (Throwable t) {
          if (failure == null) {
            failure = t;
          }
        }
        left.decrementAndGet();
      }
    }

    /** Called by the caller after its own chunks: waits for the chunks the helpers hold. */
    void await() {
      for (int spins = 0; left.get() > 0; spins++) {
        if (spins < 4096) {
          Thread.onSpinWait();
        } else {
          Thread.yield(); // more threads than free cores: let the helpers run
        }
      }
    }
  }

  /** A helper thread: works on the jobs posted to it. */
  private static final class Helper extends Thread {
    final int index;
    private volatile Job job;
    private volatile boolean sleeping;
    private volatile boolean stop;

    Helper(int index) {
      super("seqrl-rows-" + index);
      this.index = index;
      setDaemon(true);
    }

    /**
     * Called by the caller: hands over a job, unless this helper sleeps; then it is woken for the
     * next one instead, since it would take this one's range late and hold the caller up (waking a
     * thread can take a hundred microseconds on a VM).
     */
    void post(Job j) {
      if (sleeping) {
        LockSupport.unpark(this);
        return;
      }
      job = j;
      // it may have gone to sleep in between: then it is woken, and takes the range if still free
      if (sleeping) {
        LockSupport.unpark(this);
      }
    }

    @Override
    public void run() {
      Job seen = null;
      while (!stop) {
        long idleSince = System.nanoTime();
        int spins = 0;
        while (job == seen && !stop) {
          Thread.onSpinWait();
          if ((++spins & 255) == 0 && System.nanoTime() - idleSince > SPIN_NANOS) {
            sleeping = true;
            // the caller writes job and then reads sleeping; this thread writes sleeping and then
            // reads job: one of the two sees the other's write, so a post is never slept through
            if (job == seen && !stop) {
              LockSupport.park(this);
            }
            sleeping = false;
            idleSince = System.nanoTime();
          }
        }
        seen = job;
        if (seen != null && !stop) {
          seen.work(index);
        }
      }
    }

    void shutdown() {
      stop = true;
      LockSupport.unpark(this);
    }
  }

  /** The thread count and the threads beside the caller's (empty for one thread), swapped together. */
  private record Threads(int count, Helper[] helpers) {}

  private static volatile Threads current = threads(fromEnvironment());
  /** Held while a split runs: a second caller (another policy's thread, or a range that splits again) runs inline. */
  private static final AtomicBoolean BUSY = new AtomicBoolean();
  /** Whether OpenBLAS's own threads split the products now (then loops stay on the calling thread). */
  private static volatile boolean blasOwnsTheThreads;
  /** Loops that ran split (tests check that a split happened). */
  private static final AtomicLong SPLITS = new AtomicLong();

  private RowSplit() {}

  /** Runs {@code body} over rows {@code [0, rows)}, cut into contiguous ranges that the threads take. */
  static void run(int rows, int minRows, Rows body) {
    runRanges(rows, minRows, 1, (worker, from, to) -> body.run(from, to));
  }

  /**
   * {@link #run(int, int, Rows)} for a body that needs to know which thread runs it, with every range
   * boundary a multiple of {@code align} (rows of a matrix product, see {@link Blas}).
   */
  static void runRanges(int rows, int minRows, int align, Ranges body) {
    Threads now = current;
    int units = rows / align;
    int t = Math.min(now.count, Math.min(units, rows / Math.max(1, minRows)));
    if (t <= 1 || blasOwnsTheThreads || Thread.currentThread() instanceof Helper || !BUSY.compareAndSet(false, true)) {
      body.run(worker(), 0, rows);
      return;
    }
    try {
      Job job = new Job(body, rows, Math.min(units, CHUNKS_PER_THREAD * t), align);
      SPLITS.incrementAndGet();
      for (int k = 1; k < t; k++) {
        now.helpers[k - 1].post(job);
      }
      job.work(0);
      job.await();
      rethrow(job.failure);
    } finally {
      BUSY.set(false);
    }
  }

  /** The start of chunk k of t (k = t: the end), a multiple of {@code align} but the end itself. */
  private static int boundary(int rows, int k, int t, int align) {
    return k == t ? rows : (int) ((long) (rows / align) * k / t) * align;
  }

  private static void rethrow(Throwable e) {
    if (e == null) {
      return;
    }
    if (e instanceof RuntimeException r) {
      throw r;
    }
    if (e instanceof Error err) {
      throw err;
    }
    throw new IllegalStateException(e);
  }

  /** The index of the current thread among the workers: a helper's index, 0 for any other thread. */
  static int worker() {
    return Thread.currentThread() instanceof Helper h ? h.index : 0;
  }

  static int threads() {
    return current.count;
  }

  static long splits() {
    return SPLITS.get();
  }

  /** Tests: run with {@code n} threads from now on (1 <= n <= {@link #MAX_THREADS}). */
  static synchronized void useThreads(int n) {
    if (n < 1 || n > MAX_THREADS) {
      throw new IllegalArgumentException("threads must be in [1, " + MAX_THREADS + "], got " + n);
    }
    Threads old = current;
    current = threads(n);
    for (Helper h : old.helpers) {
      h.shutdown();
    }
  }

  private static Threads threads(int n) {
    Helper[] helpers = new Helper[Math.max(0, n - 1)];
    for (int k = 0; k < helpers.length; k++) {
      helpers[k] = new Helper(k + 1);
      helpers[k].start();
    }
    return new Threads(n, helpers);
  }

  /**
   * Sets OpenBLAS to one thread if it is not: the products are split here, and OpenBLAS threads of its
   * own would compete with the helpers (two callers each asking for two threads wait for each other).
   * Checked at every split product, since ND4J sets OpenBLAS's thread count again when it starts.
   */
  static void keepBlasOnCallers() {
    blasOwnsTheThreads = false;
    if (openblas_nolapack.blas_get_num_threads() != 1) {
      openblas_nolapack.blas_set_num_threads(1);
    }
  }

  /**
   * Gives OpenBLAS this class's thread count again, for products it splits itself (see {@link Blas});
   * until the next {@link #keepBlasOnCallers}, loops run on the calling thread, so that OpenBLAS's
   * threads, which spin between products, do not compete with this class's.
   */
  static void giveBlasTheThreads() {
    blasOwnsTheThreads = true;
    int n = current.count;
    if (openblas_nolapack.blas_get_num_threads() != n) {
      openblas_nolapack.blas_set_num_threads(n);
    }
  }

  /** OpenBLAS's thread count as the environment sets it, at most the usable cores; the cores when unset or unreadable. */
  static int fromEnvironment() {
    int cores = Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors());
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
