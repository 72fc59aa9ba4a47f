package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.agents.SameDiffExport;
import org.seqrl.agents.SameDiffPolicy;
import org.seqrl.agents.Seq2SeqConfig;
import org.seqrl.agents.Seq2SeqPolicy;
import org.seqrl.experiments.config.GraphConfig;
import org.seqrl.experiments.config.GraphConfig.StepState;
import org.seqrl.experiments.config.InvalidConfigException;
import org.seqrl.rl.Rollout;

/**
 * {@code model.graph_names.step_*}: a saved graph's own step graph (here the one the shipped GRU with
 * additive attention carries, saved as an export) decodes as re-running the prefix does, and names
 * that are not in the file are refused by their key.
 */
class UserStepGraphTest {
  @TempDir Path tmp;

  private static final int[][] SOURCES = {{4, 5, 6}, {7, 4}, {5, 5, 6, 7}};

  private Path savedGraph() throws Exception {
    Seq2SeqConfig cfg = Seq2SeqConfig.builder(9, 9).embedding(5).hidden(6)
        .attention(Seq2SeqConfig.Attention.ADDITIVE).attentionSize(4).seed(4).build();
    Path file = tmp.resolve("gru.sd");
    try (Seq2SeqPolicy trained = new Seq2SeqPolicy(cfg)) {
      SameDiffExport.write(SameDiffExport.inferenceGraph(cfg, trained, 4, 6), file);
    }
    return file;
  }

  private static Map<String, StepState> states(String hidden, String next) {
    Map<String, StepState> m = new LinkedHashMap<>();
    m.put(hidden, new StepState("decoder_initial_h", next));
    m.put("step_encoder_outputs", new StepState("encoder_outputs", null));
    m.put("step_attention_keys", new StepState("attention_keys", null));
    return m;
  }

  private static GraphConfig names(Path file, Map<String, StepState> states) {
    return new GraphConfig(file, "source_ids", "source_mask", "decoder_input", "logits", null, null,
        states == null ? null : "step_previous", states == null ? null : "step_logits", states);
  }

  private static SameDiffPolicy policy(GraphConfig g) {
    return UserGraph.policy(g, "scst", Set.of(), 9, 4, 6, 1L);
  }

  @Test
  void aUserStepGraphDecodesAsThePrefixDoes() throws Exception {
    Path file = savedGraph();
    try (SameDiffPolicy step = policy(names(file, states("step_h", "step_h_next")));
        SameDiffPolicy prefix = policy(names(file, null))) {
      assertTrue(step.hasStepGraph());
      assertFalse(prefix.hasStepGraph());
      Rollout a = step.sample(SOURCES, 2, 1.0, 6, 8L);
      Rollout b = prefix.sample(SOURCES, 2, 1.0, 6, 8L);
      for (int i = 0; i < a.rows(); i++) {
        assertArrayEquals(b.tokens()[i], a.tokens()[i], "sampled tokens of row " + i);
        assertArrayEquals(b.logProbs()[i], a.logProbs()[i], 1e-5, "log-probabilities of row " + i);
      }
      assertArrayEquals(prefix.beamSearch(SOURCES, 3, 6), step.beamSearch(SOURCES, 3, 6));
    }
  }

  @Test
  void stepNamesThatAreNotInTheFileAreNamedByTheirKey() throws Exception {
    Path file = savedGraph();
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> policy(names(file, states("step_hidden", "step_h_next"))));
    assertEquals("model.graph_names.step_states.step_hidden", e.key());
    assertTrue(e.getMessage().contains("'step_hidden' is not a placeholder of '" + file + "'"), e.getMessage());
    e = assertThrows(InvalidConfigException.class, () -> policy(names(file, states("step_h", "h_after"))));
    assertEquals("model.graph_names.step_states.step_h.next", e.key());
    e = assertThrows(InvalidConfigException.class, () -> policy(names(file, states("step_h", null))));
    assertEquals("model.graph_names.step_states", e.key());
    assertTrue(e.getMessage().contains("no state has a next output"), e.getMessage());
  }
}
