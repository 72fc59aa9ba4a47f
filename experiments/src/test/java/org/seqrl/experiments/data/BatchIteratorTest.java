package org.seqrl.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchIteratorTest {
  @Test
  void everyIndexOncePerEpochAndEpochsDiffer() {
    BatchIterator it = new BatchIterator(10, 5, 42);
    int[] epoch0 = concat(it.next(), it.next());
    int[] epoch1 = concat(it.next(), it.next());
    assertArrayEquals(range(10), sorted(epoch0));
    assertArrayEquals(range(10), sorted(epoch1));
    assertFalse(Arrays.equals(epoch0, epoch1), "a new permutation each epoch");
    assertEquals(new BatchIterator.State(1, 10), it.state());
  }

  @Test
  void batchesSpanEpochBoundariesAndStayFull() {
    BatchIterator it = new BatchIterator(7, 3, 1);
    for (int i = 0; i < 20; i++) {
      assertEquals(3, it.next().length);
    }
    assertEquals(new BatchIterator.State(8, 4), it.state());
    assertEquals(2, new BatchIterator(1, 2, 1).next().length);
  }

  @Test
  void sameSeedSameOrderOtherSeedOtherOrder() {
    assertArrayEquals(new BatchIterator(100, 10, 5).next(), new BatchIterator(100, 10, 5).next());
    assertFalse(Arrays.equals(new BatchIterator(100, 10, 5).next(), new BatchIterator(100, 10, 6).next()));
  }

  @Test
  void resumedRunSeesTheSameBatches() {
    BatchIterator straight = new BatchIterator(23, 4, 9);
    List<int[]> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      expected.add(straight.next());
    }
    BatchIterator first = new BatchIterator(23, 4, 9);
    for (int i = 0; i < 13; i++) {
      assertArrayEquals(expected.get(i), first.next());
    }
    BatchIterator.State saved = first.state();
    BatchIterator resumed = new BatchIterator(23, 4, 9);
    resumed.restore(new BatchIterator.State(saved.epoch(), saved.position()));
    for (int i = 13; i < 30; i++) {
      assertArrayEquals(expected.get(i), resumed.next(), "batch " + i);
    }
    assertThrows(IllegalArgumentException.class, () -> resumed.restore(new BatchIterator.State(0, 24)));
  }

  private static int[] randomLengths(int n, long seed) {
    java.util.Random r = new java.util.Random(seed);
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      lengths[i] = 1 + r.nextInt(20);
    }
    return lengths;
  }

  /** The mean over batches of the longest length in the batch: what a padded recurrent pass costs. */
  private static double meanLongest(BatchIterator it, int[] lengths, int batches) {
    double sum = 0;
    for (int b = 0; b < batches; b++) {
      int longest = 0;
      for (int i : it.next()) {
        longest = Math.max(longest, lengths[i]);
      }
      sum += longest;
    }
    return sum / batches;
  }

  /**
   * Length pools: an epoch is whole batches of distinct examples (the remainder waits, a different
   * one each epoch), batches hold similar lengths, their order is shuffled, and a pool of 0 is the
   * plain shuffle.
   */
  @Test
  void lengthPoolsMakeBatchesOfSimilarLengthFromWholeEpochs() {
    int n = 1003;
    int[] lengths = randomLengths(n, 4);
    BatchIterator pooled = new BatchIterator(n, 10, 8, lengths, 20);
    java.util.Set<Integer> seenEver = new java.util.HashSet<>();
    for (int epoch = 0; epoch < 5; epoch++) {
      java.util.Set<Integer> seen = new java.util.HashSet<>();
      double[] means = new double[100];
      for (int b = 0; b < 100; b++) {
        int[] batch = pooled.next();
        int lo = Integer.MAX_VALUE;
        int hi = 0;
        for (int i : batch) {
          assertTrue(seen.add(i), "example " + i + " twice in epoch " + epoch);
          lo = Math.min(lo, lengths[i]);
          hi = Math.max(hi, lengths[i]);
          means[b] += lengths[i] / 10.0;
        }
        assertTrue(hi - lo <= 3, "batch " + b + " of epoch " + epoch + " spans lengths " + lo + ".." + hi);
      }
      assertEquals(1000, seen.size());
      assertEquals(new BatchIterator.State(epoch, 1000), pooled.state(), "an epoch is 100 whole batches");
      double[] ordered = means.clone();
      Arrays.sort(ordered);
      assertFalse(Arrays.equals(ordered, means), "the batches come in length order");
      seenEver.addAll(seen);
    }
    assertEquals(n, seenEver.size(), "the left-over examples differ from epoch to epoch");

    double plainLongest = meanLongest(new BatchIterator(n, 10, 8), lengths, 500);
    double pooledLongest = meanLongest(new BatchIterator(n, 10, 8, lengths, 20), lengths, 500);
    assertTrue(pooledLongest < 0.7 * plainLongest, "pooled " + pooledLongest + " against plain " + plainLongest);
    BatchIterator zero = new BatchIterator(n, 10, 8, lengths, 0);
    BatchIterator plain = new BatchIterator(n, 10, 8);
    for (int b = 0; b < 250; b++) {
      assertArrayEquals(plain.next(), zero.next());
    }
    assertThrows(IllegalArgumentException.class, () -> new BatchIterator(n, 10, 8, lengths, 1));
    assertThrows(IllegalArgumentException.class, () -> new BatchIterator(n, 10, 8, new int[5], 20));
  }

  @Test
  void aResumedPooledRunSeesTheSameBatches() {
    int[] lengths = randomLengths(230, 2);
    BatchIterator straight = new BatchIterator(230, 7, 9, lengths, 4);
    List<int[]> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      expected.add(straight.next());
    }
    BatchIterator first = new BatchIterator(230, 7, 9, lengths, 4);
    for (int i = 0; i < 41; i++) {
      assertArrayEquals(expected.get(i), first.next());
    }
    BatchIterator.State saved = first.state();
    BatchIterator resumed = new BatchIterator(230, 7, 9, lengths, 4);
    resumed.restore(new BatchIterator.State(saved.epoch(), saved.position()));
    for (int i = 41; i < 100; i++) {
      assertArrayEquals(expected.get(i), resumed.next(), "batch " + i);
    }
    assertThrows(IllegalArgumentException.class, () -> resumed.restore(new BatchIterator.State(0, 225)));
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int[] sorted(int[] a) {
    int[] c = a.clone();
    Arrays.sort(c);
    return c;
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }
}
