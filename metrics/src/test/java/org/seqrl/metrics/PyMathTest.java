package org.seqrl.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * PyMath against values CPython 3.11's math.exp / math.log printed (float.hex) on glibc 2.36, x86-64: arguments
 * where HotSpot's Math.exp / Math.log round the other way, so the check can fail on a Math stand-in.
 */
class PyMathTest {
  /** {argument, Python's result}: exp arguments are nltk's fsum of weighted logs on the reward corpus. */
  static final double[][] EXP = {
      {-0x1.782330302d185p-1, 0x1.eb304da519ed3p-2},
      {-0x1.a9118328fe390p-2, 0x1.520ef57170240p-1},
      {-0x1.deedbb83bdb3bp-1, 0x1.91d8198689a8dp-2},
      {-0x1.61523c4b3145bp+0, 0x1.01932fd873599p-2},
      {-0x1.0c656b7b7d1acp-2, 0x1.89f2b1e2f00c4p-1},
  };
  /** Precisions as ratios of counts (33/142, 108/187, ...). */
  static final double[][] LOG = {
      {33.0 / 142, -0x1.7595f6665067ap+0},
      {108.0 / 187, -0x1.1913907e454f9p-1},
      {127.0 / 187, -0x1.8c35285cad20ap-2},
      {0x1.6f286bca1af28p-1, -0x1.54836f9eda49bp-2},
      {0x1.838e38e38e38ep-1, -0x1.1d2609d24976bp-2},
      {0x1.d666666666666p-1, -0x1.5b199e4d66506p-4},
  };

  @Test
  void usesTheCLibraryOnThisPlatform() {
    assertTrue(PyMath.isNative(), "the C library's math could not be loaded through JNA; Math stands in");
  }

  @Test
  void expAndLogEqualPythonsBitForBit() {
    int javaDiffers = 0;
    for (double[] c : EXP) {
      assertEquals(Double.doubleToLongBits(c[1]), Double.doubleToLongBits(PyMath.exp(c[0])), "exp(" + Double.toHexString(c[0]) + ")");
      javaDiffers += Math.exp(c[0]) != c[1] ? 1 : 0;
    }
    for (int round = 0; round < 2; round++) { // the second round reads the log cache
      for (double[] c : LOG) {
        assertEquals(Double.doubleToLongBits(c[1]), Double.doubleToLongBits(PyMath.log(c[0])), "log(" + Double.toHexString(c[0]) + ")");
      }
    }
    for (double[] c : LOG) {
      javaDiffers += Math.log(c[0]) != c[1] ? 1 : 0;
    }
    // documents why PyMath exists; a JVM whose Math agreed would only make it redundant
    assertNotEquals(0, javaDiffers, "Math.exp / Math.log agree with the C library on every case here");
  }

  @Test
  void logCacheKeepsEveryArgumentApart() {
    // more distinct arguments than the cache has slots: colliding entries must never answer for each other
    for (int round = 0; round < 2; round++) {
      for (int den = 1; den <= 120; den++) {
        for (int num = 1; num <= den; num++) {
          double x = (double) num / den;
          assertEquals(Math.log(x), PyMath.log(x), 2 * Math.ulp(Math.log(x)) + Double.MIN_VALUE, num + "/" + den);
        }
      }
    }
  }
}
