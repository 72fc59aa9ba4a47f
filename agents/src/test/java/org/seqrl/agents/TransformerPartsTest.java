package org.seqrl.agents;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seqrl.agents.Params.Param;
import org.seqrl.rl.Tokens;

/**
 * Every transformer part on its own against finite differences (float32 Richardson, as in
 * {@link CellGradientCheckTest}): loss {@code sum <W, output>} with fixed random weights W, every
 * parameter entry and every input entry checked. A 3% error in a parameter's gradient is caught
 * ({@link #aWrongGradientIsCaught}).
 */
class TransformerPartsTest {
  private static final double STEP = 2e-2;
  private static final double ABS_TOL = 5e-5;
  private static final double REL_TOL = 2e-3;
  private static final int D = 8;
  private static final int HEADS = 2;

  /** A part under test: its parameters, its inputs, the loss, and a backward that fills parameter gradients and returns input gradients. */
  private abstract static class Part implements AutoCloseable {
    final Params params = new Params();
    final Blas blas = new Blas();
    final Rng init = new Rng(5);
    final Random random = new Random(9);
    final Map<String, float[]> inputs = new LinkedHashMap<>();

    float[] input(String name, int n, double scale) {
      float[] a = random(n, scale);
      inputs.put(name, a);
      return a;
    }

    float[] random(int n, double scale) {
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = (float) (random.nextGaussian() * scale);
      }
      return a;
    }

    /** Non-zero biases and gains off 1, so that every parameter's gradient matters. */
    void perturbParameters() {
      for (Param p : params.all()) {
        for (int i = 0; i < p.size(); i++) {
          p.value[i] += (float) (0.2 * random.nextGaussian());
        }
      }
    }

    abstract double loss();

    abstract Map<String, float[]> backward();

    double run() {
      params.markChanged();
      params.syncMirror();
      return loss();
    }

    Map<String, float[]> grads() {
      params.zeroGrad();
      params.markChanged();
      params.syncMirror();
      return backward();
    }

