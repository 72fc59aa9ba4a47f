package org.seqrl.experiments.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.DataConfig;
import org.seqrl.rl.Tokens;

/** data.tsv.level: bpe: HuggingFace tokenizers trained in the project's .venv, used through DJL. */
class SubwordTokenizerTest {
  @TempDir Path dir;

  private static final Path HOME = Path.of(System.getProperty("seqrl.home", ".."));

  /** Real text of this project: its docs and data files, line by line. */
  private static List<String> realLines() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> docs = Files.list(HOME.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    files.add(HOME.resolve("README.md"));
    files.add(HOME.resolve("examples/data/translit.tsv"));
    files.add(HOME.resolve("examples/score/hyps.txt"));
    files.add(HOME.resolve("examples/score/refs.txt"));
    List<String> lines = new ArrayList<>();
    for (Path f : files) {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        // Fields as the TSV loader sees them: split at tabs, no newline inside.
        lines.addAll(List.of(line.split("\t")));
      }
    }
    return lines;
  }

  @Test
  void detokenizeInvertsTokenizeOnRealTextAndOnTextItNeverSaw() throws IOException {
    List<String> lines = realLines();
    assertTrue(lines.size() > 1000, "enough real text: " + lines.size());
    // Trained on half the lines; the round trip must hold on the other half (unseen) too.
    List<String> trainHalf = new ArrayList<>();
    for (int i = 0; i < lines.size(); i += 2) {
      trainHalf.add(lines.get(i));
    }
    try (SubwordTokenizer t = SubwordTokenizer.train(trainHalf, 2000, dir.resolve("t.json"))) {
      List<String> hard = List.of("", " ", "  two  spaces ", "naïve café, Ça va? — ok", "日本語のテキスト", "emoji 🙂👍🏽",
          "combining e\u0301", "tab\tinside", "<s> </s> <unk> <pad>", "mixed\u00a0nbsp", "x".repeat(500));
      int tokens = 0;
      int chars = 0;
      for (String x : Stream.concat(lines.stream(), hard.stream()).toList()) {
        List<String> pieces = t.tokenize(x);
        assertEquals(x, t.detokenize(pieces), "round trip of '" + x + "'");
        tokens += pieces.size();
        chars += x.length();
      }
      // Subwords, not characters: merges learned on English text shorten it a lot.
      assertTrue(tokens < chars / 2.5, tokens + " tokens for " + chars + " characters");
    }
  }

  @Test
  void theVocabularySizeIsHonouredAndTheFileLoadsToTheSameTokenizer() throws IOException {
    List<String> lines = realLines();
    for (int size : new int[] {300, 1500}) {
      Path file = dir.resolve("v" + size + ".json");
      try (SubwordTokenizer t = SubwordTokenizer.train(lines, size, file);
           SubwordTokenizer again = SubwordTokenizer.load(file)) {
        assertEquals(size, t.vocabulary().size(), "enough text to reach the size asked for");
        assertEquals(t.vocabulary(), again.vocabulary());
        String x = "Rewards are pure functions of the hypothesis and its references.";
        assertEquals(t.tokenize(x), again.tokenize(x));
      }
    }
    // Too little text for the size asked: fewer tokens, never more.
    try (SubwordTokenizer t = SubwordTokenizer.train(List.of("ab ab ab", "abc"), 5000, dir.resolve("small.json"))) {
      assertTrue(t.vocabulary().size() < 5000 && t.vocabulary().size() >= SubwordTokenizer.MIN_VOCAB_SIZE,
          "size " + t.vocabulary().size());
    }
  }

  private DataConfig config(String... overrides) throws IOException {
    Path yaml = dir.resolve("c.yaml");
    Files.writeString(yaml, "data:\n  task: tsv\n  tsv:\n    train: train.tsv\n    level: bpe\n    vocab_size: 300\n");
    return ConfigLoader.load(yaml, List.of(overrides)).data();
  }

  private void writeTrain() throws IOException {
    StringBuilder b = new StringBuilder();
    String[] words = {"the", "cat", "dog", "sat", "on", "mat", "log", "a", "big", "small", "red", "house"};
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < 300; i++) {
      StringBuilder s = new StringBuilder();
      int n = 2 + r.nextInt(5);
      for (int k = 0; k < n; k++) {
        s.append(k == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
      }
      b.append(s).append('\t').append(new StringBuilder(s).reverse()).append('\n');
    }
    Files.writeString(dir.resolve("train.tsv"), b.toString());
  }

  @Test
  void aBpeDatasetIsEncodedWithTokenizersTrainedOnTrainAndSavedForTheRun() throws IOException {
    writeTrain();
    Path tokenizers = dir.resolve("tok");
    DataConfig c = config();
    List<String> firstTrainTokens;
    try (Dataset d = Datasets.load(c, dir, 5, tokenizers)) {
      assertEquals(TokenLevel.BPE, d.level());
      assertTrue(Files.isRegularFile(tokenizers.resolve("source-tokenizer.json")));
      assertTrue(Files.isRegularFile(tokenizers.resolve("target-tokenizer.json")));
      // Every tokenizer token has an id (so nothing is unknown), after the 4 reserved ones.
      assertEquals(d.targetTokenizer().vocabulary().size() + Tokens.FIRST_REGULAR, d.targetVocab().size());
      assertTrue(d.targetVocab().size() <= 300 + Tokens.FIRST_REGULAR);
      Example e = d.test().get(0);
      assertTrue(e.source().size() < String.join(" ", e.source()).length(), "merges shorten the words: " + e.source());
      // The text of encoded ids is the reference as written.
      int[] ids = d.targetVocab().encode(e.references().get(0));
      for (int id : ids) {
        assertNotEquals(Tokens.UNKNOWN, id);
      }
      assertEquals(d.targetTokenizer().detokenize(e.references().get(0)), d.targetText(ids));
      assertFalse(d.targetText(ids).isBlank());
      firstTrainTokens = d.train().get(0).source();
    }
    // A resumed or evaluated run reads the saved tokenizers, even when the training file has changed since.
    long before = Files.getLastModifiedTime(tokenizers.resolve("source-tokenizer.json")).toMillis();
    try (Dataset d = Datasets.load(c, dir, 5, tokenizers)) {
      assertEquals(firstTrainTokens, d.train().get(0).source());
      assertEquals(before, Files.getLastModifiedTime(tokenizers.resolve("source-tokenizer.json")).toMillis());
    }
  }

  @Test
  void badSettingsGetOneLine() throws IOException {
    writeTrain();
    UserInputException e = assertThrows(UserInputException.class, () -> config("data.tsv.vocab_size=100"));
    assertTrue(e.getMessage().contains("data.tsv.vocab_size") && e.getMessage().contains("100")
        && e.getMessage().contains(">= 256"), e.getMessage());
    Files.writeString(dir.resolve("broken.json"), "{\"model\": {}}");
    UserInputException u = assertThrows(UserInputException.class, () -> SubwordTokenizer.load(dir.resolve("broken.json")));
    assertTrue(u.getMessage().startsWith(dir.resolve("broken.json") + ": no model.vocab"), u.getMessage());
    assertFalse(u.getMessage().contains("\n"));
  }
}
