package org.seqrl.experiments.cli;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Formats a double as Python's {@code repr(float)} does: the shortest digits that read back to
 * the same double, fixed notation for exponents -4 .. 15, else {@code 1.5e-05} style. Printed
 * scores can then be compared with nltk's and sacrebleu's as text.
 */
final class PythonFloat {
  private PythonFloat() {}

  static String repr(double v) {
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
      BigDecimal candidate = exact.round(new MathContext(digits));
      if (candidate.doubleValue() == v) {
        shortest = candidate;
        break;
      }
    }
    BigDecimal d = shortest.stripTrailingZeros();
    String sign = d.signum() < 0 ? "-" : "";
    String digits = d.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - d.scale(); // of the first digit
    if (exponent >= -4 && exponent < 16) {
      String plain = d.abs().toPlainString();
      return sign + (plain.contains(".") ? plain : plain + ".0");
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String exp = String.format("%s%02d", exponent < 0 ? "-" : "+", Math.abs(exponent));
    return sign + mantissa + "e" + exp;
  }
}
