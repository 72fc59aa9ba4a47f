package org.seqrl.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The 13a scans against sacrebleu's four regexes, which they replaced (kept here as the oracle). */
class Tokenizer13aTest {
  static final Pattern PUNCT = Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
  static final Pattern PERIOD_COMMA_AFTER = Pattern.compile("([^0-9])([\\.,])");
  static final Pattern PERIOD_COMMA_BEFORE = Pattern.compile("([\\.,])([^0-9])");
  static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

  static String byRegexes(String line) {
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
    if (line.indexOf('&') >= 0) {
      line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    }
    line = " " + line + " ";
    line = PUNCT.matcher(line).replaceAll(" $1 ");
    line = PERIOD_COMMA_AFTER.matcher(line).replaceAll("$1 $2 ");
    line = PERIOD_COMMA_BEFORE.matcher(line).replaceAll(" $1 $2");
    line = DASH_AFTER_DIGIT.matcher(line).replaceAll("$1 $2 ");
    return String.join(" ", PyText.split(line));
  }

  @Test
  void scansEqualTheRegexesOnRandomText() {
    // every ASCII character, the entities and markers the tokenizer knows, letters, digits and non-ASCII
    // (a surrogate pair, combining marks, Unicode spaces), weighted toward the characters the rules are about
    String[] pieces = {".", ",", "-", "0", "7", "9", "a", "Z", "'", " ", "\t", "\n", "-\n", "&amp;", "&quot;", "&lt;",
        "&gt;", "&", "<skipped>", "é", "😀", "\u00a0", "\u3000", "日", "\u0301", "..", "1.5", "1,000", "3-4", "a-b"};
    Random rnd = new Random(13);
    for (int i = 0; i < 100_000; i++) {
      StringBuilder sb = new StringBuilder();
      int len = rnd.nextInt(25);
      for (int k = 0; k < len; k++) {
        if (rnd.nextInt(3) == 0) {
          sb.append((char) (rnd.nextInt(0x7f - 0x20) + 0x20)); // any printable ASCII
        } else {
          sb.append(pieces[rnd.nextInt(pieces.length)]);
        }
      }
      String line = sb.toString();
      assertEquals(byRegexes(line), Tokenizer13a.tokenize(line), () -> "line '" + line + "'");
    }
  }

  @Test
  void knownLines() {
    assertEquals("Hello , world !", Tokenizer13a.tokenize("Hello, world!"));
    assertEquals("It costs $ 3.50 , or 1,000 yen .", Tokenizer13a.tokenize("It costs $3.50, or 1,000 yen."));
    assertEquals("pages 3 - 4 and x-y", Tokenizer13a.tokenize("pages 3-4 and x-y"));
    assertEquals("", Tokenizer13a.tokenize(""));
  }
}
