package org.seqrl.experiments.data;

import java.util.Random;

/**
 * Endless shuffled minibatches of example indices. Each epoch is a permutation drawn from a seed
 * derived from (seed, epoch), so the state is just (epoch, position) and a resumed run sees exactly
 * the batches the uninterrupted run would have seen. A batch that runs past the end of an epoch
 * continues with the next epoch's permutation, so every batch is full.
 */
public final class BatchIterator {
  /** Where the iterator is; save it with a checkpoint and pass it to {@link #restore}. */
  public record State(long epoch, int position) {}

  private final int size;
  private final int batchSize;
  private final long seed;
  private long epoch;
  private int position;
  private int[] order;

  public BatchIterator(int size, int batchSize, long seed) {
    if (size < 1) {
      throw new IllegalArgumentException("cannot batch an empty split");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.size = size;
    this.batchSize = batchSize;
    this.seed = seed;
    this.order = permutation(0);
  }

  /** The next batch of indices into the split. */
  public int[] next() {
    int[] batch = new int[batchSize];
    for (int i = 0; i < batchSize; i++) {
      if (position == size) {
        epoch++;
        position = 0;
        order = permutation(epoch);
      }
      batch[i] = order[position++];
    }
    return batch;
  }

  public State state() {
    return new State(epoch, position);
  }

  public void restore(State state) {
    if (state.epoch() < 0 || state.position() < 0 || state.position() > size) {
      throw new IllegalArgumentException("batch state " + state + " does not fit a split of " + size);
    }
    epoch = state.epoch();
    position = state.position();
    order = permutation(epoch);
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