    static double dot(float[] w, float[] y, int n) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += (double) w[i] * y[i];
      }
      return s;
    }

    @Override
    public void close() {
      blas.close();
      params.close();
    }
  }

  /** Worst disagreement as a fraction of the tolerance; the analytic gradient of {@code distorted} is scaled by {@code factor}. */
  static double worst(Part part, String distorted, double factor, List<String> where) {
    try (part) {
      Map<String, float[]> inGrads = part.grads();
      Map<String, float[]> values = new LinkedHashMap<>();
      Map<String, double[]> analytic = new LinkedHashMap<>();
      for (Param p : part.params.all()) {
        double f = p.name.equals(distorted) ? factor : 1;
        double[] g = new double[p.size()];
        for (int i = 0; i < g.length; i++) {
          g[i] = p.grad[i] * f;
        }
        values.put(p.name, p.value);
        analytic.put(p.name, g);
      }
      for (Map.Entry<String, float[]> e : part.inputs.entrySet()) {
        float[] gi = inGrads.get(e.getKey());
        double[] g = new double[gi.length];
        for (int i = 0; i < g.length; i++) {
          g[i] = gi[i];
        }
        values.put(e.getKey(), e.getValue());
        analytic.put(e.getKey(), g);
      }
      double worst = 0;
      for (String name : values.keySet()) {
        float[] v = values.get(name);
        double[] ga = analytic.get(name);
        for (int i = 0; i < v.length; i++) {
          float orig = v[i];
          double[] d = new double[2];
          for (int k = 0; k < 2; k++) {
            double h = k == 0 ? STEP : STEP / 2;
            v[i] = (float) (orig + h);
            double up = part.run();
            v[i] = (float) (orig - h);
            double down = part.run();
            d[k] = (up - down) / ((double) (float) (orig + h) - (double) (float) (orig - h));
          }
          v[i] = orig;
          double numeric = (4 * d[1] - d[0]) / 3;
          double ratio = Math.abs(numeric - ga[i]) / (ABS_TOL + REL_TOL * Math.max(Math.abs(numeric), Math.abs(ga[i])));
          if (ratio > worst) {
            worst = ratio;
            where.add(name + "[" + i + "] numeric " + numeric + " analytic " + ga[i]);
          }
        }
      }
      return worst;
    }
  }

  static void check(String what, Part part) {
    List<String> where = new ArrayList<>();
    double w = worst(part, "", 1, where);
    String at = where.isEmpty() ? "-" : where.get(where.size() - 1);
    System.out.printf("%s: worst %.3f x tolerance at %s%n", what, w, at);
    assertTrue(w < 1, what + ": worst disagreement " + w + " x tolerance at " + at);
  }

  // ------------------------------------------------------------------ the parts

  static Part layerNorm() {
    return new Part() {
      final int rows = 3;
      final LayerNorm norm = new LayerNorm(params, "ln", D, init);
      final float[] x = input("x", rows * D, 1.0);
      final float[] w = random(rows * D, 1.0);
      { perturbParameters(); }

      float[] forward(float[] hat, float[] rstd) {
        float[] y = new float[rows * D];
        norm.forward(x, 0, rows, y, 0, hat, 0, rstd, 0);
        return y;
      }

      @Override
      double loss() {
        return dot(w, forward(new float[rows * D], new float[rows]), rows * D);
      }

      @Override
      Map<String, float[]> backward() {
        float[] hat = new float[rows * D];
        float[] rstd = new float[rows];
        forward(hat, rstd);
        float[] dx = new float[rows * D];
        norm.backward(w, 0, rows, hat, 0, rstd, 0, dx, 0);
        return Map.of("x", dx);
      }
    };
  }

  /** Encoder self-attention over a packed batch: 2 sources of lengths 3 and 1 (rows 0-2 and 3), the longest 3. */
  static Part packedSelfAttention() {
    return new Part() {
      final int s = 3;
      final int[] starts = {0, 3};
      final int[] lengths = {3, 1};
      final int rows = 4;
      final SelfAttention att = new SelfAttention(blas, params, "att", D, HEADS, init);
      final float[] x = input("x", rows * D, 1.0);
      final float[] w = random(rows * D, 1.0);
      { perturbParameters(); }

      @Override
      double loss() {
        float[] qkv = new float[rows * 3 * D];
        att.project(x, 0, rows, qkv, 0);
        float[] ctx = new float[rows * D];
        att.packed(qkv, starts, lengths, s, new float[rows * HEADS * s], ctx);
        float[] out = new float[rows * D];
        att.output(ctx, 0, rows, out);
        return dot(w, out, rows * D);
      }

      @Override
      Map<String, float[]> backward() {
        float[] qkv = new float[rows * 3 * D];
        att.project(x, 0, rows, qkv, 0);
        float[] probs = new float[rows * HEADS * s];
        float[] ctx = new float[rows * D];
        att.packed(qkv, starts, lengths, s, probs, ctx);
        float[] dCtx = att.outputBackward(ctx, w, rows);
        float[] dQkv = att.packedBackward(qkv, rows, starts, lengths, s, probs, dCtx);
        float[] dx = new float[rows * D];
        att.projectBackward(x, dQkv, rows, dx);
        return Map.of("x", dx);
      }
    };
  }

  /** Decoder self-attention, causal, time-major: 3 positions of 2 rows, run as one block and (forward only) step by step. */
  static Part causalSelfAttention(boolean stepwise) {
    return new Part() {
      final int t = 3;
      final int r = 2;
      final int rows = t * r;
      final DecoderRows map = DecoderRows.dense(r, t);
      final SelfAttention att = new SelfAttention(blas, params, "att", D, HEADS, init);
      final float[] x = input("x", rows * D, 1.0);
      final float[] w = random(rows * D, 1.0);
      { perturbParameters(); }

      float[] forward(float[] qkv, float[] probs, float[] ctx) {
        if (stepwise) {
          for (int k = 0; k < t; k++) {
            att.project(x, k * r, r, qkv, k * r);
            att.causal(qkv, map, k * r, (k + 1) * r, 0, probs, t, ctx);
          }
        } else {
          att.project(x, 0, rows, qkv, 0);
          att.causal(qkv, map, 0, rows, 0, probs, t, ctx);
        }
        float[] out = new float[rows * D];
        att.output(ctx, 0, rows, out);
        return out;
      }

      @Override
      double loss() {
        return dot(w, forward(new float[rows * 3 * D], new float[rows * HEADS * t], new float[rows * D]), rows * D);
      }

      @Override
      Map<String, float[]> backward() {
        float[] qkv = new float[rows * 3 * D];
        float[] probs = new float[rows * HEADS * t];
        float[] ctx = new float[rows * D];
        forward(qkv, probs, ctx);
        float[] dCtx = att.outputBackward(ctx, w, rows);
        float[] dQkv = att.causalBackward(qkv, map, t, probs, t, dCtx);
        float[] dx = new float[rows * D];
        att.projectBackward(x, dQkv, rows, dx);
        return Map.of("x", dx);
      }
    };
  }

  /** Decoder self-attention over a teacher-forced block that leaves out row 1's last position (its input is PAD): 5 slots. */
  static Part packedCausalSelfAttention() {
    return new Part() {
      final int t = 3;
      final int r = 2;
      final int[] inputs = {Tokens.START, Tokens.START, 5, 6, 7, Tokens.PAD};
      final DecoderRows map = DecoderRows.packed(inputs, r, t);
      final int rows = map.slots();
      final SelfAttention att = new SelfAttention(blas, params, "att", D, HEADS, init);
      final float[] x = input("x", rows * D, 1.0);
      final float[] w = random(rows * D, 1.0);
      { perturbParameters(); }

      float[] forward(float[] qkv, float[] probs, float[] ctx) {
        att.project(x, 0, rows, qkv, 0);
        att.causal(qkv, map, 0, rows, 0, probs, t, ctx);
        float[] out = new float[rows * D];
        att.output(ctx, 0, rows, out);
        return out;
      }

      @Override
      double loss() {
        return dot(w, forward(new float[rows * 3 * D], new float[rows * HEADS * t], new float[rows * D]), rows * D);
      }

      @Override
      Map<String, float[]> backward() {
        float[] qkv = new float[rows * 3 * D];
        float[] probs = new float[rows * HEADS * t];
        float[] ctx = new float[rows * D];
        forward(qkv, probs, ctx);
        float[] dCtx = att.outputBackward(ctx, w, rows);
        float[] dQkv = att.causalBackward(qkv, map, t, probs, t, dCtx);
        float[] dx = new float[rows * D];
        att.projectBackward(x, dQkv, rows, dx);
        return Map.of("x", dx);
      }
    };
  }

  /**
   * Cross-attention of {@code t} positions x 3 rows over 2 sources (lengths 3 and 2, padded to 3);
   * rows 0 and 2 share source 0. With 2 positions a block runs the per-row loops, with 8 the products.
   */
  static Part crossAttention(int t) {
    return new Part() {
      final int r = 3;
      final int b = 2;
      final int s = 3;
      final int[] rowSource = timeMajor(new int[] {0, 1, 0}, t); // rows 0 and 2 read source 0, row 1 source 1
      final int[] lengths = {3, 2};
      final int rows = t * r;
      final CrossAttention att = new CrossAttention(blas, params, "cross", D, HEADS, init);
      final float[] x = input("x", rows * D, 1.0);
      final float[] enc = input("enc", b * s * D, 1.0);
      final float[] w = random(rows * D, 1.0);
      final int ld = 3 * 2 * D; // a layer's keys sit among other layers' columns
      final int off = 2 * D;
      { perturbParameters(); }

      @Override
      double loss() {
        float[] kv = new float[b * s * ld];
        att.keys(enc, b * s, kv, off, ld);
        float[] q = new float[rows * D];
        att.query(x, 0, rows, q);
        float[] ctx = new float[rows * D];
        att.attend(q, 0, rows, rowSource, 0, lengths, s, kv, off, ld, new float[rows * HEADS * s], ctx);
        float[] out = new float[rows * D];
        att.output(ctx, 0, rows, out);
        return dot(w, out, rows * D);
      }

      @Override
      Map<String, float[]> backward() {
        float[] kv = new float[b * s * ld];
        att.keys(enc, b * s, kv, off, ld);
        float[] q = new float[rows * D];
        att.query(x, 0, rows, q);
        float[] ctx = new float[rows * D];
        float[] probs = new float[rows * HEADS * s];
        att.attend(q, 0, rows, rowSource, 0, lengths, s, kv, off, ld, probs, ctx);
        float[] dCtx = att.outputBackward(ctx, w, rows);
        float[] dKv = new float[kv.length];
        float[] dQ = att.attendBackward(q, rows, rowSource, lengths, s, kv, off, ld, probs, dCtx, dKv);
        float[] dx = new float[rows * D];
        att.queryBackward(x, dQ, rows, dx);
        float[] dEnc = new float[enc.length];
        att.keysBackward(enc, b * s, dKv, off, ld, dEnc);
        return Map.of("x", dx, "enc", dEnc);
      }
    };
  }

  /** The source of each row at each of {@code t} positions, time-major. */
  static int[] timeMajor(int[] srcOf, int t) {
    int[] a = new int[t * srcOf.length];
    for (int k = 0; k < a.length; k++) {
      a[k] = srcOf[k % srcOf.length];
    }
    return a;
  }

  static Part feedForward() {
    return new Part() {
      final int rows = 4;
      final int f = 12;
      final FeedForward ff = new FeedForward(blas, params, "ff", D, f, init);
      final float[] x = input("x", rows * D, 1.0);
      final float[] w = random(rows * D, 1.0);
      { perturbParameters(); }

      @Override
      double loss() {
        float[] out = new float[rows * D];
        ff.forward(x, 0, rows, new float[rows * f], new float[rows * f], out);
        return dot(w, out, rows * D);
      }

      @Override
      Map<String, float[]> backward() {
        float[] u = new float[rows * f];
        float[] h = new float[rows * f];
        ff.forward(x, 0, rows, u, h, new float[rows * D]);
        float[] dx = new float[rows * D];
        ff.backward(x, u, h, w, rows, dx);
        return Map.of("x", dx);
      }
    };
  }

  /** A residual around an elementwise stand-in sublayer {@code s = tanh(in) * c}, pre- or post-norm, with dropout drawn from a fixed state. */
  static Part residual(boolean pre, double dropout) {
    return new Part() {
      final int rows = 3;
      final Residual res = new Residual(params, "ln", D, pre, dropout, init);
      final float[] x = input("x", rows * D, 1.0);
      final float[] c = random(rows * D, 1.0);
      final float[] w = random(rows * D, 1.0);
      { perturbParameters(); }

      float[] forward(Residual.Trace tr, float[] s) {
        res.enter(tr, x, 0, rows);
        for (int i = 0; i < s.length; i++) {
          s[i] = (float) Math.tanh(tr.in[i]) * c[i];
        }
        float[] out = new float[rows * D];
        res.exit(tr, x, s, out, 0, rows, new Rng(77));
        return out;
      }

      @Override
      double loss() {
        return dot(w, forward(res.trace(rows, true), new float[rows * D]), rows * D);
      }

      @Override
      Map<String, float[]> backward() {
        Residual.Trace tr = res.trace(rows, true);
        forward(tr, new float[rows * D]);
        float[] dS = new float[rows * D];
        float[] dx = new float[rows * D];
        res.exitBackward(tr, w, dS, dx, rows);
        float[] dIn = new float[rows * D];
        for (int i = 0; i < dIn.length; i++) {
          double t = Math.tanh(tr.in[i]);
          dIn[i] = (float) (dS[i] * c[i] * (1 - t * t));
        }
        res.enterBackward(tr, dIn, dx, rows);
        return Map.of("x", dx);
      }
    };
  }

  /** Token embedding plus positions (learned or sinusoidal) for tokens at positions 0..4, one repeated. */
  static Part embedding(boolean learned) {
    return new Part() {
      final int[] ids = {1, 3, 2, 3, 0};
      final int[] pos = {0, 1, 4, 2, 3};
      final Param table = params.add("emb", 4, D, init, 0.3, true);
      final TokenEmbedding emb = new TokenEmbedding(table, new Positions(params, "p", D, learned, init));
      final float[] w = random(ids.length * D, 1.0);

      @Override
      double loss() {
        float[] x = new float[ids.length * D];
        for (int i = 0; i < ids.length; i++) {
          emb.forward(ids[i], pos[i], x, i * D);
        }
        double s = 0;
        for (int i = 0; i < x.length; i++) {
          s += w[i] * Math.tanh(x[i]); // not linear, so that a wrong row or scale shows
        }
        return s;
      }

      @Override
      Map<String, float[]> backward() {
        float[] x = new float[ids.length * D];
        for (int i = 0; i < ids.length; i++) {
          emb.forward(ids[i], pos[i], x, i * D);
        }
        float[] dx = new float[x.length];
        for (int i = 0; i < x.length; i++) {
          double t = Math.tanh(x[i]);
          dx[i] = (float) (w[i] * (1 - t * t));
        }
        for (int i = 0; i < ids.length; i++) {
          emb.backward(ids[i], pos[i], dx, i * D);
        }
        return Map.of();
      }
    };
  }

  static Part tiedOutput(boolean tied) {
    return new Part() {
      final int rows = 3;
      final int vocab = 6;
      final Param table = params.add("emb", vocab, D, init, 0.3, true);
      final TransformerOutput out = new TransformerOutput(blas, params, table, tied, init);
      final float[] h = input("h", rows * D, 1.0);
      final float[] w = random(rows * vocab, 1.0);
      { perturbParameters(); }

      @Override
      double loss() {
        return dot(w, out.forward(h, 0, rows), rows * vocab);
      }

      @Override
      Map<String, float[]> backward() {
        return Map.of("h", out.backward(h, w, rows));
      }
    };
  }

  @Test
  void layerNormMatchesFiniteDifferences() {
    check("layer norm", layerNorm());
  }

  @Test
  void packedSelfAttentionMatchesFiniteDifferences() {
    check("packed self-attention", packedSelfAttention());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void causalSelfAttentionMatchesFiniteDifferences(boolean stepwise) {
    check("causal self-attention" + (stepwise ? " (run step by step)" : ""), causalSelfAttention(stepwise));
  }

  @Test
  void packedCausalSelfAttentionMatchesFiniteDifferences() {
    check("causal self-attention, a position left out", packedCausalSelfAttention());
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 8})
  void crossAttentionMatchesFiniteDifferences(int positions) {
    check("cross-attention, " + positions + " positions", crossAttention(positions));
  }

  @Test
  void feedForwardMatchesFiniteDifferences() {
    check("feed-forward", feedForward());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void residualMatchesFiniteDifferences(boolean pre) {
    check((pre ? "pre" : "post") + "-norm residual", residual(pre, 0.0));
    check((pre ? "pre" : "post") + "-norm residual with dropout", residual(pre, 0.3));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void embeddingAndPositionsMatchFiniteDifferences(boolean learned) {
    check("embedding, " + (learned ? "learned" : "sinusoidal") + " positions", embedding(learned));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void outputLayerMatchesFiniteDifferences(boolean tied) {
    check((tied ? "tied" : "separate") + " output layer", tiedOutput(tied));
  }

  /** The check can fail: a 3% error in one parameter's gradient is caught, for each part's weights. */
  @Test
  void aWrongGradientIsCaught() {
    Map<String, Function<Void, Part>> cases = new LinkedHashMap<>();
    cases.put("ln.g", v -> layerNorm());
    cases.put("ln.b", v -> layerNorm());
    cases.put("att.Wqkv", v -> packedSelfAttention());
    cases.put("att.Wo", v -> causalSelfAttention(false));
    cases.put("cross.Wkv", v -> crossAttention(2));
    cases.put("cross.Wq", v -> crossAttention(2));
    cases.put("ff.W1", v -> feedForward());
    cases.put("ff.b2", v -> feedForward());
    cases.put("p.pos", v -> embedding(true));
    cases.put("emb", v -> tiedOutput(true));
    for (Map.Entry<String, Function<Void, Part>> e : cases.entrySet()) {
      double w = worst(e.getValue().apply(null), e.getKey(), 1.03, new ArrayList<>());
      assertTrue(w > 1, e.getKey() + ": a 3% error went unnoticed (worst " + w + " x tolerance)");
    }
  }
}
