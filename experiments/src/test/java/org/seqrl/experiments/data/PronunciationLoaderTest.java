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
