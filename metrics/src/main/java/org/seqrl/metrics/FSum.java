package org.seqrl.metrics;

/** Python's {@code math.fsum}: the correctly rounded sum (Shewchuk), which nltk uses for the log sum. */
final class FSum {
  private FSum() {}

  static double sum(double[] values, int count) {
    double[] partials = new double[count + 1];
    int np = 0;
    for (int v = 0; v < count; v++) {
      double x = values[v];
      int i = 0;
      for (int j = 0; j < np; j++) {
        double y = partials[j];
        if (Math.abs(x) < Math.abs(y)) {
          double tmp = x;
          x = y;
          y = tmp;
        }
        double hi = x + y;
        double lo = y - (hi - x);
        if (lo != 0.0) {
          partials[i++] = lo;
        }
        x = hi;
      }
      np = i;
      partials[np++] = x;
    }
    if (np == 0) {
      return 0.0;
    }
    // sum the partials from the top, with Python's half-way correction
    double hi = partials[--np];
    double lo = 0;
    while (np > 0) {
      double x = hi;
      double y = partials[--np];
      hi = x + y;
      double yr = hi - x;
      lo = y - yr;
      if (lo != 0.0) {
        break;
      }
    }
    if (np > 0 && ((lo < 0 && partials[np - 1] < 0) || (lo > 0 && partials[np - 1] > 0))) {
      double y = lo * 2;
      double x = hi + y;
      double yr = x - hi;
      if (y == yr) {
        hi = x;
      }
    }
    return hi;
  }
}
