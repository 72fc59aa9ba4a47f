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

  @Test
  void whatTheGraphDoesNotBuildIsNamed() {
    Seq2SeqConfig dot = Seq2SeqConfig.builder(8, 8).embedding(5).hidden(6).attention(Attention.DOT).encoderLayers(2).build();
    assertEquals("export --format samediff does not build model.encoder_layers 2 (1 is), model.attention dot (none and"
        + " additive are)", SameDiffExport.unsupported(dot));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SameDiffExport.inferenceGraph(dot, null, 4, 7));
    assertEquals(SameDiffExport.unsupported(dot), e.getMessage());
    // the SameDiff engine trains a transformer, but its export is not built (nor its plain decoding tested)
    Seq2SeqConfig transformer = Seq2SeqConfig.builder(8, 8).transformer(new Seq2SeqConfig.Transformer(1, 1, 2, 6, 10, 0.0,
        Seq2SeqConfig.Norm.PRE, Seq2SeqConfig.PositionKind.SINUSOIDAL, true)).build();
    assertNull(SameDiffSeq2Seq.unsupported(transformer));
    assertEquals("export --format samediff does not build model.type transformer yet (recurrent models are)",
        SameDiffExport.unsupported(transformer));
  }
}
