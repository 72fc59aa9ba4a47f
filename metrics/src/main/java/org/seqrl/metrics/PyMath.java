package org.seqrl.metrics;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * {@code log} and {@code exp} as Python's {@code math} module computes them: it calls the C library's
 * functions, so these do too (through JNA).
 *
 * <p>Why not {@link Math}: HotSpot's {@code Math.exp} is accurate to about an ulp but rounds differently
 * from glibc's {@code exp} on about 0.24 % of nltk BLEU's arguments (238 of 100,000 sentences of the reward
 * corpus; {@code StrictMath.exp}, fdlibm, on 9 %), and neither is correctly rounded itself (glibc misses
 * the correctly rounded value on 47 of the same 100,000), so no pure-Java formula reproduces Python's last
 * digit; only the same C function does. Where the C library cannot be loaded, {@link Math} stands in and
 * {@link #isNative()} says so.
 *
 * <p>A call costs about 0.1 us. The logarithms BLEU takes are of a few hundred distinct precisions
 * (ratios of small counts), so {@link #log} keeps recent results in a small direct-mapped cache.
 */
final class PyMath {
  private PyMath() {}

  private static final boolean NATIVE = CLib.load();

  /** Direct-mapped cache of log results: a racy but safe read of immutable entries. */
  private static final int LOG_SLOTS = 4096;
  private static final LogEntry[] LOG_CACHE = new LogEntry[LOG_SLOTS];

  private record LogEntry(long bits, double log) {}

  /** True when log and exp are the C library's; false when {@link Math} stands in for them. */
  static boolean isNative() {
    return NATIVE;
  }

  /** The C library's {@code exp(x)}, as Python's {@code math.exp}. */
  static double exp(double x) {
    return NATIVE ? CLib.exp(x) : Math.exp(x);
  }

  /** The C library's {@code log(x)} for x > 0, as Python's {@code math.log} of a positive float. */
  static double log(double x) {
    long bits = Double.doubleToRawLongBits(x);
    int slot = (int) (bits ^ (bits >>> 29) ^ (bits >>> 47)) & (LOG_SLOTS - 1);
    LogEntry e = LOG_CACHE[slot];
    if (e != null && e.bits == bits) {
      return e.log;
    }
    double log = NATIVE ? CLib.log(x) : Math.log(x);
    LOG_CACHE[slot] = new LogEntry(bits, log);
    return log;
  }

  /** JNA direct mapping of the C math library (libm on Linux, the C runtime on Windows). */
  private static final class CLib {
    static native double exp(double x);

    static native double log(double x);

    static boolean load() {
      try {
        Native.register(CLib.class, NativeLibrary.getInstance(Platform.MATH_LIBRARY_NAME));
        return true;
      } catch (LinkageError | RuntimeException e) {
        return false;
      }
    }
  }
}
