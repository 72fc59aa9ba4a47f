package org.seqrl.experiments.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.BadLines;
import org.seqrl.experiments.config.DataConfig;
import org.seqrl.experiments.config.TsvConfig;

/**
 * Reads {@code source<TAB>reference[<TAB>reference...]} files. Lines with the same source are merged
 * into one example with all their references, so that a split never puts one source on both sides.
 * Blank lines are ignored; a line without a tab or with an empty source or references is bad (an
 * error, or skipped and counted under bad_lines: skip); an example longer than the max lengths is
 * dropped and counted.
 */
final class TsvLoader {
  /** How many skip reasons a dataset keeps: enough to see the pattern, not a second copy of the file. */
  static final int MAX_REASONS = 10;

  private TsvLoader() {}

  /** Accumulates skipped lines across the files of one dataset. */
  static final class Skips {
    int count;
    final List<String> reasons = new ArrayList<>();

    void add(String reason) {
      count++;
      if (reasons.size() < MAX_REASONS) {
        reasons.add(reason);
      }
    }
  }

  /** The tokenizer files of a bpe dataset, in the run's tokenizer folder and in each checkpoint. */
  static final String SOURCE_TOKENIZER = "source-tokenizer.json";
  static final String TARGET_TOKENIZER = "target-tokenizer.json";

  /**
   * @param tokenizerDir for bpe: where the tokenizers are, or are trained into when absent (null: a
   *     temporary folder); ignored for char and word
   */
  static Dataset load(DataConfig config, Path baseDir, long dataSeed, Path tokenizerDir) {
    TsvConfig tsv = config.tsv();
    boolean bpe = tsv.level() == TokenLevel.BPE;
    // Subwords need the training split first (the tokenizer is trained on it): read words, without
    // the length limits, which count subword tokens and are applied once the tokenizer exists.
    TokenLevel readLevel = bpe ? TokenLevel.WORD : tsv.level();
    int maxSource = bpe ? Integer.MAX_VALUE : config.maxSourceLength();
    int maxTarget = bpe ? Integer.MAX_VALUE : config.maxTargetLength();
    Skips skips = new Skips();
    List<Example> all = read(resolve(baseDir, tsv.train()), tsv, readLevel, maxSource, maxTarget, skips);
    List<Example> dev = tsv.dev() == null ? null
        : read(resolve(baseDir, tsv.dev()), tsv, readLevel, maxSource, maxTarget, skips);
    List<Example> test = tsv.test() == null ? null
        : read(resolve(baseDir, tsv.test()), tsv, readLevel, maxSource, maxTarget, skips);
    List<Example> train = all;
    if (dev == null || test == null) {
      // Split off what is missing, by seed, from the train file.
      List<Example> shuffled = new ArrayList<>(all);
      Collections.shuffle(shuffled, new Random(Seeds.derive(dataSeed, "tsv-split")));
      int n = shuffled.size();
      int nTest = test == null ? splitSize(n, tsv.testFraction()) : 0;
      int nDev = dev == null ? splitSize(n, tsv.devFraction()) : 0;
      if (test == null) {
        test = new ArrayList<>(shuffled.subList(0, nTest));
      }
      if (dev == null) {
        dev = new ArrayList<>(shuffled.subList(nTest, nTest + nDev));
      }
      train = new ArrayList<>(shuffled.subList(nTest + nDev, n));
    }
    if (train.isEmpty()) {
      throw new UserInputException(resolve(baseDir, tsv.train()) + ": no training examples left ("
          + all.size() + " read, " + skips.count + " lines skipped); expected source<TAB>reference lines");
    }
    if (bpe) {
      return subwords(config, train, dev, test, tokenizerDir, skips);
    }
    List<List<String>> sources = train.stream().map(Example::source).toList();
    List<List<String>> targets = train.stream().flatMap(e -> e.references().stream()).toList();
    return new Dataset(train, dev, test, Vocabulary.build(sources), Vocabulary.build(targets), tsv.level(),
        skips.count, skips.reasons);
  }

  /** Word examples to subword examples, with tokenizers trained on the training split (or loaded when saved). */
  private static Dataset subwords(DataConfig config, List<Example> train, List<Example> dev, List<Example> test,
      Path tokenizerDir, Skips skips) {
    Path dir = tokenizerDir;
    try {
      if (dir == null) {
        dir = Files.createTempDirectory("seqrl-tokenizer-");
        dir.toFile().deleteOnExit();
      }
    } catch (IOException e) {
      throw new UserInputException("data.tsv.level: bpe: cannot make a folder for the tokenizer (" + e.getMessage() + ")");
    }
    int vocabSize = config.tsv().vocabSize();
    SubwordTokenizer source = tokenizer(dir.resolve(SOURCE_TOKENIZER), vocabSize,
        train.stream().map(e -> String.join(" ", e.source())).toList());
    SubwordTokenizer target = tokenizer(dir.resolve(TARGET_TOKENIZER), vocabSize,
        train.stream().flatMap(e -> e.references().stream()).map(r -> String.join(" ", r)).toList());
    Vocabulary sourceVocab = vocabulary(source);
    Vocabulary targetVocab = vocabulary(target);
    return new Dataset(subwords(train, source, target, config, skips), subwords(dev, source, target, config, skips),
        subwords(test, source, target, config, skips), sourceVocab, targetVocab, TokenLevel.BPE, skips.count,
        skips.reasons, source, target);
  }

