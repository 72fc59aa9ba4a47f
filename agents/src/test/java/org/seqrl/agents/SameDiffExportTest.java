package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.Rollout;

/** The exported decoding graph: what it leaves out, what it refuses, and that a saved one decodes as the policy did. */
class SameDiffExportTest {
  @TempDir Path tmp;

  private static final int[][] SOURCES = {{4, 5, 6}, {7, 4}, {5, 5, 6, 7}, {6}};

  /**
   * A fast-engine policy with critic heads and a non-default init (neither is in a decoding graph)
   * and moved weights: the graph written to a file and loaded back decodes the same tokens.
   */
  @Test
  void aSavedGraphOfAFastPolicyDecodesAsThePolicy() throws IOException {
    Seq2SeqConfig cfg = Seq2SeqConfig.builder(8, 8).embedding(5).hidden(6).cell(CellType.GRU).attention(Attention.ADDITIVE)
        .attentionSize(4).criticHeads(EnumSet.allOf(CriticHead.class))
        .init(new Seq2SeqConfig.Init(Seq2SeqConfig.InitScheme.ORTHOGONAL, 1.0, 1.0)).seed(3).build();
    assertNull(SameDiffExport.unsupported(cfg));
    try (Seq2SeqPolicy fast = new Seq2SeqPolicy(cfg)) {
      Random r = new Random(11);
      for (Params.Param p : fast.params.all()) {
        for (int i = 0; i < p.value.length; i++) {
          p.value[i] += (float) (0.3 * r.nextGaussian());
        }
      }
      fast.params.markChanged();
      Path file = tmp.resolve("model.sd");
      SameDiffExport.write(SameDiffExport.inferenceGraph(cfg, fast, 4, 7), file);
      SameDiff loaded = SameDiff.load(file.toFile(), false);
      try (SameDiffPolicy reloaded = SameDiffPolicy.builder(loaded, 8).build()) {
        Rollout a = fast.greedy(SOURCES, 7);
        Rollout b = reloaded.greedy(SOURCES, 7);
        for (int i = 0; i < SOURCES.length; i++) {
          assertArrayEquals(a.hypothesis(i), b.hypothesis(i), "row " + i);
        }
        // critic heads stay behind: the fast policy has them, the graph does not
        assertEquals(true, fast.params.all().stream().anyMatch(p -> p.name.startsWith("vseq.")));
        assertEquals(java.util.List.of(), reloaded.variableNames().stream().filter(n -> n.startsWith("vs")).toList());
      }
    }
  }

  /**
   * Dropout acts in training only: a policy trained with every dropout key exports as its decoding
   * graph, whose greedy tokens and log-probabilities are the fast engine's evaluation-mode ones.
   * (model.dropout acts between stacked layers, so here, with one layer each, only the embedding and
   * output dropout drew masks in training; the export must not refuse the key either way.)
   */
  @Test
  void aPolicyTrainedWithDropoutExportsItsDecodingGraph() throws IOException {
    Seq2SeqConfig cfg = Seq2SeqConfig.builder(8, 8).embedding(5).hidden(6).cell(CellType.LSTM).attention(Attention.ADDITIVE)
        .dropout(0.3).embeddingDropout(0.2).outputDropout(0.2).seed(5).build();
    assertNull(SameDiffExport.unsupported(cfg));
    try (Seq2SeqPolicy fast = new Seq2SeqPolicy(cfg)) {
      int[][] targets = {{6, 5, 4}, {4, 7}, {7, 6, 5, 5}, {6}};
      OptimizerSettings opt = new OptimizerSettings(0.05, 1.0);
      for (int step = 0; step < 20; step++) {
        fast.mleStep(SOURCES, targets, opt);
      }
      Path file = tmp.resolve("dropout.sd");
      SameDiffExport.write(SameDiffExport.inferenceGraph(cfg, fast, 4, 7), file);
      try (SameDiffPolicy reloaded = SameDiffPolicy.builder(SameDiff.load(file.toFile(), false), 8).build()) {
        Rollout a = fast.greedy(SOURCES, 7);
        Rollout b = reloaded.greedy(SOURCES, 7);
        for (int i = 0; i < SOURCES.length; i++) {
          assertArrayEquals(a.hypothesis(i), b.hypothesis(i), "row " + i);
          assertArrayEquals(a.logProbs()[i], b.logProbs()[i], 1e-5, "log-probabilities of row " + i);
        }
      }
    }
  }

  @Test
  void whatTheGraphDoesNotBuildIsNamed() {
    Seq2SeqConfig dot = Seq2SeqConfig.builder(8, 8).embedding(5).hidden(6).attention(Attention.DOT).encoderLayers(2).build();
    assertEquals("export --format samediff does not build model.encoder_layers 2 (1 is), model.attention dot (none and"
        + " additive are)", SameDiffExport.unsupported(dot));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SameDiffExport.inferenceGraph(dot, null, 4, 7));
    assertEquals(SameDiffExport.unsupported(dot), e.getMessage());
    // a stacked model trained with dropout is refused for its layers; the SameDiff engine, which would train it, names both
    Seq2SeqConfig stacked = Seq2SeqConfig.builder(8, 8).embedding(5).hidden(6).decoderLayers(2).dropout(0.3).build();
    assertEquals("export --format samediff does not build model.decoder_layers 2 (1 is)", SameDiffExport.unsupported(stacked));
    assertEquals("model.engine samediff does not build model.dropout 0.3, model.decoder_layers 2 (1 is)",
        SameDiffSeq2Seq.unsupported(stacked));
    // the SameDiff engine trains a transformer, but its export is not built (nor its plain decoding tested)
    Seq2SeqConfig transformer = Seq2SeqConfig.builder(8, 8).transformer(new Seq2SeqConfig.Transformer(1, 1, 2, 6, 10, 0.0,
        Seq2SeqConfig.Norm.PRE, Seq2SeqConfig.PositionKind.SINUSOIDAL, true)).build();
    assertNull(SameDiffSeq2Seq.unsupported(transformer));
    assertEquals("export --format samediff does not build model.type transformer yet (recurrent models are)",
        SameDiffExport.unsupported(transformer));
  }
}
