package org.seqrl.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SymbolErrorsTest {

  @Test
  void countsWrongMissingAndExtraPositions() {
    int[] ref = {1, 2, 3, 4};
    assertEquals(0, SymbolErrors.count(new int[] {1, 2, 3, 4}, ref));
    assertEquals(1, SymbolErrors.count(new int[] {1, 9, 3, 4}, ref));
    // Two missing positions at the end.
    assertEquals(2, SymbolErrors.count(new int[] {1, 2}, ref));
    // Three extra positions.
    assertEquals(3, SymbolErrors.count(new int[] {1, 2, 3, 4, 4, 4, 4}, ref));
    // A dropped first symbol shifts every later one: 4 errors, where the edit distance says 1.
    assertEquals(4, SymbolErrors.count(new int[] {2, 3, 4}, ref));
    assertEquals(1, Levenshtein.distance(new int[] {2, 3, 4}, ref));
  }

  @Test
  void emptyInputs() {
    assertEquals(0, SymbolErrors.count(new int[0], new int[0]));
    assertEquals(3, SymbolErrors.count(new int[0], new int[] {1, 2, 3}));
    assertEquals(2, SymbolErrors.count(new int[] {5, 6}, new int[0]));
    assertArrayEquals(new int[0], SymbolErrors.closest(new int[] {1}, new int[0][]));
  }

  @Test
  void closestReferenceHasTheFewestErrors() {
    int[][] refs = {{1, 1, 1}, {1, 2, 3}, {1, 2, 9}};
    assertArrayEquals(new int[] {1, 2, 3}, SymbolErrors.closest(new int[] {1, 2, 3}, refs));
    // Ties go to the first.
    assertArrayEquals(new int[] {1, 2, 3}, SymbolErrors.closest(new int[] {1, 2}, refs));
  }
}
