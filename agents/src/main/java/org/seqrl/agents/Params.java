package org.seqrl.agents;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/** Named parameters with their gradients and Adam moments, in a fixed order (the checkpoint order). */
final class Params {
  final Map<String, INDArray> value = new LinkedHashMap<>();
  final Map<String, INDArray> grad = new LinkedHashMap<>();
  final Map<String, INDArray> m = new LinkedHashMap<>();
  final Map<String, INDArray> v = new LinkedHashMap<>();
  private final DataType type;

  Params(DataType type) {
    this.type = type;
  }

  INDArray add(String name, int rows, int cols, Rng rng, double scale, boolean gaussian) {
    double[] data = new double[rows * cols];
    for (int i = 0; i < data.length; i++) {
      data[i] = gaussian ? rng.nextGaussian() * scale : (2 * rng.nextDouble() - 1) * scale;
    }
    INDArray a = Nd4j.create(data, new long[] {rows, cols}, type);
    value.put(name, a);
    grad.put(name, Nd4j.zeros(type, rows, cols));
    m.put(name, Nd4j.zeros(type, rows, cols));
    v.put(name, Nd4j.zeros(type, rows, cols));
    return a;
  }

  INDArray get(String name) {
    return value.get(name);
  }

  INDArray g(String name) {
    return grad.get(name);
  }

  List<String> names() {
    return new ArrayList<>(value.keySet());
  }

  void zeroGrad() {
    for (INDArray g : grad.values()) {
      g.assign(0);
    }
  }

  double gradNorm() {
    double s = 0;
    for (INDArray g : grad.values()) {
      double n = g.norm2Number().doubleValue();
      s += n * n;
    }
    return Math.sqrt(s);
  }

  /** One Adam step (beta1 0.9, beta2 0.999, eps 1e-8) at step number {@code t >= 1}, gradient scaled by {@code scale}. */
  void adam(double lr, long t, double scale) {
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    for (String n : value.keySet()) {
      INDArray g = grad.get(n);
      if (scale != 1.0) {
        g.muli(scale);
      }
      // libnd4j's fused Adam (same formula as lrT m / (sqrt(v) + eps), iteration counted from 0)
      // replaces ~12 separate full-size ops per parameter; it leaves the update in g.
      Nd4j.exec(new AdamUpdater(g, v.get(n), m.get(n), lr, b1, b2, eps, (int) (t - 1)));
      value.get(n).subi(g);
    }
  }
}
