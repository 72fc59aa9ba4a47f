package org.seqrl.experiments.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.DataConfig;
import org.seqrl.experiments.config.SeqrlConfig;

/** Runs on the real CMU dictionary from the project's .venv (scripts/setup-python.sh). */
class PronunciationLoaderTest {

  private static DataConfig data(String... overrides) {
    List<String> all = new ArrayList<>(List.of("data.task=pronunciation"));
    all.addAll(List.of(overrides));
    return ConfigLoader.withOverrides(SeqrlConfig.defaults(), all).data();
  }

  private static Optional<Example> find(Dataset d, String word) {
    List<String> spelling = word.codePoints().mapToObj(Character::toString).toList();
    List<Example> all = new ArrayList<>(d.train());
    all.addAll(d.dev());
    all.addAll(d.test());
    return all.stream().filter(e -> e.source().equals(spelling)).findFirst();
  }

  private static Dataset full;

  private static synchronized Dataset full() {
    if (full == null) {
      full = Datasets.load(data("data.pronunciation.max_words=200000"), null, 1);
    }
    return full;
  }

  @Test
  void wordsWithSeveralPronunciationsHaveSeveralReferences() {
    Dataset d = full();
    Example either = find(d, "either").orElseThrow();
    assertTrue(either.references().contains(List.of("IY", "DH", "ER")), either.toString());
    assertTrue(either.references().contains(List.of("AY", "DH", "ER")), either.toString());
    Example tomato = find(d, "tomato").orElseThrow();
    assertTrue(tomato.references().size() >= 2, tomato.toString());
    assertTrue(find(d, "'bout").isEmpty(), "only alphabetic words");
    int total = d.train().size() + d.dev().size() + d.test().size();
    assertTrue(total > 100_000, "most of the dictionary: " + total);
    double trainShare = d.train().size() / (double) total;
    assertTrue(trainShare > 0.88 && trainShare < 0.92, "about 90% train: " + trainShare);
    assertEquals(TokenLevel.CHAR, d.level());
    assertTrue(d.targetVocab().contains("AY") && !d.targetVocab().contains("AY1"), "stress stripped");
  }

  @Test
  void stressKeptWhenAsked() {
    Dataset d = Datasets.load(data("data.pronunciation.strip_stress=false", "data.pronunciation.max_words=200000"),
        null, 1);
    assertTrue(find(d, "either").orElseThrow().references().contains(List.of("IY1", "DH", "ER0")));
  }

  @Test
  void subsetAndSplitAreDeterministicAndSeedIndependent() {
    DataConfig c = data("data.pronunciation.max_words=3000");
    Dataset a = Datasets.load(c, null, 1);
    Dataset b = Datasets.load(c, null, 999);
    assertEquals(a, b);
    assertTrue(a.train().size() + a.dev().size() + a.test().size() + a.skippedLines() == 3000);
    // The whole dictionary keeps each word of the subset in the same split.
    Dataset bigger = full();
    for (Example e : a.test()) {
      assertTrue(bigger.test().contains(e) || !bigger.train().contains(e), "test word moved to train: " + e);
    }
  }

  /** The (spelling, pronunciation) pairs of each split, from either direction's examples. */
  private static java.util.Set<List<List<String>>> pairs(List<Example> split, boolean spellingFirst) {
    java.util.Set<List<List<String>>> out = new java.util.HashSet<>();
    for (Example e : split) {
      for (List<String> ref : e.references()) {
        out.add(spellingFirst ? List.of(e.source(), ref) : List.of(ref, e.source()));
      }
    }
    return out;
  }

  /**
   * Phonemes to spelling is the same dictionary turned round: split by split, the same (spelling,
   * pronunciation) pairs; each pronunciation once per split, its homophones its references.
   */
  @Test
  void phonemesToSpellingHoldsTheSamePairsInTheSameSplits() {
    Dataset g2p = full();
    Dataset p2g = Datasets.load(data("data.pronunciation.max_words=200000",
        "data.pronunciation.direction=phonemes-to-spelling"), null, 1);
    assertEquals(pairs(g2p.train(), true), pairs(p2g.train(), false));
    assertEquals(pairs(g2p.dev(), true), pairs(p2g.dev(), false));
    assertEquals(pairs(g2p.test(), true), pairs(p2g.test(), false));
    for (List<Example> split : List.of(p2g.train(), p2g.dev(), p2g.test())) {
      assertEquals(split.size(), split.stream().map(Example::source).distinct().count(), "a pronunciation twice in a split");
    }
    List<String> r = List.of("R", "EH", "D");
    Example red = p2g.train().stream().filter(e -> e.source().equals(r)).findFirst()
        .or(() -> p2g.dev().stream().filter(e -> e.source().equals(r)).findFirst())
        .or(() -> p2g.test().stream().filter(e -> e.source().equals(r)).findFirst()).orElseThrow();
    assertTrue(red.references().contains(List.of("r", "e", "d")), red.toString());
    long homophones = p2g.train().stream().filter(e -> e.references().size() > 1).count();
    assertTrue(homophones > 1000, "pronunciations of several training words: " + homophones);
    assertTrue(p2g.sourceVocab().contains("AY") && p2g.targetVocab().contains("z"), "phonemes in, letters out");
    UserInputException bad = assertThrows(UserInputException.class,
        () -> data("data.pronunciation.direction=sideways"));
    assertTrue(bad.getMessage().contains("data.pronunciation.direction") && bad.getMessage().contains("phonemes-to-spelling"),
        bad.getMessage());
  }

  @Test
  void missingDictionarySaysHowToInstallIt(@TempDir Path empty) {
    String old = System.getProperty("seqrl.home");
    System.setProperty("seqrl.home", empty.toString());
    try {
      UserInputException e = assertThrows(UserInputException.class, () -> Datasets.load(data(), null, 1));
      assertTrue(e.getMessage().contains("cmudict.dict: not found"), e.getMessage());
      assertTrue(e.getMessage().contains("run scripts/setup-python.sh"), e.getMessage());
    } finally {
      if (old == null) {
        System.clearProperty("seqrl.home");
      } else {
        System.setProperty("seqrl.home", old);
      }
    }
  }
}
