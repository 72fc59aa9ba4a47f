package org.seqrl.metrics;

import java.util.Locale;

/** sacrebleu's BLEU smoothing methods, with their default values. */
public enum SacreSmoothing {
  /** mteval's exponential: the k-th zero precision becomes 100 / (2^k * total). */
  EXP("exp", Double.NaN),
  /** A zero match count becomes the floor value (default 0.1). */
  FLOOR("floor", 0.1),
  /** Add k (default 1) to matches and totals of orders above 1. */
  ADD_K("add-k", 1),
  /** No smoothing. */
  NONE("none", Double.NaN);

  private final String sacreName;
  private final double defaultValue;

  SacreSmoothing(String sacreName, double defaultValue) {
    this.sacreName = sacreName;
    this.defaultValue = defaultValue;
  }

  /** The name sacrebleu uses. */
  public String sacreName() {
    return sacreName;
  }

  /** The default smoothing value, NaN when the method takes none. */
  public double defaultValue() {
    return defaultValue;
  }

  public boolean takesValue() {
    return !Double.isNaN(defaultValue);
  }

  public static SacreSmoothing parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (SacreSmoothing s : values()) {
      if (s.sacreName.equals(t)) {
        return s;
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not a sacrebleu smoothing method; expected one of exp, floor, add-k, none");
  }
}
