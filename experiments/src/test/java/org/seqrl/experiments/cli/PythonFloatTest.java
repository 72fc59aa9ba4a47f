package org.seqrl.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PythonFloat} (Schubfach digits: Java 19+'s Double.toString, jackson's DoubleToDecimal on 17) against the definition it replaced: the exact value rounded half-up
 * to 1, 2, ... 17 digits until it reads back (a BigDecimal search per length, kept here as the
 * oracle), on doubles of every kind: scores in [0, 1] and [0, 100], random bit patterns over the
 * whole range, powers of two, subnormals, decimal round numbers and values next to them.
 */
class PythonFloatTest {

  /**
   * The former implementation with two corrections that Python's repr (and Java 19+'s Double.toString) show:
   * exact ties round half-even, and where the nearest n-digit decimal does not read back (next to a power of two)
   * the one rounded away from zero may.
   */
  static String oracle(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(v);
    BigDecimal shortest = null;
    for (int digits = 1; digits <= 17; digits++) {
      // Half-even, as Python's repr (its dtoa): 1830125004510200.25 prints as ...200.2; the former half-up gave .3.
      BigDecimal candidate = exact.round(new MathContext(digits, java.math.RoundingMode.HALF_EVEN));
      if (candidate.doubleValue() == v) {
        shortest = candidate;
        break;
      }
      // Next to a power of two the interval is lopsided: the nearest may miss it while one away from zero is in.
      BigDecimal away = exact.round(new MathContext(digits, java.math.RoundingMode.UP));
      if (away.doubleValue() == v) {
        shortest = away;
        break;
      }
    }
    BigDecimal d = shortest.stripTrailingZeros();
    String sign = d.signum() < 0 ? "-" : "";
    String digits = d.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - d.scale();
    if (exponent >= -4 && exponent < 16) {
      String plain = d.abs().toPlainString();
      return sign + (plain.contains(".") ? plain : plain + ".0");
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String exp = String.format("%s%02d", exponent < 0 ? "-" : "+", Math.abs(exponent));
    return sign + mantissa + "e" + exp;
  }

  static void check(double v) {
    assertEquals(oracle(v), PythonFloat.repr(v), () -> "bits " + Long.toHexString(Double.doubleToRawLongBits(v)));
  }

  /** The parse of Double.toString that Java 19+ uses (its layouts are those of Java 17 too, so it is checked on any JVM). */
  @Test
  void readsTheDigitsOfEveryToStringLayout() {
    Random rnd = new Random(22);
    double[] fixed = {123.456, 0.0123, 1.5e-5, 1e10, 1.0, 0.001, 9999999.0, 1.0e7, 2.5e-300, 1.7976931348623157e308};
    for (int i = 0; i < 20_000; i++) {
      double a = i < fixed.length ? fixed[i] : Math.abs(Double.longBitsToDouble(rnd.nextLong()));
      if (Double.isNaN(a) || Double.isInfinite(a) || a < Double.MIN_NORMAL) {
        continue;
      }
      char[] digits = new char[20];
      long lengthAndExponent = PythonFloat.fromToString(Double.toString(a), digits);
      int len = (int) (lengthAndExponent >> 32);
      int exponent = (int) lengthAndExponent;
      String back = new String(digits, 0, len) + "E" + (exponent - (len - 1));
      assertEquals(a, Double.parseDouble(back), () -> Double.toString(a) + " read as " + back);
      assertEquals(true, digits[0] != '0' && (len == 1 || digits[len - 1] != '0'), back);
    }
    char[] d = new char[20];
    assertEquals((3L << 32) | (-2 & 0xFFFFFFFFL), PythonFloat.fromToString(Double.toString(0.0123), d));
    assertEquals((2L << 32) | (-5 & 0xFFFFFFFFL), PythonFloat.fromToString(Double.toString(1.5e-5), d));
    assertEquals((1L << 32) | 10, PythonFloat.fromToString(Double.toString(1e10), d));
    assertEquals((6L << 32) | 2, PythonFloat.fromToString(Double.toString(123.456), d));
  }

  @Test
  void roundsExactTiesToEvenAsPythonDoes() {
    // Python 3: repr(1830125004510200.25) == '1830125004510200.2' (17 digits: .2 and .3 are equally near)
    assertEquals("1830125004510200.2", PythonFloat.repr(1830125004510200.25));
    assertEquals("1830125004510200.8", PythonFloat.repr(1830125004510200.75));
  }

  @Test
  void agreesWithTheBigDecimalSearchOnScores() {
    Random rnd = new Random(20);
    for (int i = 0; i < 10_000; i++) {
      check(rnd.nextDouble());
      check(100 * rnd.nextDouble());
      check(Math.exp(-30 * rnd.nextDouble())); // BLEU-like values down to 1e-13
    }
  }

  @Test
  void agreesWithTheBigDecimalSearchOverTheWholeRange() {
    Random rnd = new Random(21);
    for (int i = 0; i < 5_000; i++) {
      check(Double.longBitsToDouble(rnd.nextLong()));
    }
    for (int i = 0; i < 1_000; i++) {
      check(Double.longBitsToDouble(rnd.nextLong() & 0x000f_ffff_ffff_ffffL)); // subnormals
    }
    for (int e = -1074; e <= 1023; e++) {
      double p = Math.scalb(1.0, e);
      check(p);
      check(-p);
      check(Math.nextUp(p));
      check(Math.nextDown(p));
    }
    for (int e = -330; e <= 310; e++) {
      double d = Double.parseDouble("1e" + e);
      for (double m : new double[] {1, 9.999999999999999, 5, 0.5, 123456789.0, 9.5, 99.5}) {
        double x = m * d;
        check(x);
        check(Math.nextUp(x));
        check(Math.nextDown(x));
      }
    }
    double[] edges = {Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 1e16, 1e15, 9999999999999998.0,
        1e-4, 1e-5, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 5e-324, 1.7976931348623157e308, 0.0, -0.0,
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 123.456, 1234567890123456.0, 0.25406637407730737};
    for (double x : edges) {
      check(x);
      check(-x);
    }
  }
}
