package org.seqrl.agents;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The trainable variables of a {@link SameDiffPolicy}'s graph with their Adam moments: the Adam step
 * and the {@code params.bin} file of a checkpoint (values and moments of every variable, in graph order).
 */
final class SameDiffVariables {
  private static final int MAGIC = 0x53515244; // "SQRD"

  private final SameDiff sd;
  /** The graph's trainable variables, in graph order (the order of the checkpoint file). */
  private final List<String> trainable;
  private final Map<String, float[]> adamM = new LinkedHashMap<>();
  private final Map<String, float[]> adamV = new LinkedHashMap<>();

  /** The graph's VARIABLE-type variables as they are now (before SeqRL's loss is added). */
  SameDiffVariables(SameDiff sd) {
    this.sd = sd;
    List<String> vars = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        if (v.dataType() != DataType.FLOAT) {
          throw new IllegalArgumentException("trainable variable '" + v.name() + "' is " + v.dataType()
              + "; the SameDiff engine trains float32 variables only");
        }
        vars.add(v.name());
        long n = v.getArr().length();
        adamM.put(v.name(), new float[(int) n]);
        adamV.put(v.name(), new float[(int) n]);
      }
    }
    if (vars.isEmpty()) {
      throw new IllegalArgumentException("the graph has no trainable variables (VariableType.VARIABLE)");
    }
    this.trainable = List.copyOf(vars);
  }

  List<String> names() {
    return trainable;
  }

  /** Number of values of trainable variable {@code name}. */
  int length(String name) {
    return adamM.get(name).length;
  }

  /** Sets a trainable variable's values (row-major), e.g. weights trained elsewhere. */
  void setValues(String name, float[] values) {
    if (!adamM.containsKey(name)) {
      throw new IllegalArgumentException("no trainable variable '" + name + "'; variables: " + trainable);
    }
    INDArray arr = sd.getVariable(name).getArr();
    if (arr.length() != values.length) {
      throw new IllegalArgumentException("variable '" + name + "' has " + arr.length() + " values (shape "
          + Arrays.toString(arr.shape()) + "), got " + values.length);
    }
    arr.assign(Nd4j.create(values, arr.shape(), 'c'));
  }

  /** A trainable variable's values, row-major. */
  float[] values(String name) {
    if (!adamM.containsKey(name)) {
      throw new IllegalArgumentException("no trainable variable '" + name + "'; variables: " + trainable);
    }
    return SameDiffInputs.floats(sd.getVariable(name).getArr());
  }

  /** The fast engine's Adam ({@code Params.adam}), term for term, so that both engines take the same step. */
  void adam(Map<String, float[]> grads, double lr, long t, double scale) {
    double b1 = 0.9;
    double b2 = 0.999;
    float stepSize = (float) (lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t)));
    float s = (float) scale;
    float fb1 = (float) b1;
    float fb2 = (float) b2;
    float eps = 1e-8f;
    for (String name : trainable) {
      INDArray arr = sd.getVariable(name).getArr();
      float[] w = SameDiffInputs.floats(arr);
      float[] g = grads.get(name);
      float[] m = adamM.get(name);
      float[] v = adamV.get(name);
      for (int i = 0; i < w.length; i++) {
        m[i] = fb1 * m[i] + (1 - fb1) * (g[i] * s);
        v[i] = fb2 * v[i] + (1 - fb2) * (g[i] * s) * (g[i] * s);
        w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) + eps);
      }
      arr.assign(Nd4j.create(w, arr.shape(), 'c'));
    }
  }

  /** Writes every trainable variable's name, shape, values and Adam moments (float bits) to {@code file}. */
  void write(Path file) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
      out.writeInt(MAGIC);
      out.writeInt(trainable.size());
      for (String name : trainable) {
        out.writeUTF(name);
        long[] shape = sd.getVariable(name).getArr().shape();
        out.writeInt(shape.length);
        for (long d : shape) {
          out.writeLong(d);
        }
        for (float[] a : List.of(values(name), adamM.get(name), adamV.get(name))) {
          for (float x : a) {
            out.writeInt(Float.floatToRawIntBits(x));
          }
        }
      }
    }
  }

  /**
   * Reads a file {@link #write} wrote, checking names and shapes against the graph, without changing
   * anything: {@link #apply} installs what it returns (values, first and second moment per variable).
   */
  Map<String, float[][]> read(Path bin) throws IOException {
    Map<String, float[][]> staged = new LinkedHashMap<>();
    try (InputStream is = Files.newInputStream(bin);
        DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(bin + " is not a SeqRL SameDiff parameter file");
      }
      int n = in.readInt();
      if (n != trainable.size()) {
        throw new IOException(bin + " holds " + n + " variables, the graph has " + trainable.size() + ": " + trainable);
      }
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        if (!adamM.containsKey(name)) {
          throw new IOException(bin + ": unknown variable '" + name + "'; the graph's variables: " + trainable);
        }
        long[] shape = new long[in.readInt()];
        for (int k = 0; k < shape.length; k++) {
          shape[k] = in.readLong();
        }
        long[] expected = sd.getVariable(name).getArr().shape();
        if (!Arrays.equals(shape, expected)) {
          throw new IOException(bin + ": variable '" + name + "' has shape " + Arrays.toString(shape) + ", expected "
              + Arrays.toString(expected));
        }
        int len = adamM.get(name).length;
        float[][] three = new float[3][len];
        for (float[] a : three) {
          for (int k = 0; k < len; k++) {
            a[k] = Float.intBitsToFloat(in.readInt());
          }
        }
        staged.put(name, three);
      }
    }
    return staged;
  }

  /** Installs what {@link #read} returned. */
  void apply(Map<String, float[][]> staged) {
    staged.forEach((name, three) -> {
      setValues(name, three[0]);
      System.arraycopy(three[1], 0, adamM.get(name), 0, three[1].length);
      System.arraycopy(three[2], 0, adamV.get(name), 0, three[2].length);
    });
  }
}
