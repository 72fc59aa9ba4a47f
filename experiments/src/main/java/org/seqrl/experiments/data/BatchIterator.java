package org.seqrl.experiments.data;

import java.util.Random;

/**
 * Endless shuffled minibatches of example indices. Each epoch is a permutation drawn from a seed
 * derived from (seed, epoch), so the state is just (epoch, position) and a resumed run sees exactly
 * the batches the uninterrupted run would have seen. A batch that runs past the end of an epoch
 * continues with the next epoch's permutation, so every batch is full.
 *
 * <p>With a length pool of {@code p >= 2} batches, batches hold examples of similar length (the
 * "sortish" bucketing of NMT toolkits): the epoch's permutation is cut into pools of
 * {@code p * batchSize} examples, each pool is sorted by length and cut into batches, and the
 * epoch's batches are shuffled. A recurrent pass costs its batch's longest row, so this removes most
 * of the padding work when lengths vary (CMU dictionary words: the longest of 64 random words is
 * 13.8 letters on average, of 64 pooled ones 7.6). An epoch then holds whole batches only: the
 * permutation's last {@code size mod batchSize} examples (others in every epoch) wait for the next.
 */
public final class BatchIterator {
  /** Where the iterator is; save it with a checkpoint and pass it to {@link #restore}. */
  public record State(long epoch, int position) {}

  private final int size;
  private final int batchSize;
  private final long seed;
  /** Example i's length (its sort key) when pooling, else null. */
  private final int[] lengths;
  private final int pool;
  private long epoch;
  private int position;
  private int[] order;

  public BatchIterator(int size, int batchSize, long seed) {
    this(size, batchSize, seed, null, 0);
  }

  /**
   * Batches of similar length from pools of {@code pool} batches when {@code pool >= 2} (see the
   * class comment), {@code lengths[i]} being example i's; {@code pool} 0 is the plain shuffle.
   */
  public BatchIterator(int size, int batchSize, long seed, int[] lengths, int pool) {
    if (size < 1) {
      throw new IllegalArgumentException("cannot batch an empty split");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (pool != 0 && (pool < 2 || lengths == null || lengths.length != size)) {
      throw new IllegalArgumentException("a length pool needs >= 2 batches and one length per example, got pool " + pool
          + " and " + (lengths == null ? "no" : lengths.length) + " lengths for " + size + " examples");
    }
    this.size = size;
    this.batchSize = batchSize;
    this.seed = seed;
    this.lengths = pool == 0 ? null : lengths.clone();
    this.pool = pool;
    this.order = epochOrder(0);
  }

  /** The next batch of indices into the split. */
  public int[] next() {
    int[] batch = new int[batchSize];
    for (int i = 0; i < batchSize; i++) {
      if (position == order.length) {
        epoch++;
        position = 0;
        order = epochOrder(epoch);
      }
      batch[i] = order[position++];
    }
    return batch;
  }

  public State state() {
    return new State(epoch, position);
  }

  public void restore(State state) {
    int[] restored = state.epoch() < 0 ? null : epochOrder(state.epoch());
    if (restored == null || state.position() < 0 || state.position() > restored.length) {
      throw new IllegalArgumentException("batch state " + state + " does not fit a split of " + size);
    }
    epoch = state.epoch();
    position = state.position();
    order = restored;
  }

  /** The examples of an epoch in the order batches take them. */
  private int[] epochOrder(long epochIndex) {
    int[] p = permutation(epochIndex);
    int whole = size / batchSize * batchSize;
    if (pool == 0 || whole == 0) {
      return p;
    }
    int batches = whole / batchSize;
    int[][] cut = new int[batches][];
    int span = pool * batchSize;
    for (int from = 0, b = 0; from < whole; from += span) {
      int to = Math.min(whole, from + span);
      Integer[] chunk = new Integer[to - from];
      for (int i = from; i < to; i++) {
        chunk[i - from] = p[i];
      }
      java.util.Arrays.sort(chunk, java.util.Comparator.comparingInt(i -> lengths[i])); // stable: ties keep the shuffle
      for (int at = 0; at < chunk.length; at += batchSize) {
        cut[b] = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
          cut[b][i] = chunk[at + i];
        }
        b++;
      }
    }
    Random random = new Random(Seeds.derive(seed, "batch-order-" + epochIndex));
    for (int i = batches - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int[] t = cut[i];
      cut[i] = cut[j];
      cut[j] = t;
    }
    int[] out = new int[whole];
    for (int b = 0; b < batches; b++) {
      System.arraycopy(cut[b], 0, out, b * batchSize, batchSize);
    }
    return out;
  }

  /** Fisher-Yates with a per-epoch seed. */
  private int[] permutation(long epochIndex) {
    int[] p = new int[size];
    for (int i = 0; i < size; i++) {
      p[i] = i;
    }
    Random random = new Random(Seeds.derive(seed, "epoch-" + epochIndex));
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
