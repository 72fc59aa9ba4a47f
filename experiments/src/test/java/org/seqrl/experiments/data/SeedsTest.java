package org.seqrl.experiments.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeedsTest {
  @Test
  void mixIsSplitMix64() {
    // First output of the reference SplitMix64 generator seeded with 0 (Vigna's splitmix64.c).
    assertEquals(0xE220A8397B1DCDAFL, Seeds.mix(0));
  }

  @Test
  void fnv1aMatchesPublishedValues() {
    assertEquals(0xcbf29ce484222325L, Seeds.hash(""));
    assertEquals(0xaf63dc4c8601ec8cL, Seeds.hash("a"));
  }

  @Test
  void componentsAndSeedsGetDistinctStableSeeds() {
    Set<Long> seeds = new HashSet<>();
    for (long run = 0; run < 50; run++) {
      for (String c : new String[] {Seeds.DATA, Seeds.INIT, Seeds.SAMPLING, Seeds.DROPOUT, Seeds.BATCHES}) {
        assertEquals(Seeds.derive(run, c), Seeds.derive(run, c));
        seeds.add(Seeds.derive(run, c));
      }
    }
    assertEquals(250, seeds.size());
    assertNotEquals(Seeds.derive(1, "data"), Seeds.derive(2, "data"));
  }
}
