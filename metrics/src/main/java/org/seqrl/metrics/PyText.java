package org.seqrl.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Text helpers with Python 3 {@code str} semantics, because nltk and sacrebleu split on
 * Python's notion of whitespace and index strings by code point, not by UTF-16 unit.
 */
public final class PyText {
  private PyText() {}

  /** True for the code points Python's {@code str.isspace()} accepts. */
  public static boolean isSpace(int cp) {
    if (cp <= 0x20) {
      return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
    }
    if (cp < 0x85) {
      return false;
    }
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
        || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
  }

  /** Python's {@code s.split()}: runs of whitespace separate tokens, no empty tokens. */
  public static String[] split(String s) {
    List<String> out = new ArrayList<>();
    int n = s.length();
    int i = 0;
    while (i < n) {
      while (i < n && isSpace(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !isSpace(s.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(s.substring(start, i));
      }
    }
    return out.toArray(new String[0]);
  }

  /** Python's {@code s.rstrip()}. */
  public static String rstrip(String s) {
    int end = s.length();
    while (end > 0 && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  /** The code points of {@code s}, as Python indexes a {@code str}. */
  public static int[] codePoints(String s) {
    return s.codePoints().toArray();
  }

  /** The code points of {@code s} with every whitespace code point removed ({@code ''.join(s.split())}). */
  public static int[] codePointsWithoutSpace(String s) {
    int[] out = new int[s.length()];
    int k = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (!isSpace(cp)) {
        out[k++] = cp;
      }
    }
    return k == out.length ? out : java.util.Arrays.copyOf(out, k);
  }
}
