package org.seqrl.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every case of the public reference vectors (nltk 3.8, sacrebleu 2.6.0, plain Levenshtein),
 * copied from shared/reference/ into test resources, must agree within relative 1e-9
 * (absolute 1e-12 near zero).
 */
class ReferenceVectorsTest {
  static final int EXPECTED_CASES = 1111;

  static List<JsonNode> cases() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    try (InputStream in = ReferenceVectorsTest.class.getResourceAsStream("/reference/bleu-vectors.jsonl");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          out.add(json.readTree(line));
        }
      }
    }
    return out;
  }

  static boolean close(double expected, double actual) {
    if (Double.isNaN(actual)) {
      return false;
    }
    double diff = Math.abs(expected - actual);
    return diff <= 1e-12 || diff <= 1e-9 * Math.abs(expected);
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static double[] weights(JsonNode options) {
    if (!options.has("weights")) {
      return NltkBleu.uniformWeights(4);
    }
    JsonNode w = options.get("weights");
    double[] out = new double[w.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = w.get(i).asDouble();
    }
    return out;
  }

  static double compute(JsonNode c) {
    String function = c.get("function").asText();
    JsonNode o = c.get("options");
    switch (c.get("library").asText() + "." + function) {
      case "nltk.sentence_bleu": {
        List<String[]> refs = new ArrayList<>();
        for (String r : strings(c.get("references"))) {
          refs.add(PyText.split(r));
        }
        return NltkBleu.sentenceBleu(PyText.split(c.get("hypothesis").asText()), refs, weights(o),
            NltkSmoothing.parse(o.get("smoothing").asText()));
      }
      case "nltk.corpus_bleu": {
        List<String[]> hyps = new ArrayList<>();
        for (String h : strings(c.get("hypotheses"))) {
          hyps.add(PyText.split(h));
        }
        List<List<String[]>> refs = new ArrayList<>();
        for (JsonNode rs : c.get("references")) {
          List<String[]> one = new ArrayList<>();
          for (String r : strings(rs)) {
            one.add(PyText.split(r));
          }
          refs.add(one);
        }
        return NltkBleu.corpusBleu(hyps, refs, weights(o), NltkSmoothing.parse(o.get("smoothing").asText()));
      }
      case "sacrebleu.sentence_score": {
        assertEquals("13a", o.get("tokenize").asText());
        assertTrue(o.get("effective_order").asBoolean());
        return new SacreBleu(SacreSmoothing.parse(o.get("smooth_method").asText()))
            .sentenceScore(c.get("hypothesis").asText(), strings(c.get("references")));
      }
      case "sacrebleu.corpus_score": {
        assertEquals("13a", o.get("tokenize").asText());
        List<List<String>> refs = new ArrayList<>();
        c.get("references").forEach(rs -> refs.add(strings(rs)));
        return new SacreBleu(SacreSmoothing.parse(o.get("smooth_method").asText()))
            .corpusScore(strings(c.get("hypotheses")), refs);
      }
      case "sacrebleu.chrf_sentence_score": {
        assertEquals(Chrf.CHAR_ORDER, o.get("char_order").asInt());
        assertEquals(0, o.get("word_order").asInt());
        assertEquals(Chrf.BETA, o.get("beta").asInt());
        return Chrf.sentenceScore(c.get("hypothesis").asText(), strings(c.get("references")));
      }
      case "reference.min_char_levenshtein":
        return Levenshtein.minDistance(c.get("hypothesis").asText(), strings(c.get("references")));
      default:
        throw new AssertionError("unknown case kind " + c.get("library") + "." + function);
    }
  }

  @Test
  void everyReferenceCaseAgrees() throws IOException {
    List<JsonNode> cases = cases();
    assertEquals(EXPECTED_CASES, cases.size(), "reference vectors should hold every case");
    TreeMap<String, int[]> byKind = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i);
      String kind = c.get("library").asText() + "." + c.get("function").asText()
          + (c.get("options").has("smoothing") ? "." + c.get("options").get("smoothing").asText() : "")
          + (c.get("options").has("smooth_method") ? "." + c.get("options").get("smooth_method").asText() : "");
      double expected = c.get("expected").asDouble();
      double actual = compute(c);
      int[] counts = byKind.computeIfAbsent(kind, k -> new int[2]);
      counts[1]++;
      if (close(expected, actual)) {
        counts[0]++;
      } else if (failures.size() < 30) {
        failures.add("line " + (i + 1) + " " + kind + ": expected " + expected + " got " + actual + " for " + c);
      }
    }
    StringBuilder summary = new StringBuilder();
    int passed = 0;
    for (var e : byKind.entrySet()) {
      summary.append(String.format("%-45s %4d/%4d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
      passed += e.getValue()[0];
    }
    System.out.println(summary);
    System.out.println("passed " + passed + "/" + cases.size());
    assertTrue(failures.isEmpty(), passed + "/" + cases.size() + " agree; first failures:\n" + String.join("\n", failures) + "\n" + summary);
  }
}
