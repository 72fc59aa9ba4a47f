package org.seqrl.experiments.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.DataConfig;
import org.seqrl.experiments.config.SeqrlConfig;

class TsvLoaderTest {
  @TempDir Path dir;

  private DataConfig config(String... overrides) throws IOException {
    Path yaml = dir.resolve("c.yaml");
    Files.writeString(yaml, "data:\n  task: tsv\n  tsv:\n    train: train.tsv\n");
    return ConfigLoader.load(yaml, List.of(overrides)).data();
  }

  private void train(String text) throws IOException {
    Files.writeString(dir.resolve("train.tsv"), text);
  }

  private static String lines(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("w").append(i).append('\t').append("W").append(i).append('\n');
    }
    return sb.toString();
  }

  @Test
  void charLevelWithSeveralReferencesAndMergedSources() throws IOException {
    train("ab\tAB\tA B\nab\tXY\ncd\tCD\n\nef\tEF\ngh\tGH\n");
    Dataset d = Datasets.load(config("data.tsv.dev_fraction=0", "data.tsv.test_fraction=0"), dir, 1);
    assertEquals(4, d.train().size());
    Example ab = d.train().stream().filter(e -> e.source().equals(List.of("a", "b"))).findFirst().orElseThrow();
    assertEquals(List.of(List.of("A", "B"), List.of("A", " ", "B"), List.of("X", "Y")), ab.references());
    assertEquals(TokenLevel.CHAR, d.level());
    assertEquals(0, d.skippedLines());
    assertTrue(d.dev().isEmpty());
    assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h"), d.sourceVocab().regularTokens());
  }

  @Test
  void wordLevel() throws IOException {
    train("the cat  sat\tle chat\n");
    Dataset d = Datasets.load(config("data.tsv.level=word", "data.tsv.dev_fraction=0", "data.tsv.test_fraction=0"),
        dir, 1);
    assertEquals(List.of("the", "cat", "sat"), d.train().get(0).source());
    assertEquals(List.of(List.of("le", "chat")), d.train().get(0).references());
  }

  @Test
  void splitBySeedIsDeterministicAndDisjoint() throws IOException {
    train(lines(100));
    DataConfig c = config("data.tsv.dev_fraction=0.1", "data.tsv.test_fraction=0.2");
    Dataset a = Datasets.load(c, dir, 5);
    assertEquals(70, a.train().size());
    assertEquals(10, a.dev().size());
    assertEquals(20, a.test().size());
    assertEquals(a, Datasets.load(c, dir, 5));
    assertTrue(!a.test().equals(Datasets.load(c, dir, 6).test()), "another seed, another split");
    Set<List<String>> seen = new HashSet<>();
    List<Example> all = new ArrayList<>(a.train());
    all.addAll(a.dev());
    all.addAll(a.test());
    all.forEach(e -> assertTrue(seen.add(e.source()), "each source in one split"));
  }

  @Test
  void devAndTestFilesWhenGiven() throws IOException {
    train(lines(10));
    Files.writeString(dir.resolve("dev.tsv"), "zz\tZZ\n");
    Files.writeString(dir.resolve("test.tsv"), "yy\tYY\nqq\tQQ\n");
    Dataset d = Datasets.load(config("data.tsv.dev=" + dir.resolve("dev.tsv"), "data.tsv.test=" + dir.resolve("test.tsv")),
        dir, 1);
    assertEquals(10, d.train().size());
    assertEquals(1, d.dev().size());
    assertEquals(2, d.test().size());
    // z is not in train: unknown id in the encoded dev split.
    assertEquals(org.seqrl.rl.Tokens.UNKNOWN, d.encode(d.dev()).sources()[0][0]);
  }

  @Test
  void badLinesAreErrorsNamingFileAndLine() throws IOException {
    train("ab\tAB\nno tab here\ncd\tCD\n");
    UserInputException e = assertThrows(UserInputException.class, () -> Datasets.load(config(), dir, 1));
    assertEquals(dir.resolve("train.tsv") + ":2: no tab; expected source<TAB>reference[<TAB>reference...] "
        + "(or set data.tsv.bad_lines: skip)", e.getMessage());
    train("ab\tAB\n\tEMPTY\n");
    e = assertThrows(UserInputException.class, () -> Datasets.load(config(), dir, 1));
    assertTrue(e.getMessage().contains("train.tsv:2: empty source"), e.getMessage());
    train("ab\tAB\ncd\t \n");
    e = assertThrows(UserInputException.class, () -> Datasets.load(config(), dir, 1));
    assertTrue(e.getMessage().contains("train.tsv:2: no non-empty reference"), e.getMessage());
  }

  @Test
  void badLinesSkippedAndCountedWhenAsked() throws IOException {
    StringBuilder sb = new StringBuilder(lines(20));
    for (int i = 0; i < 12; i++) {
      sb.append("broken line ").append(i).append('\n');
    }
    sb.append("x".repeat(41)).append("\tLONG\n");
    train(sb.toString());
    Dataset d = Datasets.load(config("data.tsv.bad_lines=skip"), dir, 1);
    assertEquals(20, d.train().size() + d.dev().size() + d.test().size());
    assertEquals(13, d.skippedLines());
    assertEquals(TsvLoader.MAX_REASONS, d.skipReasons().size());
    assertTrue(d.skipReasons().get(0).endsWith("train.tsv:21: no tab; expected source<TAB>reference[<TAB>reference...]"),
        d.skipReasons().get(0));
  }

  @Test
  void tooLongExamplesAreDroppedAndCounted() throws IOException {
    train(lines(10) + "abcdefgh\tX\n" + "ab\tABCDEFGHIJ\n");
    Dataset d = Datasets.load(config("data.max_source_length=6", "data.max_target_length=6"), dir, 1);
    assertEquals(10, d.train().size() + d.dev().size() + d.test().size());
    assertEquals(2, d.skippedLines());
    assertTrue(d.skipReasons().get(0).contains(":11: source has 8 tokens > data.max_source_length 6"));
  }

  @Test
  void unreadableFiles() throws IOException {
    UserInputException e = assertThrows(UserInputException.class, () -> Datasets.load(config(), dir, 1));
    assertEquals(dir.resolve("train.tsv") + ": TSV file not found; expected a file of source<TAB>reference lines",
        e.getMessage());
    Files.write(dir.resolve("train.tsv"), new byte[] {'a', '\t', (byte) 0xff, (byte) 0xfe, '\n'});
    e = assertThrows(UserInputException.class, () -> Datasets.load(config(), dir, 1));
    assertTrue(e.getMessage().endsWith("train.tsv: not UTF-8 text; expected a UTF-8 file of source<TAB>reference lines"));
    train("\n\n");
    e = assertThrows(UserInputException.class, () -> Datasets.load(config(), dir, 1));
    assertTrue(e.getMessage().contains("no training examples left"), e.getMessage());
  }

  @Test
  void shippedExampleLoads() {
    Path home = Path.of(System.getProperty("seqrl.home", ".."));
    SeqrlConfig c = ConfigLoader.load(home.resolve("examples/tsv.yaml"), List.of());
    Dataset d = Datasets.load(c.data(), null, Seeds.derive(c.seed(), Seeds.DATA));
    assertEquals(200, d.train().size() + d.dev().size() + d.test().size());
    assertEquals(0, d.skippedLines());
    assertTrue(d.train().stream().anyMatch(e -> e.references().size() == 2));
  }
}
