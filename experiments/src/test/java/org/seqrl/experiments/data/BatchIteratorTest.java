package org.seqrl.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
