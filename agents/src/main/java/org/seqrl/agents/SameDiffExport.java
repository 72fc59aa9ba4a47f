package org.seqrl.agents;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqrl.rl.SequencePolicy;

/**
 * A trained recurrent policy of either engine as a plain SameDiff inference graph: the graph
 * {@link SameDiffSeq2Seq} builds for the same config (inputs {@code source_ids}, {@code source_mask},
 * {@code decoder_input}, output {@code logits}), without SeqRL's loss or critic heads, holding the
 * trained weights. A fast-engine policy's weights go in by name, as {@code CrossEngineTest} checks
 * they may; a SameDiff-engine policy's by the same names. A DL4J program loads the file with
 * {@code SameDiff.load(file, false)} and needs nothing of SeqRL.
 */
public final class SameDiffExport {
  private SameDiffExport() {}

  /** Null when {@code cfg}'s model can be exported as a SameDiff graph, else what cannot, in one line. */
  public static String unsupported(Seq2SeqConfig cfg) {
    if (cfg.transformer() != null) {
      // the SameDiff transformer trains, but its export and the plain decoder are not tested yet
      return "export --format samediff does not build model.type transformer yet (recurrent models are)";
    }
    String parts = SameDiffSeq2Seq.unsupportedParts(withoutCritics(cfg));
    return parts == null ? null : "export --format samediff does not build " + parts;
  }

  /**
   * The inference graph of {@code cfg} over at most {@code maxSource} source tokens and
   * {@code maxTarget} decoder positions, with {@code trained}'s weights.
   *
   * @param trained a {@link Seq2SeqPolicy} or {@link SameDiffPolicy} built for {@code cfg}
   */
  public static SameDiff inferenceGraph(Seq2SeqConfig cfg, SequencePolicy trained, int maxSource, int maxTarget) {
    String why = unsupported(cfg);
    if (why != null) {
      throw new IllegalArgumentException(why);
    }
    SameDiff sd = SameDiffSeq2Seq.graph(withoutCritics(cfg), maxSource, maxTarget);
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() != VariableType.VARIABLE) {
        continue;
      }
      float[] w = weights(trained, v.name());
      INDArray arr = v.getArr();
      if (arr.length() != w.length) {
        throw new IllegalArgumentException("parameter '" + v.name() + "' has " + w.length + " values in the trained policy but "
            + arr.length() + " (shape " + Arrays.toString(arr.shape()) + ") in the graph built for its config");
      }
      arr.assign(Nd4j.create(w, arr.shape(), 'c'));
    }
    return sd;
  }

  /**
   * A user's graph (the file a {@link SameDiffPolicy} was built from, loaded afresh, so without
   * SeqRL's loss) holding {@code trained}'s values.
   */
  public static SameDiff userGraph(Path file, SameDiffPolicy trained) {
    SameDiff sd = SameDiff.load(file.toFile(), false);
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        float[] w = trained.values(v.name());
        v.getArr().assign(Nd4j.create(w, v.getArr().shape(), 'c'));
      }
    }
    return sd;
  }

  /** Writes {@code graph} as a SameDiff FlatBuffers file (no updater state), atomically. */
  public static void write(SameDiff graph, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      File f = tmp.toFile();
      graph.save(f, false);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static float[] weights(SequencePolicy trained, String name) {
    if (trained instanceof Seq2SeqPolicy p) {
      Params.Param param = p.params.get(name);
      if (param == null) {
        throw new IllegalArgumentException("the trained policy has no parameter '" + name + "'");
      }
      return param.value;
    }
    if (trained instanceof SameDiffPolicy p) {
      return p.values(name);
    }
    throw new IllegalArgumentException("cannot export a " + trained.getClass().getSimpleName()
        + "; expected a Seq2SeqPolicy or a SameDiffPolicy");
  }

  /**
   * The config of the decoding graph: critic heads, dropout and label smoothing are not part of it, and
   * the init scheme only chose values that the trained weights replace.
   */
  private static Seq2SeqConfig withoutCritics(Seq2SeqConfig cfg) {
    // every dropout (inverted: nothing to rescale) acts in training only; the decoding graph is the same without it
    return cfg.toBuilder().criticHeads(Set.of()).init(Seq2SeqConfig.Init.DEFAULT).dropout(0).embeddingDropout(0)
        .outputDropout(0).labelSmoothing(0).build();
  }
}
