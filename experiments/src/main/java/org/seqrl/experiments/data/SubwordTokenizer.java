package org.seqrl.experiments.data;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.seqrl.experiments.cli.UserInputException;

/**
 * A byte-level BPE tokenizer of HuggingFace {@code tokenizers}: trained by that library's Python package
 * in the project's .venv ({@code python/train_tokenizer.py}), and loaded here through DJL's binding of
 * the same Rust library, whose jar carries the native code (nothing is downloaded at run time). Byte-level
 * means no text is out of vocabulary and {@code detokenize(tokenize(x)).equals(x)} for every string.
 *
 * <p>Tokens are the tokenizer's own strings ({@code "Ġthe"}); {@link #vocabulary()} lists them in the
 * tokenizer's id order, so that a {@link Vocabulary} made from it maps one to one.
 */
public final class SubwordTokenizer implements AutoCloseable {
  /** The 256 byte symbols are the initial alphabet; a smaller vocabulary could not be honoured. */
  public static final int MIN_VOCAB_SIZE = 256;
  private static final long TRAIN_TIMEOUT_MINUTES = 30;

  private final Path file;
  private final HuggingFaceTokenizer tokenizer;
  private final List<String> vocabulary;
  private final Map<String, Integer> ids = new HashMap<>();

  private SubwordTokenizer(Path file, HuggingFaceTokenizer tokenizer, List<String> vocabulary) {
    this.file = file;
    this.tokenizer = tokenizer;
    this.vocabulary = List.copyOf(vocabulary);
    for (int i = 0; i < this.vocabulary.size(); i++) {
      ids.put(this.vocabulary.get(i), i);
    }
  }

  /**
   * Trains on {@code texts} (one example side a line) with at most {@code vocabSize} tokens and writes
   * the tokenizer to {@code file} ({@code tokenizer.json} format).
   */
  public static SubwordTokenizer train(Collection<String> texts, int vocabSize, Path file) {
    Path root = PronunciationLoader.projectRoot();
    Path python = root.resolve(".venv/bin/python");
    Path script = root.resolve("python/train_tokenizer.py");
    if (!Files.isExecutable(python) || !Files.isRegularFile(script)) {
      throw new UserInputException("data.tsv.level: bpe trains its tokenizer with " + python + " and " + script
          + ", which are missing; run scripts/setup-python.sh in " + root);
    }
    Path input = null;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      input = Files.createTempFile("seqrl-bpe-", ".txt");
      Files.writeString(input, String.join("\n", texts) + "\n", StandardCharsets.UTF_8);
      Path log = Files.createTempFile("seqrl-bpe-", ".log");
      Process p = new ProcessBuilder(python.toString(), script.toString(), input.toString(), file.toString(),
          Integer.toString(vocabSize)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(TRAIN_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new UserInputException("data.tsv.level: bpe: training the tokenizer took over " + TRAIN_TIMEOUT_MINUTES
            + " minutes; expected a training split that fits, or a smaller one");
      }
      String output = Files.readString(log).strip();
      Files.deleteIfExists(log);
      if (p.exitValue() != 0) {
        String last = output.isEmpty() ? "no output" : output.substring(output.lastIndexOf('\n') + 1);
        throw new UserInputException("data.tsv.level: bpe: " + script + " failed (exit " + p.exitValue() + ": " + last
            + "); run scripts/setup-python.sh to install the tokenizers package");
      }
    } catch (IOException e) {
      throw new UserInputException("data.tsv.level: bpe: cannot train the tokenizer into " + file + " ("
          + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training the tokenizer", e);
    } finally {
      if (input != null) {
        try {
          Files.deleteIfExists(input);
        } catch (IOException e) {
          // A leftover temporary file is harmless.
        }
      }
    }
    return load(file);
  }

  /** Loads a tokenizer written by {@link #train}. */
  public static SubwordTokenizer load(Path file) {
    List<String> vocabulary = readVocabulary(file);
    try {
      // No special tokens, padding or truncation: SeqRL adds its own start/end ids and limits lengths itself.
      HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(file,
          Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
      return new SubwordTokenizer(file, t, vocabulary);
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(file + ": cannot load the tokenizer (" + e.getMessage()
          + "); expected a tokenizer.json written by seqrl for data.tsv.level: bpe");
    }
  }

  /** model.vocab of tokenizer.json, in id order; ids must be 0..n-1. */
  private static List<String> readVocabulary(Path file) {
    JsonNode vocab;
    try {
      vocab = new ObjectMapper().readTree(file.toFile()).path("model").path("vocab");
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read the tokenizer (" + e.getMessage()
          + "); expected a tokenizer.json written by seqrl for data.tsv.level: bpe");
    }
    if (!vocab.isObject() || vocab.isEmpty()) {
      throw new UserInputException(file + ": no model.vocab; expected a BPE tokenizer.json written by seqrl");
    }
    String[] tokens = new String[vocab.size()];
    var fields = vocab.fields();
    while (fields.hasNext()) {
      var f = fields.next();
      int id = f.getValue().asInt(-1);
      if (id < 0 || id >= tokens.length || tokens[id] != null) {
        throw new UserInputException(file + ": model.vocab gives '" + f.getKey() + "' the id " + f.getValue()
            + "; expected each id 0.." + (tokens.length - 1) + " once");
      }
      tokens[id] = f.getKey();
    }
    return Arrays.asList(tokens);
  }

  /** The tokens of {@code text}; empty for blank text. */
  public List<String> tokenize(String text) {
    if (text.isEmpty()) {
      return List.of();
    }
    return List.of(tokenizer.encode(text, false, false).getTokens());
  }

  /** The text of tokens from {@link #tokenize}. */
  public String detokenize(List<String> tokens) {
    long[] hf = new long[tokens.size()];
    for (int i = 0; i < hf.length; i++) {
      Integer id = ids.get(tokens.get(i));
      if (id == null) {
        throw new IllegalArgumentException("'" + tokens.get(i) + "' is not a token of " + file);
      }
      hf[i] = id;
    }
    return hf.length == 0 ? "" : tokenizer.decode(hf, false);
  }

  /** Every token, in the tokenizer's id order. */
  public List<String> vocabulary() {
    return vocabulary;
  }

  /** Where this tokenizer is stored. */
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  @Override
  public String toString() {
    return "SubwordTokenizer(" + file + ", " + vocabulary.size() + " tokens)";
  }

  /** Copies the tokenizer file into {@code dir} under its own name. */
  void copyTo(Path dir) throws IOException {
    Files.copy(file, dir.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
