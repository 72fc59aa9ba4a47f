package org.seqrl.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random hypothesis / reference sets (fixed seed, small vocabulary with punctuation, numbers,
 * entities and non-ASCII, lengths from empty to long) scored by our code and by nltk, sacrebleu
 * and python-Levenshtein themselves, through metrics/src/test/python/reference_scores.py run
 * with the project's .venv. Fails, never skips, when the venv is missing.
 */
class PythonCrossCheckTest {
  static final int CASES = 300;
  static final String[] VOCAB = {
      "the", "cat", "dog", "sat", "on", "mat", "a", "is", "it", "red", ",", ".", "!", "?", "\"quoted\"",
      "3.5", "1,000", "x-ray", "2-3", "don't", "&amp;", "&lt;b&gt;", "(a)", "é", "naïve", "日本", "😀", "e.g.", "end."
  };

  static Path python() {
    String home = System.getProperty("seqrl.home", ".");
    Path py = Paths.get(home, ".venv", "bin", "python");
    if (!Files.isExecutable(py)) {
      fail("the cross-check needs the project's Python environment at " + py
          + " (nltk, sacrebleu, Levenshtein); create it with scripts/setup-python.sh (scripts/test.sh does this)");
    }
    return py;
  }

  static String sentence(Random rnd, int maxLen) {
    int len = rnd.nextInt(maxLen + 1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      if (i > 0) {
        int sep = rnd.nextInt(20);
        sb.append(sep == 0 ? "  " : sep == 1 ? "\u00a0" : " ");
      }
      sb.append(VOCAB[rnd.nextInt(rnd.nextBoolean() ? 8 : VOCAB.length)]);
    }
    return sb.toString();
  }

  /** A copy of the reference with a few token edits, so that higher-order n-grams match too. */
  static String perturb(Random rnd, String ref) {
    List<String> tokens = new ArrayList<>(List.of(PyText.split(ref)));
    int edits = rnd.nextInt(4);
    for (int e = 0; e < edits && !tokens.isEmpty(); e++) {
      int at = rnd.nextInt(tokens.size());
      switch (rnd.nextInt(3)) {
        case 0 -> tokens.remove(at);
        case 1 -> tokens.set(at, VOCAB[rnd.nextInt(VOCAB.length)]);
        default -> tokens.add(at, VOCAB[rnd.nextInt(VOCAB.length)]);
      }
    }
    return String.join(" ", tokens);
  }

  record Case(String hypothesis, List<String> references) {}

