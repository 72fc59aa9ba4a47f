package org.seqrl.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.train.CliRuns;
import org.seqrl.experiments.train.CliRuns.Result;

/** {@code seqrl score} in-process on real files, against nltk / sacrebleu / python-Levenshtein run from .venv. */
class ScoreCommandTest {
  static Path home() {
    return Paths.get(System.getProperty("seqrl.home", "."));
  }

  /** Every expected output, keyed like "bleu method1", "sacrebleu exp corpus", "chrf", "levenshtein". */
  static JsonNode python(Path hyps, Path refs) throws Exception {
    Path py = home().resolve(".venv/bin/python");
    if (!Files.isExecutable(py)) {
      fail("needs the project's Python environment at " + py + "; create it with scripts/setup-python.sh (scripts/test.sh does this)");
    }
    List<String> cmd = List.of(py.toString(), "-O", home().resolve("experiments/src/test/python/score_reference.py").toString(),
        hyps.toString(), refs.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), out);
    return new ObjectMapper().readTree(out);
  }

  static List<String> lines(JsonNode expected, String key) {
    List<String> out = new ArrayList<>();
    assertTrue(expected.has(key), "python gave no " + key);
    expected.get(key).forEach(n -> out.add(n.asText()));
    return out;
  }

  static void writeRandomFiles(Path hyps, Path refs) throws Exception {
    String[] vocab = {"the", "cat", "sat", "on", "mat", "a", ",", ".", "don't", "3.5", "é", "&amp;", "x-y"};
    Random rnd = new Random(11);
    StringBuilder h = new StringBuilder();
    StringBuilder r = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      h.append(words(rnd, vocab, i % 17 == 0 ? 0 : 12)).append('\n');
      int nrefs = 1 + rnd.nextInt(3);
      for (int k = 0; k < nrefs; k++) {
        r.append(k > 0 ? "\t" : "").append(words(rnd, vocab, 12));
      }
      r.append('\n');
    }
    Files.writeString(hyps, h.toString());
    Files.writeString(refs, r.toString());
  }

  static String words(Random rnd, String[] vocab, int max) {
    StringBuilder sb = new StringBuilder();
    int n = max == 0 ? 0 : rnd.nextInt(max + 1);
    for (int i = 0; i < n; i++) {
      sb.append(i > 0 ? " " : "").append(vocab[rnd.nextInt(rnd.nextBoolean() ? 5 : vocab.length)]);
    }
    return sb.toString();
  }

  static void assertSameScores(List<String> expected, String actualOut, String what) {
    List<String> actual = actualOut.lines().toList();
    assertEquals(expected.size(), actual.size(), what + ": line count");
    for (int i = 0; i < expected.size(); i++) {
      double e = Double.parseDouble(expected.get(i));
      double a = Double.parseDouble(actual.get(i));
      double diff = Math.abs(e - a);
      assertTrue(diff <= 1e-12 || diff <= 1e-9 * Math.abs(e),
          what + " line " + (i + 1) + ": python prints " + expected.get(i) + ", seqrl " + actual.get(i));
    }
  }

  @Test
  void agreesWithTheReferenceLibraries(@TempDir Path dir) throws Exception {
    Path hyps = dir.resolve("hyps.txt");
    Path refs = dir.resolve("refs.txt");
    writeRandomFiles(hyps, refs);
    JsonNode expected = python(hyps, refs);
    int compared = 0;
    for (String corpus : new String[] {"", " corpus"}) {
      List<String> extra = corpus.isEmpty() ? List.of() : List.of("--corpus");
      for (int m = 0; m < 8; m++) {
        List<String> args = new ArrayList<>(List.of("score", "--metric", "bleu", "--hyps", hyps.toString(), "--refs", refs.toString(), "--smoothing", "method" + m));
        args.addAll(extra);
        Result r = CliRuns.seqrl(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        if (m == 6) {
          continue; // nltk raises on some of these inputs (see metrics' PythonCrossCheckTest)
        }
        assertSameScores(lines(expected, "bleu method" + m + corpus), r.out(), "bleu method" + m + corpus);
        compared++;
      }
      for (String s : new String[] {"exp", "floor", "add-k", "none"}) {
        List<String> args = new ArrayList<>(List.of("score", "--metric", "sacrebleu", "--hyps", hyps.toString(), "--refs", refs.toString(), "--smooth-method", s));
        args.addAll(extra);
        Result r = CliRuns.seqrl(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertSameScores(lines(expected, "sacrebleu " + s + corpus), r.out(), "sacrebleu " + s + corpus);
        compared++;
      }
      for (String metric : new String[] {"chrf", "levenshtein"}) {
        List<String> args = new ArrayList<>(List.of("score", "--metric", metric, "--hyps", hyps.toString(), "--refs", refs.toString()));
        args.addAll(extra);
        Result r = CliRuns.seqrl(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertSameScores(lines(expected, metric + corpus), r.out(), metric + corpus);
        if (metric.equals("levenshtein") && corpus.isEmpty()) {
          assertEquals(lines(expected, metric), r.out().lines().toList(), "levenshtein prints the same text");
        }
        compared++;
      }
    }
    assertEquals(26, compared);
  }

  /**
   * The peers' printed text, not just their values: on these pairs Java's Math.exp / Math.log rounded
   * differently from the C library's that Python calls (test resources score-exact/README.md).
   */
  @Test
  void printsThePeersTextExactly() throws Exception {
    Path dir = Paths.get(ScoreCommandTest.class.getResource("/score-exact/hyps.txt").toURI()).getParent();
    String[][] cases = {{"nltk-method1.txt", "bleu", "--smoothing", "method1"}, {"sacrebleu-exp.txt", "sacrebleu"}};
    for (String[] c : cases) {
      List<String> args = new ArrayList<>(List.of("score", "--metric"));
      args.addAll(List.of(c).subList(1, c.length));
      args.addAll(List.of("--hyps", dir.resolve("hyps.txt").toString(), "--refs", dir.resolve("refs.txt").toString()));
      Result r = CliRuns.seqrl(args.toArray(String[]::new));
      assertEquals(0, r.code(), r.err());
      List<String> expected = Files.readAllLines(dir.resolve(c[0]), StandardCharsets.UTF_8);
      assertEquals(100, expected.size(), c[0]);
      assertEquals(expected, r.out().lines().toList(), c[0]);
    }
  }

  @Test
  void scoringInParallelPrintsWhatOneThreadPrints(@TempDir Path dir) throws Exception {
    // Enough lines for the parallel path, and not a whole number of chunks.
    int n = 5 * ScoreCommand.CHUNK + 123;
    String[] vocab = {"the", "cat", "sat", "on", "mat", "a", ",", ".", "don't", "3.5", "é", "&amp;", "x-y", "dog"};
    Random rnd = new Random(5);
    StringBuilder h = new StringBuilder();
    StringBuilder r = new StringBuilder();
    for (int i = 0; i < n; i++) {
      h.append(words(rnd, vocab, 15)).append('\n');
      r.append(words(rnd, vocab, 15)).append(i % 3 == 0 ? "\t" + words(rnd, vocab, 15) : "").append('\n');
    }
    Path hyps = Files.writeString(dir.resolve("h.txt"), h.toString());
    Path refs = Files.writeString(dir.resolve("r.txt"), r.toString());
    for (String[] metric : new String[][] {{"bleu", "--smoothing", "method1"}, {"sacrebleu"}, {"chrf"}, {"levenshtein"}}) {
      String one = null;
      for (String threads : new String[] {"1", "2", "3"}) {
        List<String> args = new ArrayList<>(List.of("score", "--metric"));
        args.addAll(List.of(metric));
        args.addAll(List.of("--hyps", hyps.toString(), "--refs", refs.toString(), "--threads", threads));
        Result res = CliRuns.seqrl(args.toArray(String[]::new));
        assertEquals(0, res.code(), res.err());
        assertEquals(n, res.out().lines().count(), metric[0]);
        if (one == null) {
          one = res.out();
        } else {
          assertEquals(one, res.out(), metric[0] + " with " + threads + " threads");
        }
      }
    }
    Result bad = CliRuns.seqrl("score", "--metric", "bleu", "--hyps", hyps.toString(), "--refs", refs.toString(), "--threads", "-1");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--threads: -1 is not a thread count"), bad.err());
  }

  @Test
  void printsLikePythonRepr() {
    assertEquals("0.25406637407730737", PythonFloat.repr(0.25406637407730737));
    assertEquals("7.262123179505913e-78", PythonFloat.repr(7.262123179505913e-78));
    assertEquals("1e-05", PythonFloat.repr(1e-5));
    assertEquals("0.0001", PythonFloat.repr(1e-4));
    assertEquals("100.0", PythonFloat.repr(100.0));
    assertEquals("1e+16", PythonFloat.repr(1e16));
    assertEquals("1234567890123456.0", PythonFloat.repr(1234567890123456.0));
    assertEquals("0.0", PythonFloat.repr(0.0));
    assertEquals("2.2250738585072014e-308", PythonFloat.repr(Double.MIN_NORMAL));
  }

  @Test
  void readsCrLfLinesAndALastLineWithoutNewline(@TempDir Path dir) throws Exception {
    Path hyps = dir.resolve("h.txt");
    Path refs = dir.resolve("r.txt");
    // CRLF ends, an empty hypothesis, no newline after the last line; a lone \r is part of its line
    Files.writeString(hyps, "a b\r\n\r\nc d\r\ne\rf");
    Files.writeString(refs, "a c\nx\r\nc\r\ne\rf\n");
    Result r = CliRuns.seqrl("score", "--metric", "levenshtein", "--hyps", hyps.toString(), "--refs", refs.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of("1", "1", "2", "0"), r.out().lines().toList());
  }

  @Test
  void badInputIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
    Path hyps = dir.resolve("h.txt");
    Path refs = dir.resolve("r.txt");
    Files.writeString(hyps, "a b\nc\n");
    Files.writeString(refs, "a b\n");
    assertError(CliRuns.seqrl("score", "--metric", "bleu", "--hyps", hyps.toString(), "--refs", refs.toString()), "has 2 lines but --refs");
    assertError(CliRuns.seqrl("score", "--metric", "bleu", "--hyps", dir.resolve("missing.txt").toString(), "--refs", refs.toString()), "does not exist");
    assertError(CliRuns.seqrl("score", "--metric", "blue", "--hyps", hyps.toString(), "--refs", refs.toString()), "expected one of bleu, sacrebleu, chrf, levenshtein");
    assertError(CliRuns.seqrl("score", "--metric", "bleu", "--hyps", hyps.toString(), "--refs", refs.toString(), "--frobnicate"), "Unknown option");
    assertError(CliRuns.seqrl("score", "--metric", "bleu", "--smoothing", "method9", "--hyps", hyps.toString(), "--refs", refs.toString()), "method0");
    assertError(CliRuns.seqrl("score", "--metric", "sacrebleu", "--smooth-method", "ceil", "--hyps", hyps.toString(), "--refs", refs.toString()), "exp, floor, add-k, none");
    assertError(CliRuns.seqrl("score", "--metric", "bleu", "--weights", "0.5,x", "--hyps", hyps.toString(), "--refs", refs.toString()), "'x'");
    assertError(CliRuns.seqrl("score", "--metric", "chrf", "--smoothing", "method1", "--hyps", hyps.toString(), "--refs", refs.toString()), "bleu only");
    Files.write(refs, new byte[] {(byte) 0xff, '\n', 'a', '\n'});
    assertError(CliRuns.seqrl("score", "--metric", "bleu", "--hyps", hyps.toString(), "--refs", refs.toString()), "not valid UTF-8");
  }

  static void assertError(Result r, String mentions) {
    assertEquals(2, r.code(), "exit code for: " + r.err());
    String first = r.err().lines().findFirst().orElse("");
    assertTrue(first.startsWith("seqrl: ") && first.contains(mentions), "first error line should mention '" + mentions + "': " + r.err());
    assertEquals("", r.out());
  }

  @Test
  void scoresTheExampleFiles() {
    Path hyps = home().resolve("examples/score/hyps.txt");
    Path refs = home().resolve("examples/score/refs.txt");
    Result r = CliRuns.seqrl("score", "--metric", "bleu", "--smoothing", "method1", "--hyps", hyps.toString(), "--refs", refs.toString());
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(5, lines.size());
    // the README case of nltk's test suite: 0.2540663740773074 for "the cat sat on the mat" vs two references
    assertEquals("0.0", lines.get(2), "an empty hypothesis scores 0");
    Result sig = CliRuns.seqrl("score", "--metric", "sacrebleu", "--corpus", "--signature", "--hyps", hyps.toString(), "--refs", refs.toString());
    assertEquals("nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", sig.out().lines().toList().get(1));
  }
}
