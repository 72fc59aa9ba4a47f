package org.seqrl.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.rl.Tokens;

class VocabularyTest {
  @TempDir Path dir;

  @Test
  void reservedIdsMatchRlCoreAndTokensAreSorted() {
    Vocabulary v = Vocabulary.build(List.of(List.of("c", "a"), List.of("b", "a", " ")));
    assertEquals(Tokens.PAD, v.id(Vocabulary.PAD));
    assertEquals(Tokens.START, v.id(Vocabulary.START));
    assertEquals(Tokens.END, v.id(Vocabulary.END));
    assertEquals(Tokens.UNKNOWN, v.id(Vocabulary.UNKNOWN));
    assertEquals(List.of(" ", "a", "b", "c"), v.regularTokens());
    assertEquals(Tokens.FIRST_REGULAR, v.id(" "));
    assertEquals(8, v.size());
    assertEquals(v, Vocabulary.build(List.of(List.of("a", "b", " ", "c"))), "order of input does not matter");
  }

  @Test
  void encodeDecode() {
    Vocabulary v = Vocabulary.build(List.of(List.of("x", "y")));
    assertArrayEquals(new int[] {4, 5, 3}, v.encode(List.of("x", "y", "zzz")));
    assertEquals(List.of("y", "x", Vocabulary.UNKNOWN), v.decode(new int[] {1, 5, 4, 3, 2, 4, 0}));
    assertEquals(List.of(), v.decode(new int[] {}));
    assertThrows(IllegalArgumentException.class, () -> v.token(6));
  }

  @Test
  void saveLoadRoundTripKeepsWhitespaceTokens() throws IOException {
    Vocabulary v = Vocabulary.build(List.of(List.of(" ", "\t", "ä", "AH")));
    Path file = dir.resolve("vocab.txt");
    v.save(file);
    assertEquals(v, Vocabulary.load(file));
    assertEquals(v.size(), Files.readAllLines(file).size() + 0);
  }

  @Test
  void badVocabularyFiles() throws IOException {
    Path file = dir.resolve("bad.txt");
    Files.writeString(file, "a\nb\n");
    UserInputException e = assertThrows(UserInputException.class, () -> Vocabulary.load(file));
    assertTrue(e.getMessage().contains("bad.txt:1: not a vocabulary file"), e.getMessage());
    Files.writeString(file, "<pad>\n<s>\n</s>\n<unk>\nx\nx\n");
    e = assertThrows(UserInputException.class, () -> Vocabulary.load(file));
    assertTrue(e.getMessage().contains("duplicate token 'x'"), e.getMessage());
    assertThrows(UserInputException.class, () -> Vocabulary.load(dir.resolve("missing.txt")));
  }
}