  static List<Case> generate() {
    Random rnd = new Random(20261122L);
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      int maxLen = i % 10 == 0 ? 45 : 14;
      List<String> refs = new ArrayList<>();
      int nrefs = 1 + rnd.nextInt(3);
      for (int r = 0; r < nrefs; r++) {
        refs.add(sentence(rnd, maxLen));
      }
      String hyp = rnd.nextInt(3) > 0 ? perturb(rnd, refs.get(rnd.nextInt(nrefs))) : sentence(rnd, maxLen);
      if (i % 37 == 0) {
        hyp = "";
      }
      if (i % 41 == 0) {
        refs.set(0, "");
      }
      cases.add(new Case(hyp, refs));
    }
    return cases;
  }

  int undefinedInNltk;
  int compared;

  void close(String what, JsonNode expected, double actual, List<String> failures) {
    if (expected.isNull()) {
      undefinedInNltk++;
      return;
    }
    close(what, expected.asDouble(), actual, failures);
  }

  void close(String what, double expected, double actual, List<String> failures) {
    compared++;
    if (!ReferenceVectorsTest.close(expected, actual) && failures.size() < 40) {
      failures.add(what + ": python " + expected + " java " + actual);
    }
  }

  @Test
  void agreesWithNltkSacrebleuAndLevenshtein(@TempDir Path dir) throws Exception {
    Path py = python();
    List<Case> cases = generate();
    ObjectMapper json = new ObjectMapper();
    Path in = dir.resolve("cases.jsonl");
    try (Writer w = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
      for (Case c : cases) {
        ObjectNode o = json.createObjectNode();
        o.put("hypothesis", c.hypothesis());
        o.putPOJO("references", c.references());
        w.write(json.writeValueAsString(o));
        w.write('\n');
      }
    }
    Path out = dir.resolve("scores.json");
    Path script = Paths.get(System.getProperty("seqrl.home", "."), "metrics", "src", "test", "python", "reference_scores.py");
    Process p = new ProcessBuilder(py.toString(), "-O", script.toString(), in.toString(), out.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("python.log").toFile()).start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "reference_scores.py did not finish in 5 minutes");
    assertEquals(0, p.exitValue(), () -> "reference_scores.py failed: " + readQuietly(dir.resolve("python.log")));
    JsonNode ref = json.readTree(out.toFile());

    List<String> failures = new ArrayList<>();
    double[] bigram = {0.5, 0.5};
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      JsonNode row = ref.get("sentences").get(i);
      String[] hyp = PyText.split(c.hypothesis());
      List<String[]> refs = new ArrayList<>();
      c.references().forEach(r -> refs.add(PyText.split(r)));
      String at = "case " + i + " " + c;
      for (NltkSmoothing s : NltkSmoothing.values()) {
        close(at + " nltk " + s, row.get("nltk").get(s.ordinal()),
            NltkBleu.sentenceBleu(hyp, refs, NltkBleu.uniformWeights(4), s), failures);
        close(at + " nltk bigram " + s, row.get("nltk_bigram").get(s.ordinal()),
            NltkBleu.sentenceBleu(hyp, refs, bigram, s), failures);
      }
      SacreSmoothing[] sm = SacreSmoothing.values();
      for (int k = 0; k < sm.length; k++) {
        close(at + " sacrebleu " + sm[k], row.get("sacrebleu").get(k).asDouble(),
            new SacreBleu(sm[k]).sentenceScore(c.hypothesis(), c.references()), failures);
      }
      close(at + " chrF", row.get("chrf").asDouble(), Chrf.sentenceScore(c.hypothesis(), c.references()), failures);
      close(at + " levenshtein", row.get("levenshtein").asDouble(), Levenshtein.minDistance(c.hypothesis(), c.references()), failures);
    }
    List<String[]> hyps = new ArrayList<>();
    List<List<String[]>> refsTok = new ArrayList<>();
    List<String> hypStrings = new ArrayList<>();
    List<List<String>> refStrings = new ArrayList<>();
    for (Case c : cases) {
      hyps.add(PyText.split(c.hypothesis()));
      List<String[]> rs = new ArrayList<>();
      c.references().forEach(r -> rs.add(PyText.split(r)));
      refsTok.add(rs);
      hypStrings.add(c.hypothesis());
      refStrings.add(c.references());
    }
    JsonNode corpus = ref.get("corpus");
    for (NltkSmoothing s : NltkSmoothing.values()) {
      close("corpus nltk " + s, corpus.get("nltk").get(s.ordinal()),
          NltkBleu.corpusBleu(hyps, refsTok, NltkBleu.uniformWeights(4), s), failures);
    }
    SacreSmoothing[] sm = SacreSmoothing.values();
    for (int k = 0; k < sm.length; k++) {
      SacreBleu bleu = new SacreBleu(sm[k]);
      close("corpus sacrebleu " + sm[k], corpus.get("sacrebleu").get(k).asDouble(), bleu.corpusScore(hypStrings, refStrings), failures);
      assertEquals(corpus.get("signature").get(k).asText(), bleu.signature(SacreBleu.nrefs(refStrings), false));
    }
    close("corpus chrF", corpus.get("chrf").asDouble(), Chrf.corpusScore(hypStrings, refStrings), failures);
    System.out.println("compared " + compared + " values; " + undefinedInNltk + " method6 values nltk does not define (ZeroDivisionError)");
    assertTrue(undefinedInNltk < CASES, "too few method6 cases were comparable: " + undefinedInNltk + " undefined");
    assertTrue(failures.isEmpty(), failures.size() + " disagreements (first 40):\n" + String.join("\n", failures));
  }

  static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
