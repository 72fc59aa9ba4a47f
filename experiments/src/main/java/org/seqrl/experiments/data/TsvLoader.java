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

  static Dataset load(DataConfig config, Path baseDir, long dataSeed) {
    TsvConfig tsv = config.tsv();
    Skips skips = new Skips();
    List<Example> all = read(resolve(baseDir, tsv.train()), config, skips);
    List<Example> dev = tsv.dev() == null ? null : read(resolve(baseDir, tsv.dev()), config, skips);
    List<Example> test = tsv.test() == null ? null : read(resolve(baseDir, tsv.test()), config, skips);
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
    List<List<String>> sources = train.stream().map(Example::source).toList();
    List<List<String>> targets = train.stream().flatMap(e -> e.references().stream()).toList();
    return new Dataset(train, dev, test, Vocabulary.build(sources), Vocabulary.build(targets), tsv.level(),
        skips.count, skips.reasons);
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

  static List<Example> read(Path file, DataConfig config, Skips skips) {
    List<String> lines = readLines(file);
    TsvConfig tsv = config.tsv();
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
        source = tokenize(fields[0], tsv.level());
        for (String field : Arrays.asList(fields).subList(1, fields.length)) {
          List<String> reference = tokenize(field, tsv.level());
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
      if (source.size() > config.maxSourceLength()) {
        skips.add(where + ": source has " + source.size() + " tokens > data.max_source_length "
            + config.maxSourceLength());
        continue;
      }
      List<List<String>> fitting = references.stream().filter(r -> r.size() <= config.maxTargetLength()).toList();
      if (fitting.isEmpty()) {
        skips.add(where + ": every reference is longer than data.max_target_length " + config.maxTargetLength());
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
    return trimmed.codePoints().mapToObj(Character::toString).toList();
  }
}
