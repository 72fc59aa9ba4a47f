package org.seqrl.metrics;

import java.util.Locale;

/**
 * nltk's {@code SmoothingFunction().methodN} (Chen and Cherry 2014) with nltk's defaults
 * epsilon 0.1, alpha 5, k 5.
 */
public enum NltkSmoothing {
  /** No smoothing; a zero precision becomes {@code sys.float_info.min}, so BLEU is tiny but not 0. */
  METHOD0,
  /** Add epsilon (0.1) to zero numerators. */
  METHOD1,
  /** Add 1 to numerator and denominator of every order above 1. */
  METHOD2,
  /** NIST geometric: the k-th zero precision becomes 1 / (2^k * denominator). */
  METHOD3,
  /** Like METHOD3 but scaled by 1 / ln(hypothesis length), with k = 5. */
  METHOD4,
  /** Average of the n-1, n and n+1 precisions. */
  METHOD5,
  /** Interpolation with a prior from the two lower orders (alpha 5). */
  METHOD6,
  /** METHOD4, then METHOD5. */
  METHOD7;

  /** Parses {@code method0} .. {@code method7} (also {@code 0} .. {@code 7}). */
  public static NltkSmoothing parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("method")) {
      t = t.substring("method".length());
    }
    if (t.length() == 1 && t.charAt(0) >= '0' && t.charAt(0) <= '7') {
      return values()[t.charAt(0) - '0'];
    }
    throw new IllegalArgumentException("'" + text + "' is not an nltk smoothing method; expected one of method0, method1, ..., method7");
  }

  /** The name nltk uses, e.g. {@code method1}. */
  public String nltkName() {
    return "method" + ordinal();
  }
}
