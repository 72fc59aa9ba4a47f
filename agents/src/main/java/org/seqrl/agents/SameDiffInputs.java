package org.seqrl.agents;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.seqrl.rl.Tokens;

/** How {@link SameDiffPolicy} feeds its graph: token rows padded to the placeholders, the source mask, array conversions. */
final class SameDiffInputs {
  private final SameDiff sd;
  private final String sourceIds;
  private final String sourceMask;
  private final String decoderInput;

  SameDiffInputs(SameDiff sd, String sourceIds, String sourceMask, String decoderInput) {
    this.sd = sd;
    this.sourceIds = sourceIds;
    this.sourceMask = sourceMask;
    this.decoderInput = decoderInput;
  }

  static String requirePlaceholder(SameDiff sd, String role, String name) {
    if (name == null || !sd.hasVariable(name) || !sd.isPlaceHolder(name)) {
      throw new IllegalArgumentException(role + ": '" + name + "' is not a placeholder of the graph; placeholders: "
          + sd.inputs());
    }
    return name;
  }

  static String requireVariable(SameDiff sd, String role, String name) {
    if (name == null || !sd.hasVariable(name)) {
      throw new IllegalArgumentException(role + ": '" + name + "' is not a variable of the graph");
    }
    return name;
  }

  /** Placeholder length along axis 1: fixed (> 0) or the batch's own ({@code need}). */
  private int width(String placeholder, int need, String what) {
    long[] shape = sd.getVariable(placeholder).getShape();
    if (shape == null || shape.length < 2 || shape[1] <= 0) {
      return Math.max(1, need);
    }
    if (need > shape[1]) {
      throw new IllegalArgumentException(what + " of length " + need + " do not fit the graph's placeholder '" + placeholder
          + "' of length " + shape[1] + "; build the graph for longer sequences or lower the maximum length");
    }
    return (int) shape[1];
  }

  private INDArray ids(String placeholder, int[][] rows, int width) {
    int[][] a = new int[rows.length][width];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, a[i], 0, rows[i].length);
    }
    INDArray x = Nd4j.createFromArray(a);
    DataType want = sd.getVariable(placeholder).dataType();
    return want == DataType.INT ? x : x.castTo(want);
  }


  /** The three graph inputs for decoder rows reading {@code sources} and decoder inputs {@code inputs} (START first). */
  Map<String, INDArray> inputs(int[][] sources, int[][] inputs) {
    int t = 0;
    for (int[] y : inputs) {
      t = Math.max(t, y.length);
    }
    Map<String, INDArray> ph = sources(sources);
    ph.put(decoderInput, ids(decoderInput, inputs, width(decoderInput, t, "decoder inputs")));
    return ph;
  }

  /** The source ids and mask alone, what an encoder (or a step graph) reads. */
  Map<String, INDArray> sources(int[][] sources) {
    int s = 0;
    for (int[] x : sources) {
      s = Math.max(s, x.length);
    }
    int sw = width(sourceIds, s, "sources");
    float[][] mask = new float[sources.length][sw];
    for (int i = 0; i < sources.length; i++) {
      Arrays.fill(mask[i], 0, sources[i].length, 1f);
    }
    Map<String, INDArray> ph = new LinkedHashMap<>();
    ph.put(sourceIds, ids(sourceIds, sources, sw));
    INDArray m = Nd4j.createFromArray(mask);
    DataType mt = sd.getVariable(sourceMask).dataType();
    ph.put(sourceMask, mt == DataType.FLOAT ? m : m.castTo(mt));
    return ph;
  }

  /** A row of token ids {@code [R]} in the data type of placeholder {@code name}. */
  INDArray tokenRow(String name, int[] ids) {
    INDArray x = Nd4j.createFromArray(ids);
    DataType want = sd.getVariable(name).dataType();
    return want == DataType.INT ? x : x.castTo(want);
  }

  /** Decoder inputs of teacher forcing: START, then each row's tokens but its last. */
  static int[][] shifted(int[][] tokens, int[] lengths) {
    int[][] in = new int[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      int n = Math.max(1, lengths[i]);
      in[i] = new int[n];
      in[i][0] = Tokens.START;
      System.arraycopy(tokens[i], 0, in[i], 1, n - 1);
    }
    return in;
  }

  static float[] floats(INDArray a) {
    return a.castTo(DataType.FLOAT).dup('c').reshape(a.length()).toFloatVector();
  }
}
