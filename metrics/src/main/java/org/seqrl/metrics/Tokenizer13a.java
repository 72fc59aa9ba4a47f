package org.seqrl.metrics;

/**
 * sacrebleu's default {@code 13a} tokenizer (mteval-v13a), as a pure function.
 *
 * <p>sacrebleu applies four regex substitutions in turn; each is a scan here that does what the regex's
 * left-to-right, non-overlapping matching does (the regexes took over half of a {@code seqrl score --metric
 * sacrebleu} run). {@code Tokenizer13aTest} checks the scans against the regexes on random text.
 * <ol>
 *   <li>{@code ([\{-\~\[-\` -\&\(-\+\:-\@\/])} to {@code " $1 "}: space around punctuation and symbols;
 *   <li>{@code ([^0-9])([\.,])} to {@code "$1 $2 "}: a period or comma after a non-digit;
 *   <li>{@code ([\.,])([^0-9])} to {@code " $1 $2"}: a period or comma before a non-digit;
 *   <li>{@code ([0-9])(-)} to {@code "$1 $2 "}: a dash after a digit.
 * </ol>
 * A non-digit there is a code point; a surrogate pair is never a digit, period or comma, so scanning chars
 * gives the same text.
 */
public final class Tokenizer13a {
  private Tokenizer13a() {}

  /** Tokenizes one line; the result's tokens are separated by single spaces. */
  public static String tokenize(String line) {
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
    if (line.indexOf('&') >= 0) {
      line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    }
    int n = line.length() + 2;
    char[] a = new char[n];
    a[0] = ' ';
    line.getChars(0, line.length(), a, 1);
    a[n - 1] = ' ';
    char[] b = new char[3 * n];
    n = spaceAroundPunctuation(a, n, b);
    a = new char[2 * n];
    n = splitPeriodCommaAfterNonDigit(b, n, a);
    b = new char[2 * n];
    n = splitPeriodCommaBeforeNonDigit(a, n, b);
    a = new char[2 * n];
    n = splitDashAfterDigit(b, n, a);
    return joinTokens(a, n);
  }

  /** Rule 1's class: {@code {|}~ [\]^_` space!"#$%& ()*+ :;<=>? @ /}. */
  static boolean isPunctuation(char c) {
    return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') || (c >= '(' && c <= '+')
        || (c >= ':' && c <= '@') || c == '/';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isPeriodOrComma(char c) {
    return c == '.' || c == ',';
  }

  private static int spaceAroundPunctuation(char[] in, int n, char[] out) {
    int k = 0;
    for (int i = 0; i < n; i++) {
      char c = in[i];
      if (isPunctuation(c)) {
        out[k++] = ' ';
        out[k++] = c;
        out[k++] = ' ';
      } else {
        out[k++] = c;
      }
    }
    return k;
  }

  private static int splitPeriodCommaAfterNonDigit(char[] in, int n, char[] out) {
    int k = 0;
    int i = 0;
    while (i < n) {
      if (i + 1 < n && !isDigit(in[i]) && isPeriodOrComma(in[i + 1])) {
        out[k++] = in[i];
        out[k++] = ' ';
        out[k++] = in[i + 1];
        out[k++] = ' ';
        i += 2;
      } else {
        out[k++] = in[i++];
      }
    }
    return k;
  }

  private static int splitPeriodCommaBeforeNonDigit(char[] in, int n, char[] out) {
    int k = 0;
    int i = 0;
    while (i < n) {
      if (i + 1 < n && isPeriodOrComma(in[i]) && !isDigit(in[i + 1])) {
        out[k++] = ' ';
        out[k++] = in[i];
        out[k++] = ' ';
        out[k++] = in[i + 1];
        i += 2;
      } else {
        out[k++] = in[i++];
      }
    }
    return k;
  }

  private static int splitDashAfterDigit(char[] in, int n, char[] out) {
    int k = 0;
    int i = 0;
    while (i < n) {
      if (i + 1 < n && isDigit(in[i]) && in[i + 1] == '-') {
        out[k++] = in[i];
        out[k++] = ' ';
        out[k++] = '-';
        out[k++] = ' ';
        i += 2;
      } else {
        out[k++] = in[i++];
      }
    }
    return k;
  }

  /** {@code " ".join(text.split())}: Python's whitespace separates, single spaces join. */
  private static String joinTokens(char[] text, int n) {
    StringBuilder out = new StringBuilder(n);
    int i = 0;
    while (i < n) {
      while (i < n && PyText.isSpace(text[i])) {
        i++;
      }
      int start = i;
      while (i < n && !PyText.isSpace(text[i])) {
        i++;
      }
      if (i > start) {
        if (out.length() > 0) {
          out.append(' ');
        }
        out.append(text, start, i - start);
      }
    }
    return out.toString();
  }
}
