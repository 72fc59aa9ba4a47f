package org.seqrl.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TokenIds against what it replaced: PyText.split, then one HashMap of token to id per sentence. */
class TokenIdsTest {
  static final String[] PIECES = {"a", "b", "ab", "ba", "the", "The", "é", "e\u0301", "日本", "😀", "x😀", "Aa", "BB",
      " ", "  ", "\t", "\u00a0", "\u3000", "\u2009", "\u200b", "\u001f", "\n"};

  static String line(Random rnd, int pieces) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pieces; i++) {
      sb.append(PIECES[rnd.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }

  @Test
  void numbersTokensAsSplitAndAMapDo() {
    Random rnd = new Random(7);
    TokenIds ids = TokenIds.get();
    for (int sentence = 0; sentence < 3000; sentence++) {
      ids.clear();
      Map<String, Integer> vocab = new HashMap<>();
      // a few long sentences so that the table grows while it holds tokens
      int lines = 1 + rnd.nextInt(4);
      for (int l = 0; l < lines; l++) {
        String text = line(rnd, sentence % 100 == 0 ? 2000 : rnd.nextInt(40));
        assertArrayEquals(NltkBleu.ids(PyText.split(text), vocab), ids.ids(text), text);
      }
    }
  }

  @Test
  void lineBleuEqualsTokenBleu() {
    Random rnd = new Random(8);
    for (int i = 0; i < 2000; i++) {
      String hyp = line(rnd, rnd.nextInt(30));
      List<String> refs = new ArrayList<>();
      List<String[]> refTokens = new ArrayList<>();
      for (int r = rnd.nextInt(3); r >= 0; r--) {
        String ref = line(rnd, rnd.nextInt(30));
        refs.add(ref);
        refTokens.add(PyText.split(ref));
      }
      for (NltkSmoothing s : new NltkSmoothing[] {NltkSmoothing.METHOD0, NltkSmoothing.METHOD1, NltkSmoothing.METHOD7}) {
        double w = NltkBleu.sentenceBleu(PyText.split(hyp), refTokens, NltkBleu.uniformWeights(4), s);
        assertEquals(Double.doubleToLongBits(w), Double.doubleToLongBits(NltkBleu.sentenceBleu(hyp, refs, NltkBleu.uniformWeights(4), s)),
            hyp + " | " + refs + " " + s);
      }
    }
  }
}
