package org.seqrl.experiments.cli;

import java.math.BigDecimal;

/**
 * Formats a double as Python's {@code repr(float)} does: the shortest digits that read back to
 * the same double, fixed notation for exponents -4 .. 15, else {@code 1.5e-05} style. Printed
 * scores can then be compared with nltk's and sacrebleu's as text.
 *
 * <p>The digits are the value's exact decimal expansion rounded half-up to the fewest significant
 * digits (1..17) that parse back to the same double. Java 17's {@code Double.toString} is not
 * shortest (JDK-4511638, fixed in 19), so the expansion is computed once and each candidate length
 * is checked by parsing it back. Fewer checks than lengths: for a double whose mantissa is not a
 * power of two the doubles around it are equally far on both sides, and rounding to one more digit
 * never moves further from the exact value, so "reads back" holds for every length from the
 * shortest on and a binary search finds it. Powers of two (nearer neighbour below) are scanned
 * from one digit up.
 */
final class PythonFloat {
  private PythonFloat() {}

  private static final long FRACTION_BITS = (1L << 52) - 1;

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
    BigDecimal exact = new BigDecimal(a);
    String all = exact.unscaledValue().toString();
    int firstExponent = all.length() - 1 - exact.scale(); // decimal exponent of the first digit
    char[] digits = new char[18];
    StringBuilder scratch = new StringBuilder(32);
    boolean powerOfTwo = (Double.doubleToRawLongBits(a) & FRACTION_BITS) == 0;
    int n;
    if (powerOfTwo) {
      n = 1;
      while (!readsBack(a, all, firstExponent, n, digits, scratch)) {
        n++;
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
    int len = Math.min(n, all.length());
    while (len > 1 && digits[len - 1] == '0') {
      len--; // as BigDecimal.stripTrailingZeros
    }
    if (v < 0) {
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
   * half-up to {@code n} significant digits into {@code digits}; returns the exponent of the
   * first rounded digit (one more than {@code firstExponent} when the rounding carries out).
   */
  private static int round(String all, int firstExponent, int n, char[] digits) {
    int len = Math.min(n, all.length());
    all.getChars(0, len, digits, 0);
    if (n >= all.length() || all.charAt(n) < '5') {
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
