package org.seqrl.agents;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a {@link Dl4jNetworkPolicy}'s rows of tokens become its network's input ids: the source
 * left-padded with PAD to {@code maxSource}, then target tokens as ids {@code sourceVocab + y}.
 */
record Dl4jLayout(int sourceVocab, int maxSource) {
  /** {@code [R, maxSource]}: each source left-padded with PAD. */
  INDArray sourceBlock(int[][] sources, DataType type) {
    double[][] x = new double[sources.length][maxSource];
    for (int i = 0; i < sources.length; i++) {
      int[] s = sources[i];
      if (s.length > maxSource) {
        throw new IllegalArgumentException("a source of " + s.length + " tokens is longer than the network's maxSource "
            + maxSource);
      }
      for (int t = 0; t < s.length; t++) {
        x[i][maxSource - s.length + t] = s[t];
      }
    }
    return Nd4j.create(x).castTo(type);
  }

  /** {@code [R, 1]}: target tokens as input ids. */
  INDArray targetStep(int[] tokens, DataType type) {
    double[][] x = new double[tokens.length][1];
    for (int i = 0; i < tokens.length; i++) {
      x[i][0] = sourceVocab + tokens[i];
    }
    return Nd4j.create(x).castTo(type);
  }

  /** {@code [R, maxSource + T]}: sources, then decoder inputs (START and the previous tokens, padded with PAD). */
  INDArray rows(int[][] sources, int[][] decoderInputs, int t, DataType type) {
    double[][] x = new double[sources.length][maxSource + t];
    INDArray src = sourceBlock(sources, DataType.DOUBLE);
    for (int i = 0; i < sources.length; i++) {
      for (int k = 0; k < maxSource; k++) {
        x[i][k] = src.getDouble(i, k);
      }
      for (int k = 0; k < t; k++) {
        x[i][maxSource + k] = sourceVocab + (k < decoderInputs[i].length ? decoderInputs[i][k] : 0);
      }
    }
    return Nd4j.create(x).castTo(type);
  }
}