  private static SubwordTokenizer tokenizer(Path file, int vocabSize, List<String> texts) {
    if (Files.isRegularFile(file)) {
      // A run that is resumed or evaluated encodes its data with the tokenizer it was trained with.
      return SubwordTokenizer.load(file);
    }
    return SubwordTokenizer.train(texts, vocabSize, file);
  }

  private static Vocabulary vocabulary(SubwordTokenizer tokenizer) {
    try {
      return Vocabulary.ofOrdered(tokenizer.vocabulary());
    } catch (IllegalArgumentException e) {
      throw new UserInputException(tokenizer.file() + ": the tokenizer has a token that SeqRL reserves ("
          + e.getMessage() + "); expected data without the markers <pad>, <s>, </s>, <unk> as words");
    }
  }

  private static List<Example> subwords(List<Example> examples, SubwordTokenizer source, SubwordTokenizer target,
      DataConfig config, Skips skips) {
    List<Example> out = new ArrayList<>();
    for (Example e : examples) {
      String sourceText = String.join(" ", e.source());
      List<String> sourceTokens = source.tokenize(sourceText);
      if (sourceTokens.size() > config.maxSourceLength()) {
        skips.add("'" + shorten(sourceText) + "': source has " + sourceTokens.size()
            + " subword tokens > data.max_source_length " + config.maxSourceLength());
        continue;
      }
      List<List<String>> references = new ArrayList<>();
      for (List<String> words : e.references()) {
        List<String> tokens = target.tokenize(String.join(" ", words));
        if (tokens.size() <= config.maxTargetLength()) {
          references.add(tokens);
        }
      }
      if (references.isEmpty()) {
        skips.add("'" + shorten(sourceText) + "': every reference is longer than data.max_target_length "
            + config.maxTargetLength() + " subword tokens");
        continue;
      }
      out.add(new Example(sourceTokens, references));
    }
    return out;
  }

  private static String shorten(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }

  /** At least one example in a split with a positive fraction, as long as two are left for training. */
  static int splitSize(int n, double fraction) {
    if (fraction <= 0) {
      return 0;
    }
    int k = (int) Math.round(n * fraction);
    return Math.max(0, Math.min(Math.max(1, k), n - 2));
  }

  static Path resolve(Path baseDir, Path file) {
    return baseDir == null || file.isAbsolute() ? file : baseDir.resolve(file);
  }

  static List<Example> read(Path file, TsvConfig tsv, TokenLevel level, int maxSource, int maxTarget, Skips skips) {
    List<String> lines = readLines(file);
    Map<List<String>, List<List<String>>> bySource = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String where = file + ":" + (i + 1);
      if (line.isBlank()) {
        continue;
      }
      String problem = null;
      String[] fields = line.split("\t", -1);
      List<String> source = null;
      List<List<String>> references = new ArrayList<>();
      if (fields.length < 2) {
        problem = "no tab; expected source<TAB>reference[<TAB>reference...]";
      } else {
        source = tokenize(fields[0], level);
        for (String field : Arrays.asList(fields).subList(1, fields.length)) {
          List<String> reference = tokenize(field, level);
          if (!reference.isEmpty()) {
            references.add(reference);
          }
        }
        if (source.isEmpty()) {
          problem = "empty source; expected source<TAB>reference with a non-empty source";
        } else if (references.isEmpty()) {
          problem = "no non-empty reference; expected source<TAB>reference[<TAB>reference...]";
        }
      }
      if (problem != null) {
        if (tsv.badLines() == BadLines.ERROR) {
          throw new UserInputException(where + ": " + problem + " (or set data.tsv.bad_lines: skip)");
        }
        skips.add(where + ": " + problem);
        continue;
      }
      if (source.size() > maxSource) {
        skips.add(where + ": source has " + source.size() + " tokens > data.max_source_length " + maxSource);
        continue;
      }
      List<List<String>> fitting = references.stream().filter(r -> r.size() <= maxTarget).toList();
      if (fitting.isEmpty()) {
        skips.add(where + ": every reference is longer than data.max_target_length " + maxTarget);
        continue;
      }
      List<List<String>> merged = bySource.computeIfAbsent(source, s -> new ArrayList<>());
      for (List<String> reference : fitting) {
        if (!merged.contains(reference)) {
          merged.add(reference);
        }
      }
    }
    List<Example> examples = new ArrayList<>();
    bySource.forEach((source, refs) -> examples.add(new Example(source, refs)));
    return examples;
  }

  /** The file as lines, strictly UTF-8, so that a binary or wrongly encoded file is reported, not garbled. */
  private static List<String> readLines(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UserInputException(file + ": TSV file not found; expected a file of source<TAB>reference lines");
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read TSV file (" + e.getMessage()
          + "); expected a readable file of source<TAB>reference lines");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new UserInputException(file + ": not UTF-8 text; expected a UTF-8 file of source<TAB>reference lines");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r?\n", -1)));
    return lines;
  }

  /** Characters (code points, spaces dropped at the ends) or whitespace-separated words. */
  static List<String> tokenize(String text, TokenLevel level) {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return List.of();
    }
    if (level == TokenLevel.WORD) {
      return List.of(trimmed.split("\\s+"));
    }
    if (level == TokenLevel.BPE) {
      throw new IllegalArgumentException("subword tokens come from the dataset's tokenizer, not from tokenize()");
    }
    return trimmed.codePoints().mapToObj(Character::toString).toList();
  }
}
