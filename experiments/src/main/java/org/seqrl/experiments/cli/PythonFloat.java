package org.seqrl.experiments.cli;

import com.fasterxml.jackson.core.io.schubfach.DoubleToDecimal;
import java.math.BigDecimal;

/**
 * Formats a double as Python's {@code repr(float)} does: the shortest digits that read back to
 * the same double, fixed notation for exponents -4 .. 15, else {@code 1.5e-05} style. Printed
 * scores can then be compared with nltk's and sacrebleu's as text.
 *
 * <p>The digits are the shortest that read back to the same double and, of those, the closest to it
 * (exact ties half-even: 1830125004510200.25 prints as ...200.2), which is what Giulietti's Schubfach
 * computes: Java 19+'s {@code Double.toString} (JDK 19's specification) and, on Java 17, whose
 * {@code Double.toString} is not shortest (JDK-4511638), jackson-core's port of the same algorithm
 * ({@code DoubleToDecimal}, 2.14+); only the layout differs from Python's. The earlier route, the value's
 * exact expansion rounded to each candidate length and parsed back, cost a {@code BigDecimal} and
 * several parses per score (about 10 % of a {@code seqrl score} run on Java 17); it stays for
 * subnormals, where Schubfach may print two digits where one reads back, and as the tests' oracle.
 *
 * <p>The search: for a double whose mantissa is not a power of two the doubles around it are equally
 * far on both sides, and rounding to one more digit never moves further from the exact value, so
 * "reads back" holds for every length from the shortest on and a binary search finds it. Powers of two
 * (nearer neighbour below) are scanned from one digit up.
 */
final class PythonFloat {
  private PythonFloat() {}

  private static final long FRACTION_BITS = (1L << 52) - 1;
  /** Whether this JVM's {@code Double.toString} gives the shortest, closest digits (JDK-4511638 fixed in 19). */
  static final boolean SHORTEST_TO_STRING = Runtime.version().feature() >= 19;

  static String repr(double v) {
    StringBuilder out = new StringBuilder(24);
    append(v, out);
    return out.toString();
  }

  /** Appends {@link #repr(double)} of {@code v} to {@code out}, without an intermediate string. */
  static void append(double v, StringBuilder out) {
    if (Double.isNaN(v)) {
      out.append("nan");
      return;
    }
    if (Double.isInfinite(v)) {
      out.append(v > 0 ? "inf" : "-inf");
      return;
    }
    if (v == 0) {
      out.append((1 / v < 0) ? "-0.0" : "0.0");
      return;
    }
    double a = Math.abs(v);
    char[] digits = new char[20];
    long lengthAndExponent = a >= Double.MIN_NORMAL
        ? fromToString(SHORTEST_TO_STRING ? Double.toString(a) : DoubleToDecimal.toString(a), digits)
        : searched(a, digits);
    layout(v < 0, digits, (int) (lengthAndExponent >> 32), (int) lengthAndExponent, out);
  }

