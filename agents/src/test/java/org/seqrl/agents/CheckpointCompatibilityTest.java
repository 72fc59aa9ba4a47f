package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints written by the engine before it was split into parts (issue 14; commit 556dbdd, by
 * {@link MakeCheckpoints}) load into today's engine and compute
 * what that engine computed from them: greedy decodes and log-probabilities, critic values, beam
 * search, a sample from the restored random state, and one further MLE step from the restored Adam moments.
 */
class CheckpointCompatibilityTest {
  private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9.E-]*");

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(CheckpointCompatibilityTest.class.getResource("/checkpoints/" + name).toURI());
  }

  @ParameterizedTest
  @ValueSource(strings = {"lstm-additive", "gru-dot"})
  void aCheckpointFromBeforeThePartsComputesWhatItDidThen(String name) throws IOException, URISyntaxException {
    List<String> expected = Files.readAllLines(resource(name + ".expected.txt"));
    Seq2SeqConfig saved = Seq2SeqConfig.fromProperties(properties(resource(name).resolve("model.properties")));
    StringWriter text = new StringWriter();
    try (Seq2SeqPolicy p = new Seq2SeqPolicy(saved.toBuilder().seed(1).build()); PrintWriter out = new PrintWriter(text)) {
      p.restore(resource(name));
      MakeCheckpoints.describe(p, out);
    }
    List<String> actual = text.toString().lines().toList();
    assertEquals(expected.size(), actual.size(), "lines of " + name);
    for (int i = 0; i < expected.size(); i++) {
      String e = expected.get(i);
      String a = actual.get(i);
      // tokens must match exactly; numbers to float32 rounding (sums may be taken in another order)
      assertEquals(NUMBER.matcher(e).replaceAll("#"), NUMBER.matcher(a).replaceAll("#"), name + ": " + a);
      Matcher me = NUMBER.matcher(e);
      Matcher ma = NUMBER.matcher(a);
      while (me.find() && ma.find()) {
        double x = Double.parseDouble(me.group());
        double y = Double.parseDouble(ma.group());
        if (e.contains("tokens") || e.contains("hypotheses")) {
          assertEquals(x, y, 0, name + ": " + e.substring(0, e.indexOf(' ')));
        } else {
          assertEquals(x, y, 1e-5 * (1 + Math.abs(x)), name + ": " + e.substring(0, e.indexOf(' ')) + "\nexpected " + e + "\nactual   " + a);
        }
      }
    }
  }

  private static java.util.Properties properties(Path f) throws IOException {
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newInputStream(f)) {
      p.load(in);
    }
    return p;
  }
}