  /**
   * The digits of a shortest {@code Double.toString(a)} (Java 19+, or jackson's {@code DoubleToDecimal}: e.g.
   * {@code 0.0123}, {@code 1.5E-5}, {@code 1.0E10}) into {@code digits}, without leading or trailing zeros;
   * returns the count in the high and the decimal exponent of the first digit in the low 32 bits.
   */
  static long fromToString(String s, char[] digits) {
    int e = s.indexOf('E');
    int end = e < 0 ? s.length() : e;
    int exponent10 = e < 0 ? 0 : Integer.parseInt(s, e + 1, s.length(), 10);
    int dot = s.indexOf('.');
    int len = 0;
    int firstExponent = 0;
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      if (c == '.' || (len == 0 && c == '0')) {
        continue;
      }
      if (len == 0) {
        // the first significant digit: its power of ten from its place relative to the point
        firstExponent = (i < dot ? dot - 1 - i : dot - i) + exponent10;
      }
      digits[len++] = c;
    }
    while (len > 1 && digits[len - 1] == '0') {
      len--;
    }
    return ((long) len << 32) | (firstExponent & 0xFFFFFFFFL);
  }

  /** The digits by the exact expansion and a search over lengths; returned as {@link #fromToString} returns them. */
  static long searched(double a, char[] digits) {
    BigDecimal exact = new BigDecimal(a);
    String all = exact.unscaledValue().toString();
    int firstExponent = all.length() - 1 - exact.scale(); // decimal exponent of the first digit
    StringBuilder scratch = new StringBuilder(32);
    boolean powerOfTwo = (Double.doubleToRawLongBits(a) & FRACTION_BITS) == 0;
    int n;
    if (powerOfTwo) {
      // The double below is half as far as the one above, so the nearest n-digit decimal may fall below the
      // rounding interval while the next one up is inside it: Python (and Java 19+) print that one,
      // e.g. 2^-1017 as 7.120236347223045e-307, not the 17 digits 7.1202363472230444e-307.
      for (n = 1; ; n++) {
        if (readsBack(a, all, firstExponent, n, digits, scratch)) {
          break;
        }
        if (n < all.length()) { // the nearest, when it was rounded up, is this one again: no harm
          int exponent = roundUp(all, firstExponent, n, digits);
          if (parsesTo(a, digits, n, exponent, scratch)) {
            return strip(digits, n, exponent);
          }
        }
      }
    } else {
      int lo = 1;
      int hi = 17; // 17 significant digits always read back
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (readsBack(a, all, firstExponent, mid, digits, scratch)) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      n = lo;
    }
    int exponent = round(all, firstExponent, n, digits);
    return strip(digits, Math.min(n, all.length()), exponent);
  }

  private static long strip(char[] digits, int len, int exponent) {
    while (len > 1 && digits[len - 1] == '0') {
      len--; // as BigDecimal.stripTrailingZeros
    }
    return ((long) len << 32) | (exponent & 0xFFFFFFFFL);
  }

  /** The first {@code n} exact digits plus one unit in the last place (n < all.length()); returns the exponent. */
  private static int roundUp(String all, int firstExponent, int n, char[] digits) {
    all.getChars(0, n, digits, 0);
    int i = n - 1;
    while (i >= 0 && digits[i] == '9') {
      digits[i] = '0';
      i--;
    }
    if (i >= 0) {
      digits[i]++;
      return firstExponent;
    }
    digits[0] = '1';
    return firstExponent + 1;
  }

  private static boolean parsesTo(double a, char[] digits, int n, int exponent, StringBuilder scratch) {
    scratch.setLength(0);
    scratch.append(digits, 0, n).append('E').append(exponent - (n - 1));
    return Double.parseDouble(scratch.toString()) == a;
  }

  /** Python's layout of the digits: fixed notation for exponents -4 .. 15, else {@code 1.5e-05}. */
  private static void layout(boolean negative, char[] digits, int len, int exponent, StringBuilder out) {
    if (negative) {
      out.append('-');
    }
    if (exponent >= -4 && exponent < 16) {
      if (exponent < 0) {
        out.append("0.");
        for (int i = -1; i > exponent; i--) {
          out.append('0');
        }
        out.append(digits, 0, len);
      } else if (len <= exponent + 1) {
        out.append(digits, 0, len);
        for (int i = len; i <= exponent; i++) {
          out.append('0');
        }
        out.append(".0");
      } else {
        out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, len - exponent - 1);
      }
      return;
    }
    out.append(digits[0]);
    if (len > 1) {
      out.append('.').append(digits, 1, len - 1);
    }
    out.append('e').append(exponent < 0 ? '-' : '+');
    int e = Math.abs(exponent);
    if (e < 10) {
      out.append('0');
    }
    out.append(e);
  }

  /**
   * Rounds the exact digits {@code all} (first digit at decimal exponent {@code firstExponent})
   * half-even to {@code n} significant digits into {@code digits}; returns the exponent of the
   * first rounded digit (one more than {@code firstExponent} when the rounding carries out).
   */
  private static int round(String all, int firstExponent, int n, char[] digits) {
    int len = Math.min(n, all.length());
    all.getChars(0, len, digits, 0);
    if (n >= all.length() || all.charAt(n) < '5' || (all.charAt(n) == '5' && isTie(all, n) && (digits[len - 1] - '0') % 2 == 0)) {
      return firstExponent;
    }
    int i = len - 1;
    while (i >= 0 && digits[i] == '9') {
      digits[i] = '0';
      i--;
    }
    if (i >= 0) {
      digits[i]++;
      return firstExponent;
    }
    digits[0] = '1'; // 99..9 rounded up: 100..0, one decade higher
    return firstExponent + 1;
  }

  /** Whether the digits after position {@code n} are a 5 and zeros only: exactly half way. */
  private static boolean isTie(String all, int n) {
    for (int i = n + 1; i < all.length(); i++) {
      if (all.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  private static boolean readsBack(double a, String all, int firstExponent, int n, char[] digits, StringBuilder scratch) {
    if (n >= all.length()) {
      return true; // the exact value itself
    }
    int exponent = round(all, firstExponent, n, digits);
    scratch.setLength(0);
    scratch.append(digits, 0, n).append('E').append(exponent - (n - 1));
    return Double.parseDouble(scratch.toString()) == a;
  }
}
