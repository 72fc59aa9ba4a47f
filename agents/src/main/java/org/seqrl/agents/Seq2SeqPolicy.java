package org.seqrl.agents;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.CriticTrunk;
import org.seqrl.rl.CriticHead;
import org.seqrl.rl.OptimizerSettings;
import org.seqrl.rl.PolicyGradientBatch;
import org.seqrl.rl.Rollout;
import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.Tokens;
import org.seqrl.rl.UpdateStats;

/**
 * Recurrent encoder-decoder policy on ND4J with hand-written forward and backward passes
 * (SameDiff's recurrent cells are forward-only in 1.0.0-M2.1, and per-op overhead dominates at
 * these sizes, so the passes batch whatever does not depend on the recurrence into single matmuls).
 *
 * <p>Layout: every sequence tensor is time-major 2-D, row {@code t * B + b}; encoder outputs are
 * also kept as {@code [B, S, D]} for attention. Padded source steps carry the previous state, so
 * padding never changes a final state; attention gives padded positions exactly zero weight.
 *
 * <p>Model: embeddings; encoder of {@code encoderLayers} GRU/LSTM layers (each optionally
 * bidirectional, inverted dropout between layers while training); decoder initial state
 * {@code tanh(W [final states of the top layer] + b)} (an LSTM decoder starts with a zero cell);
 * additive attention scores the state before a step and feeds the context into the cell, dot
 * attention scores the cell output and combines {@code tanh(Wc [context, h] + bc)} before the output
 * layer. PAD and START are never actions. Critic heads are one-hidden-layer tanh MLPs.
 *
 * <p>Not thread-safe; each public call runs in an ND4J workspace of the calling thread.
 */
public final class Seq2SeqPolicy implements SequencePolicy {
  private static final double MASKED = -1e9;

  /**
   * Every public call runs in one workspace that is reset when the call returns: native
   * allocation dominated the profile without it, and nothing a call allocates outlives it
   * (results leave as Java arrays; parameters live outside and are updated in place).
   */
  private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
      .initialSize(0)
      .overallocationLimit(0.2)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .policyLearning(LearningPolicy.OVER_TIME)
      .cyclesBeforeInitialization(2)
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();

  /** {@code -Dseqrl.agents.workspaces=false} turns workspaces off (for the benchmark's comparison). */
  static final boolean USE_WORKSPACES = !"false".equals(System.getProperty("seqrl.agents.workspaces"));

  private final String workspaceId = "seqrl-policy-" + Integer.toHexString(System.identityHashCode(this));

  private <T> T inWorkspace(Supplier<T> body) {
    if (!USE_WORKSPACES || Nd4j.getMemoryManager().getCurrentWorkspace() != null) {
      return body.get();
    }
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, workspaceId)) {
      return body.get();
    }
  }

  private final Seq2SeqConfig cfg;
  private final DataType type;
  final Params params;
  /** Draws sampled tokens. */
  final Rng rng;
  /** Draws dropout masks; separate so that changing dropout does not shift the samples. */
  final Rng dropoutRng;
  private long step;
  private final Cell[][] encCells;
  private final Cell decCell;
  private final int hd;
  private final int encWidth;
  private final int attWidth;

  public Seq2SeqPolicy(Seq2SeqConfig cfg) {
    this.cfg = cfg;
    this.type = cfg.precision() == Seq2SeqConfig.Precision.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
    this.params = new Params(type);
    this.hd = cfg.hidden();
    this.encWidth = cfg.encoderWidth();
    this.attWidth = cfg.attentionSize() > 0 ? cfg.attentionSize() : cfg.hidden();
    Rng init = new Rng(cfg.seed() ^ 0x5EED1A17L);
    this.rng = new Rng(cfg.seed() * 0x9E3779B97F4A7C15L + 12345L);
    this.dropoutRng = new Rng(cfg.seed() * 0xD1B54A32D192ED03L + 777L);
    int e = cfg.embedding();
    int g = cfg.cell() == CellType.GRU ? 3 : 4;
    double k = 1 / Math.sqrt(hd);
    params.add("src.emb", cfg.sourceVocab(), e, init, 0.3, true);
    params.add("tgt.emb", cfg.targetVocab(), e, init, 0.3, true);
    encCells = new Cell[cfg.encoderLayers()][cfg.directions()];
    for (int l = 0; l < cfg.encoderLayers(); l++) {
      int in = l == 0 ? e : encWidth;
      for (int d = 0; d < cfg.directions(); d++) {
        String p = "enc." + l + "." + d;
        addCell(p, in, g, k, init);
        encCells[l][d] = new Cell(cfg.cell(), hd, p, params);
      }
    }
    params.add("bridge.W", encWidth, hd, init, 1 / Math.sqrt(encWidth), false);
    params.add("bridge.b", 1, hd, init, 0, false);
    int decIn = e + (cfg.attention() == Attention.ADDITIVE ? encWidth : 0);
    addCell("dec", decIn, g, k, init);
    decCell = new Cell(cfg.cell(), hd, "dec", params);
    if (cfg.attention() == Attention.ADDITIVE) {
      params.add("att.Ws", hd, attWidth, init, k, false);
      params.add("att.Uk", encWidth, attWidth, init, 1 / Math.sqrt(encWidth), false);
      params.add("att.v", attWidth, 1, init, 1 / Math.sqrt(attWidth), false);
    } else if (cfg.attention() == Attention.DOT) {
      params.add("att.Wk", encWidth, hd, init, 1 / Math.sqrt(encWidth), false);
      params.add("att.Wc", encWidth + hd, hd, init, 1 / Math.sqrt(encWidth + hd), false);
      params.add("att.bc", 1, hd, init, 0, false);
    }
    params.add("out.W", hd, cfg.targetVocab(), init, k, false);
    params.add("out.b", 1, cfg.targetVocab(), init, 0, false);
    int ch = cfg.criticHidden();
    if (cfg.criticHeads().contains(CriticHead.SEQUENCE)) {
      addHead("vseq", encWidth, ch, init);
    }
    if (cfg.criticHeads().contains(CriticHead.STEP)) {
      addHead("vstep", hd, ch, init);
    }
  }

  private void addCell(String p, int in, int g, double k, Rng init) {
    params.add(p + ".Wx", in, g * hd, init, k, false);
    params.add(p + ".Wh", hd, g * hd, init, k, false);
    INDArray b = params.add(p + ".b", 1, g * hd, init, 0, false);
    if (cfg.cell() == CellType.GRU) {
      params.add(p + ".bh", 1, g * hd, init, 0, false);
    } else {
      b.get(all(), interval(hd, 2 * hd)).assign(1.0); // forget-gate bias 1: remember by default
    }
  }

  private void addHead(String p, int in, int ch, Rng init) {
    params.add(p + ".W1", in, ch, init, 1 / Math.sqrt(in), false);
    params.add(p + ".b1", 1, ch, init, 0, false);
    params.add(p + ".w2", ch, 1, init, 1 / Math.sqrt(ch), false);
    params.add(p + ".b2", 1, 1, init, 0, false);
  }

  public Seq2SeqConfig config() {
    return cfg;
  }

  /** Optimizer steps taken so far. */
  public long steps() {
    return step;
  }

  // ---------------------------------------------------------------- small helpers

  private static INDArray rows(INDArray a, int t, int b) {
    return a.get(interval((long) t * b, (long) (t + 1) * b), all());
  }

  private INDArray oneHot(int[] ids, int vocab) {
    INDArray a = Nd4j.zeros(type, ids.length, vocab);
    for (int i = 0; i < ids.length; i++) {
      a.putScalar(i, ids[i], 1.0);
    }
    return a;
  }

  private INDArray column(double[] v) {
    return Nd4j.create(v, new long[] {v.length, 1}, type);
  }

  private INDArray matrix(double[][] v) {
    int r = v.length;
    int c = r == 0 ? 0 : v[0].length;
    double[] flat = new double[r * c];
    for (int i = 0; i < r; i++) {
      System.arraycopy(v[i], 0, flat, i * c, c);
    }
    return Nd4j.create(flat, new long[] {r, c}, type);
  }

  /** To Java arrays through the flat buffer: INDArray.toDoubleMatrix costs ~1 ms even for 32x30. */
  private static double[][] toMatrix(INDArray a) {
    int r = (int) a.size(0);
    int c = (int) a.size(1);
    double[] flat = flat(a);
    double[][] out = new double[r][];
    for (int i = 0; i < r; i++) {
      out[i] = Arrays.copyOfRange(flat, i * c, (i + 1) * c);
    }
    return out;
  }

  private static double[] flat(INDArray a) {
    INDArray c = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
    return c.data().asDouble();
  }

  private static int[][] repeat(int[][] sources, int k) {
    int[][] r = new int[sources.length * k][];
    for (int i = 0; i < r.length; i++) {
      r[i] = sources[i / k];
    }
    return r;
  }


  /**
   * {@code g += ones^T a}: column sums through gemm. ND4J's reduction along dimension 0 of a tall
   * matrix was the largest single item in the MLE-step profile (~28% of samples); gemm is far faster.
   */
  private void addColumnSums(INDArray g, INDArray a) {
    Nd4j.gemm(Nd4j.ones(type, a.size(0), 1), a, g, true, false, 1.0, 1.0);
  }

  /** {@code g += x^T y} in place, without the product's temporary and the separate add. */
  private static void addTransposedProduct(INDArray g, INDArray x, INDArray y) {
    Nd4j.gemm(x, y, g, true, false, 1.0, 1.0);
  }

  // ---------------------------------------------------------------- encoder

  /** Everything the encoder's backward pass needs, and what the decoder reads. */
  final class Encoded {
    int batch;
    int len;
    int[] lengths;
    INDArray srcOneHot;
    INDArray[] layerIn;
    INDArray[] dropMask;
    Cell.Cache[][][] caches; // [layer][dir][t]
    INDArray[][] hPrevAll; // [layer][dir] [S*B, H], state before the step at position t
    INDArray[] stepMask; // [t] [B,1], null where every row is valid
    INDArray bsd; // [B, S, D]
    INDArray attMask; // [B, S], 0 valid, MASKED padding
    INDArray fin; // [B, D]
    INDArray keys; // attention keys [B, S, A] or null
  }

  /** Ids outside the vocabulary would index past the embedding; say which one instead. */
  private static void checkIds(int[][] seqs, int vocab, String what) {
    for (int i = 0; i < seqs.length; i++) {
      for (int t = 0; t < seqs[i].length; t++) {
        int id = seqs[i][t];
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException(what + " row " + i + " position " + t + ": token id " + id
              + " is outside the vocabulary of size " + vocab + " (expected 0.." + (vocab - 1) + ")");
        }
      }
    }
  }

  Encoded encode(int[][] sources, boolean training) {
    checkIds(sources, cfg.sourceVocab(), "source");
    int b = sources.length;
    int s = 1;
    for (int[] x : sources) {
      s = Math.max(s, x.length);
    }
    Encoded en = new Encoded();
    en.batch = b;
    en.len = s;
    en.lengths = new int[b];
    int[] ids = new int[s * b];
    double[][] att = new double[b][s];
    en.stepMask = new INDArray[s];
    for (int i = 0; i < b; i++) {
      en.lengths[i] = sources[i].length;
      for (int t = 0; t < s; t++) {
        ids[t * b + i] = t < sources[i].length ? sources[i][t] : Tokens.PAD;
        att[i][t] = t < sources[i].length ? 0 : MASKED;
      }
    }
    for (int t = 0; t < s; t++) {
      double[] m = new double[b];
      boolean any = false;
      for (int i = 0; i < b; i++) {
        m[i] = t < sources[i].length ? 1 : 0;
        any |= m[i] == 0;
      }
      en.stepMask[t] = any ? column(m) : null;
    }
    en.attMask = matrix(att);
    en.srcOneHot = oneHot(ids, cfg.sourceVocab());
    int layers = cfg.encoderLayers();
    int dirs = cfg.directions();
    en.layerIn = new INDArray[layers];
    en.dropMask = new INDArray[layers];
    en.caches = new Cell.Cache[layers][dirs][s];
    en.hPrevAll = new INDArray[layers][dirs];
    INDArray x = en.srcOneHot.mmul(params.get("src.emb"));
    INDArray[] finals = new INDArray[dirs];
    INDArray out = null;
    for (int l = 0; l < layers; l++) {
      if (l > 0 && training && cfg.dropout() > 0) {
        double keep = 1 - cfg.dropout();
        double[] m = new double[(int) x.length()];
        for (int i = 0; i < m.length; i++) {
          m[i] = dropoutRng.nextDouble() < keep ? 1 / keep : 0;
        }
        en.dropMask[l] = Nd4j.create(m, x.shape(), type);
        x = x.mul(en.dropMask[l]);
      }
      en.layerIn[l] = x;
      INDArray[] outs = new INDArray[dirs];
      for (int d = 0; d < dirs; d++) {
        Cell cell = encCells[l][d];
        INDArray xp = x.mmul(cell.wx()).addi(cell.b());
        INDArray h = Nd4j.zeros(type, b, hd);
        INDArray c = cfg.cell() == CellType.LSTM ? Nd4j.zeros(type, b, hd) : null;
        INDArray o = Nd4j.zeros(type, (long) s * b, hd);
        INDArray hPrev = Nd4j.zeros(type, (long) s * b, hd);
        for (int i = 0; i < s; i++) {
          int t = d == 0 ? i : s - 1 - i;
          rows(hPrev, t, b).assign(h);
          Cell.Cache k = cell.forward(rows(xp, t, b), h, c);
          en.caches[l][d][t] = k;
          INDArray m = en.stepMask[t];
          if (m == null) {
            h = k.hOut;
            c = k.cOut;
          } else {
            // padded rows keep their state: h <- h + m (h' - h)
            h = k.hOut.sub(h).muli(m).addi(h);
            if (c != null) {
              c = k.cOut.sub(c).muli(m).addi(c);
            }
          }
          rows(o, t, b).assign(h);
        }
        en.hPrevAll[l][d] = hPrev;
        outs[d] = o;
        finals[d] = h;
      }
      out = dirs == 1 ? outs[0] : Nd4j.hstack(outs);
      x = out;
    }
    en.fin = dirs == 1 ? finals[0] : Nd4j.hstack(finals);
    en.bsd = out.reshape(s, b, encWidth).permute(1, 0, 2).dup('c');
    if (cfg.attention() == Attention.ADDITIVE) {
      en.keys = en.bsd.reshape((long) b * s, encWidth).mmul(params.get("att.Uk")).reshape(b, s, attWidth);
    } else if (cfg.attention() == Attention.DOT) {
      en.keys = en.bsd.reshape((long) b * s, encWidth).mmul(params.get("att.Wk")).reshape(b, s, hd);
    }
    return en;
  }

  /**
   * The encoding of each source repeated {@code k} times in a row (row {@code i} reads source
   * {@code i / k}), for decoding only: beam search and multi-sample decoding would otherwise run the
   * whole encoder on k identical copies of every source. Carries no backward state.
   */
  private Encoded repeatRows(Encoded en, int k) {
    if (k == 1) {
      return en;
    }
    int b = en.batch;
    int[] idx = new int[b * k];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i / k;
    }
    Encoded r = new Encoded();
    r.batch = b * k;
    r.len = en.len;
    r.lengths = new int[b * k];
    for (int i = 0; i < idx.length; i++) {
      r.lengths[i] = en.lengths[idx[i]];
    }
    r.fin = Nd4j.pullRows(en.fin, 1, idx);
    r.attMask = Nd4j.pullRows(en.attMask, 1, idx);
    r.bsd = Nd4j.pullRows(en.bsd.reshape(b, (long) en.len * encWidth), 1, idx).reshape((long) b * k, en.len, encWidth);
    if (en.keys != null) {
      long a = en.keys.size(2);
      r.keys = Nd4j.pullRows(en.keys.reshape(b, en.len * a), 1, idx).reshape((long) b * k, en.len, a);
    }
    return r;
  }

  /** Backward of {@link #encode}: {@code dBsd} [B,S,D] into the outputs (may be null), {@code dFin} [B,D] into the final state. */
  private void encodeBackward(Encoded en, INDArray dBsd, INDArray dFin) {
    int b = en.batch;
    int s = en.len;
    int dirs = cfg.directions();
    INDArray dOut = dBsd == null ? Nd4j.zeros(type, (long) s * b, encWidth)
        : dBsd.permute(1, 0, 2).dup('c').reshape((long) s * b, encWidth);
    for (int l = cfg.encoderLayers() - 1; l >= 0; l--) {
      INDArray x = en.layerIn[l];
      INDArray dX = null;
      for (int d = 0; d < dirs; d++) {
        Cell cell = encCells[l][d];
        INDArray dO = dirs == 1 ? dOut : dOut.get(all(), interval(d * hd, (d + 1) * hd)).dup();
        INDArray dA = Nd4j.zeros(type, (long) s * b, cell.gates() * hd);
        INDArray dHH = cfg.cell() == CellType.GRU ? Nd4j.zeros(type, (long) s * b, cell.gates() * hd) : dA;
        INDArray dh = (l == cfg.encoderLayers() - 1 && dFin != null)
            ? dFin.get(all(), interval(d * hd, (d + 1) * hd)).dup() : Nd4j.zeros(type, b, hd);
        INDArray dc = cfg.cell() == CellType.LSTM ? Nd4j.zeros(type, b, hd) : null;
        for (int i = s - 1; i >= 0; i--) {
          int t = d == 0 ? i : s - 1 - i;
          dh.addi(rows(dO, t, b));
          INDArray m = en.stepMask[t];
          INDArray dhCell = m == null ? dh : dh.mul(m);
          INDArray dcCell = (dc == null || m == null) ? dc : dc.mul(m);
          Cell.Grad g = cell.backward(en.caches[l][d][t], dhCell, dcCell);
          rows(dA, t, b).assign(g.dA);
          if (dHH != dA) {
            rows(dHH, t, b).assign(g.dHH);
          }
          if (m == null) {
            dh = g.dh;
            dc = g.dc;
          } else {
            // padded rows pass the gradient straight to the previous state
            INDArray keepOld = m.rsub(1.0);
            dh = dh.mul(keepOld).addi(g.dh);
            if (dc != null) {
              dc = dc.mul(keepOld).addi(g.dc);
            }
          }
        }
        accumulateCellGrads(cell, x, en.hPrevAll[l][d], dA, dHH);
        INDArray dx = dA.mmul(cell.wx().transpose());
        dX = dX == null ? dx : dX.addi(dx);
      }
      if (l > 0) {
        if (en.dropMask[l] != null) {
          dX.muli(en.dropMask[l]);
        }
        dOut = dX;
      } else {
        addTransposedProduct(params.g("src.emb"), en.srcOneHot, dX);
      }
    }
  }

  private void accumulateCellGrads(Cell cell, INDArray x, INDArray hPrev, INDArray dA, INDArray dHH) {
    String p = cell.prefix;
    addTransposedProduct(params.g(p + ".Wx"), x, dA);
    addColumnSums(params.g(p + ".b"), dA);
    addTransposedProduct(params.g(p + ".Wh"), hPrev, dHH);
    if (cfg.cell() == CellType.GRU) {
      addColumnSums(params.g(p + ".bh"), dHH);
    }
  }

  // ---------------------------------------------------------------- attention

  /** Masked softmax over source positions, row-wise on [B, S]. */
  private static INDArray softmaxRows(INDArray e) {
    INDArray z = e.sub(e.max(true, 1));
    Transforms.exp(z, false);
    return z.divi(z.sum(true, 1));
  }

  /** Weighted sum of encoder outputs: [B,S] weights, [B,S,D] values to [B,D]. */
  private static INDArray weighted(INDArray alpha, INDArray bsd) {
    long b = alpha.size(0);
    long s = alpha.size(1);
    // batched [B,1,S] x [B,S,D]: ~5x faster than the broadcast product and dimension-1 sum
    return Nd4j.matmul(alpha.reshape(b, 1, s), bsd).reshape(b, bsd.size(2));
  }

  static final class AttCache {
    INDArray query; // s_{t-1} (additive) or h_t (dot)
    INDArray u; // additive: tanh(keys + query Ws)
    INDArray alpha;
    INDArray ctx;
    INDArray cat; // dot: [ctx, h]
    INDArray out; // dot: tanh(cat Wc + bc)
  }

  private AttCache additive(Encoded en, INDArray s) {
    AttCache a = new AttCache();
    long b = en.batch;
    a.query = s;
    INDArray ws = s.mmul(params.get("att.Ws"));
    a.u = Transforms.tanh(en.keys.add(ws.reshape(b, 1, attWidth)), false);
    INDArray e = a.u.reshape(b * en.len, attWidth).mmul(params.get("att.v")).reshape(b, en.len).addi(en.attMask);
    a.alpha = softmaxRows(e);
    a.ctx = weighted(a.alpha, en.bsd);
    return a;
  }

  /** Backward of the additive attention; returns the gradient of the query state. */
  private INDArray additiveBackward(Encoded en, AttCache a, INDArray dCtx, INDArray dBsd, INDArray dKeys) {
    long b = en.batch;
    int s = en.len;
    INDArray de = softmaxBackward(en, a, dCtx, dBsd);
    INDArray dPre = a.u.mul(a.u).rsubi(1.0).muli(de.reshape(b, s, 1)).muli(params.get("att.v").reshape(1, 1, attWidth));
    params.g("att.v").addi(a.u.reshape(b * s, attWidth).transpose().mmul(de.reshape(b * s, 1)));
    dKeys.addi(dPre);
    INDArray dws = dPre.sum(1);
    addTransposedProduct(params.g("att.Ws"), a.query, dws);
    return dws.mmul(params.get("att.Ws").transpose());
  }

  /** Shared part: gradient of the scores from the gradient of the context; adds into dBsd. */
  private static INDArray softmaxBackward(Encoded en, AttCache a, INDArray dCtx, INDArray dBsd) {
    long b = en.batch;
    int s = en.len;
    INDArray dc3 = dCtx.reshape(b, 1, dCtx.size(1));
    INDArray dAlpha = Nd4j.matmul(en.bsd, dCtx.reshape(b, dCtx.size(1), 1)).reshape(b, s);
    dBsd.addi(Nd4j.matmul(a.alpha.reshape(b, s, 1), dc3));
    INDArray inner = dAlpha.mul(a.alpha).sum(true, 1);
    return dAlpha.subi(inner).muli(a.alpha);
  }

  private AttCache dot(Encoded en, INDArray h) {
    AttCache a = new AttCache();
    long b = en.batch;
    a.query = h;
    INDArray e = en.keys.mul(h.reshape(b, 1, hd)).sum(2).addi(en.attMask);
    a.alpha = softmaxRows(e);
    a.ctx = weighted(a.alpha, en.bsd);
    a.cat = Nd4j.hstack(a.ctx, h);
    a.out = Transforms.tanh(a.cat.mmul(params.get("att.Wc")).addi(params.get("att.bc")), false);
    return a;
  }

  /** Backward of the dot attention and its output combination; returns the gradient of h. */
  private INDArray dotBackward(Encoded en, AttCache a, INDArray dOut, INDArray dBsd, INDArray dKeys) {
    long b = en.batch;
    int s = en.len;
    INDArray dPre = a.out.mul(a.out).rsubi(1.0).muli(dOut);
    addTransposedProduct(params.g("att.Wc"), a.cat, dPre);
    addColumnSums(params.g("att.bc"), dPre);
    INDArray dCat = dPre.mmul(params.get("att.Wc").transpose());
    INDArray dCtx = dCat.get(all(), interval(0, encWidth));
    INDArray dh = dCat.get(all(), interval(encWidth, encWidth + hd)).dup();
    INDArray de = softmaxBackward(en, a, dCtx, dBsd);
    INDArray de3 = de.reshape(b, s, 1);
    dKeys.addi(de3.mul(a.query.reshape(b, 1, hd)));
    dh.addi(en.keys.mul(de3).sum(1));
    return dh;
  }

  // ---------------------------------------------------------------- decoder

  /** One decoder step's record for backward. */
  static final class DecStep {
    AttCache att;
    Cell.Cache cell;
    INDArray xIn; // the full cell input [emb, ctx] (additive) or emb
  }

  private INDArray bridge(Encoded en) {
    return Transforms.tanh(en.fin.mmul(params.get("bridge.W")).addi(params.get("bridge.b")), false);
  }

  /** Decoder step from state (h, c) given the embedding-side projection {@code xpEmb}; fills {@code rec}. */
  private DecStep decStep(Encoded en, INDArray xpEmb, INDArray emb, INDArray h, INDArray c) {
    DecStep st = new DecStep();
    INDArray xp = xpEmb;
    st.xIn = emb;
    if (cfg.attention() == Attention.ADDITIVE) {
      st.att = additive(en, h);
      INDArray wxCtx = params.get("dec.Wx").get(interval(cfg.embedding(), cfg.embedding() + encWidth), all());
      xp = xpEmb.add(st.att.ctx.mmul(wxCtx));
      st.xIn = emb == null ? null : Nd4j.hstack(emb, st.att.ctx);
    }
    st.cell = decCell.forward(xp, h, c);
    if (cfg.attention() == Attention.DOT) {
      st.att = dot(en, st.cell.hOut);
    }
    return st;
  }

  private INDArray decOutput(DecStep st) {
    return cfg.attention() == Attention.DOT ? st.att.out : st.cell.hOut;
  }

  private INDArray wxEmb() {
    INDArray wx = params.get("dec.Wx");
    // a row view costs a copy in every matmul; only additive attention needs one
    return cfg.attention() == Attention.ADDITIVE ? wx.get(interval(0, cfg.embedding()), all()) : wx;
  }

  private INDArray head(String p, INDArray x) {
    INDArray z = Transforms.tanh(x.mmul(params.get(p + ".W1")).addi(params.get(p + ".b1")), false);
    return z.mmul(params.get(p + ".w2")).addi(params.get(p + ".b2"));
  }

  /** Backward of {@link #head}; returns the gradient of its input. */
  private INDArray headBackward(String p, INDArray x, INDArray dv) {
    INDArray z = Transforms.tanh(x.mmul(params.get(p + ".W1")).addi(params.get(p + ".b1")), false);
    addTransposedProduct(params.g(p + ".w2"), z, dv);
    addColumnSums(params.g(p + ".b2"), dv);
    INDArray dz = dv.mmul(params.get(p + ".w2").transpose()).muli(z.mul(z).rsubi(1.0));
    addTransposedProduct(params.g(p + ".W1"), x, dz);
    addColumnSums(params.g(p + ".b1"), dz);
    return dz.mmul(params.get(p + ".W1").transpose());
  }

  // ---------------------------------------------------------------- losses

  /** Per-token weights of one teacher-forced objective (see {@link LossMath#weightedNllWithEntropy}). */
  record Objective(
      int[][] sources,
      int[][] tokens,
      int[] lengths,
      double[][] weight,
      double[][] entropyWeight,
      double[] sequenceTargets,
      double[][] stepTargets,
      double criticCoefficient,
      double rowsNorm) {}

  /** Loss parts of one objective: total, token part (weighted NLL), entropy sum term, critic loss, mean entropy. */
  record LossParts(double loss, double policy, double entropyTerm, double critic, double meanEntropy, int tokens) {}

  /**
   * Forward, loss and backward of an objective; gradients are added into {@code params.grad}
   * (the caller zeroes them). Teacher forcing: the decoder reads START then the row's tokens.
   */
  LossParts lossAndGradients(Objective o, boolean training) {
    int r = o.sources().length;
    int tt = 0;
    for (int[] y : o.tokens()) {
      tt = Math.max(tt, y.length);
    }
    checkIds(o.tokens(), cfg.targetVocab(), "target");
    Encoded en = encode(o.sources(), training);
    int[] inIds = new int[tt * r];
    int[] outIds = new int[tt * r];
    double[] w = new double[tt * r];
    double[] ew = new double[tt * r];
    int tokens = 0;
    for (int i = 0; i < r; i++) {
      tokens += o.lengths()[i];
      for (int t = 0; t < tt; t++) {
        int idx = t * r + i;
        inIds[idx] = t == 0 ? Tokens.START : (t - 1 < o.lengths()[i] ? o.tokens()[i][t - 1] : Tokens.PAD);
        boolean live = t < o.lengths()[i];
        outIds[idx] = live ? o.tokens()[i][t] : Tokens.END;
        w[idx] = live ? o.weight()[i][t] : 0;
        ew[idx] = live && o.entropyWeight() != null ? o.entropyWeight()[i][t] : 0;
      }
    }
    INDArray inOneHot = oneHot(inIds, cfg.targetVocab());
    INDArray emb = inOneHot.mmul(params.get("tgt.emb"));
    INDArray xpAll = emb.mmul(wxEmb()).addi(params.get("dec.b"));
    INDArray h = bridge(en);
    INDArray s0 = h;
    INDArray c = cfg.cell() == CellType.LSTM ? Nd4j.zeros(type, r, hd) : null;
    DecStep[] steps = new DecStep[tt];
    INDArray outAll = Nd4j.zeros(type, (long) tt * r, hd);
    INDArray sPrevAll = Nd4j.zeros(type, (long) tt * r, hd);
    for (int t = 0; t < tt; t++) {
      rows(sPrevAll, t, r).assign(h);
      DecStep st = decStep(en, rows(xpAll, t, r), rows(emb, t, r), h, c);
      steps[t] = st;
      rows(outAll, t, r).assign(decOutput(st));
      h = st.cell.hOut;
      c = st.cell.cOut;
    }
    INDArray logits = outAll.mmul(params.get("out.W")).addi(params.get("out.b"));
    double[][] lg = toMatrix(logits);
    double[][] dl = new double[lg.length][cfg.targetVocab()];
    double[] parts = LossMath.weightedNllWithEntropy(lg, outIds, w, ew, dl);
    double entSum = 0;
    double[] lp = new double[cfg.targetVocab()];
    for (int i = 0; i < lg.length; i++) {
      int row = i % r;
      if (i / r < o.lengths()[row]) {
        LossMath.logSoftmax(lg[i], 1.0, lp);
        entSum += LossMath.entropy(lp);
      }
    }
    INDArray dLogits = matrix(dl);
    boolean shared = cfg.criticTrunk() == CriticTrunk.SHARED;
    // critic heads
    double critic = 0;
    INDArray dFin = null;
    INDArray dSPrev = null;
    if (o.sequenceTargets() != null && cfg.criticHeads().contains(CriticHead.SEQUENCE)) {
      double[] v = flat(head("vseq", en.fin));
      double[] gv = new double[r];
      double[] wt = new double[r];
      Arrays.fill(wt, 1.0 / o.rowsNorm());
      critic += LossMath.squaredError(v, o.sequenceTargets(), wt, gv);
      for (int i = 0; i < r; i++) {
        gv[i] *= o.criticCoefficient();
      }
      INDArray dIn = headBackward("vseq", en.fin, column(gv));
      if (shared) {
        dFin = dIn;
      }
    }
    if (o.stepTargets() != null && cfg.criticHeads().contains(CriticHead.STEP)) {
      double[] v = flat(head("vstep", sPrevAll));
      double[] tg = new double[tt * r];
      double[] wt = new double[tt * r];
      for (int i = 0; i < r; i++) {
        for (int t = 0; t < tt && t < o.lengths()[i]; t++) {
          tg[t * r + i] = o.stepTargets()[i][t];
          wt[t * r + i] = 1.0 / o.rowsNorm();
        }
      }
      double[] gv = new double[tt * r];
      critic += LossMath.squaredError(v, tg, wt, gv);
      for (int i = 0; i < gv.length; i++) {
        gv[i] *= o.criticCoefficient();
      }
      INDArray dIn = headBackward("vstep", sPrevAll, column(gv));
      if (shared) {
        dSPrev = dIn;
      }
    }
    // backward through the output layer and the decoder
    addTransposedProduct(params.g("out.W"), outAll, dLogits);
    addColumnSums(params.g("out.b"), dLogits);
    INDArray dOutAll = dLogits.mmul(params.get("out.W").transpose());
    INDArray dBsd = Nd4j.zeros(type, en.batch, en.len, encWidth);
    INDArray dKeys = en.keys == null ? null : Nd4j.zeros(type, en.batch, en.len, en.keys.size(2));
    int g = decCell.gates();
    INDArray dA = Nd4j.zeros(type, (long) tt * r, g * hd);
    INDArray dHH = cfg.cell() == CellType.GRU ? Nd4j.zeros(type, (long) tt * r, g * hd) : dA;
    INDArray dh = Nd4j.zeros(type, r, hd);
    INDArray dc = c == null ? null : Nd4j.zeros(type, r, hd);
    INDArray xInAll = cfg.attention() == Attention.ADDITIVE ? Nd4j.zeros(type, (long) tt * r, cfg.embedding() + encWidth) : emb;
    for (int t = tt - 1; t >= 0; t--) {
      DecStep st = steps[t];
      INDArray dOut = rows(dOutAll, t, r);
      if (cfg.attention() == Attention.DOT) {
        dh.addi(dotBackward(en, st.att, dOut, dBsd, dKeys));
      } else {
        dh.addi(dOut);
      }
      Cell.Grad cg = decCell.backward(st.cell, dh, dc);
      rows(dA, t, r).assign(cg.dA);
      if (dHH != dA) {
        rows(dHH, t, r).assign(cg.dHH);
      }
      dh = cg.dh;
      dc = cg.dc;
      if (cfg.attention() == Attention.ADDITIVE) {
        rows(xInAll, t, r).assign(st.xIn);
        INDArray wxCtx = params.get("dec.Wx").get(interval(cfg.embedding(), cfg.embedding() + encWidth), all());
        INDArray dCtx = cg.dA.mmul(wxCtx.transpose());
        dh.addi(additiveBackward(en, st.att, dCtx, dBsd, dKeys));
      }
      if (dSPrev != null) {
        dh.addi(rows(dSPrev, t, r));
      }
    }
    accumulateCellGrads(decCell, xInAll, sPrevAll, dA, dHH);
    INDArray dEmb = dA.mmul(wxEmb().transpose());
    addTransposedProduct(params.g("tgt.emb"), inOneHot, dEmb);
    // bridge: s0 = tanh(fin W + b)
    INDArray dPre = s0.mul(s0).rsubi(1.0).muli(dh);
    addTransposedProduct(params.g("bridge.W"), en.fin, dPre);
    addColumnSums(params.g("bridge.b"), dPre);
    INDArray dF = dPre.mmul(params.get("bridge.W").transpose());
    if (dFin != null) {
      dF.addi(dFin);
    }
    if (dKeys != null) {
      long bs = (long) en.batch * en.len;
      String kName = cfg.attention() == Attention.ADDITIVE ? "att.Uk" : "att.Wk";
      INDArray flatEnc = en.bsd.reshape(bs, encWidth);
      INDArray dk = dKeys.reshape(bs, dKeys.size(2));
      addTransposedProduct(params.g(kName), flatEnc, dk);
      dBsd.addi(dk.mmul(params.get(kName).transpose()).reshape(en.batch, en.len, encWidth));
    }
    encodeBackward(en, dBsd, dF);
    double loss = parts[0] - parts[1] + o.criticCoefficient() * critic;
    return new LossParts(loss, parts[0], parts[1], critic, tokens == 0 ? 0 : entSum / tokens, tokens);
  }

  private UpdateStats optimize(Objective o, OptimizerSettings opt) {
    params.zeroGrad();
    LossParts lp = lossAndGradients(o, true);
    double norm = params.gradNorm();
    double scale = opt.clips() && norm > opt.maxGradNorm() ? opt.maxGradNorm() / (norm + 1e-12) : 1.0;
    step++;
    params.adam(opt.learningRate(), step, scale);
    return new UpdateStats(lp.loss(), lp.policy(), lp.critic(), lp.meanEntropy(), norm, lp.tokens());
  }

  static Objective mleObjective(int[][] sources, int[][] targets) {
    int b = sources.length;
    int[][] tokens = new int[b][];
    int[] lengths = new int[b];
    double[][] w = new double[b][];
    for (int i = 0; i < b; i++) {
      tokens[i] = Arrays.copyOf(targets[i], targets[i].length + 1);
      tokens[i][targets[i].length] = Tokens.END;
      lengths[i] = tokens[i].length;
      w[i] = new double[lengths[i]];
      Arrays.fill(w[i], 1.0 / b);
    }
    return new Objective(sources, tokens, lengths, w, null, null, null, 0, b);
  }

  static Objective policyGradientObjective(PolicyGradientBatch batch) {
    Rollout ro = batch.rollout();
    int n = ro.rows();
    double[][] w = new double[n][];
    double[][] ew = new double[n][];
    for (int i = 0; i < n; i++) {
      w[i] = new double[ro.maxLength()];
      ew[i] = new double[ro.maxLength()];
      for (int t = 0; t < ro.lengths()[i]; t++) {
        w[i][t] = batch.advantages()[i][t] / n;
        ew[i][t] = batch.entropyCoefficient() / n;
      }
    }
    return new Objective(repeat(ro.sources(), ro.samplesPerInput()), ro.tokens(), ro.lengths(), w, ew,
        batch.sequenceTargets(), batch.stepTargets(), batch.criticLossCoefficient(), n);
  }

  @Override
  public UpdateStats mleStep(int[][] sources, int[][] targets, OptimizerSettings optimizer) {
    if (sources.length != targets.length) {
      throw new IllegalArgumentException("mleStep: " + sources.length + " sources but " + targets.length + " targets");
    }
    return inWorkspace(() -> optimize(mleObjective(sources, targets), optimizer));
  }

  @Override
  public UpdateStats update(PolicyGradientBatch batch, OptimizerSettings optimizer) {
    if (batch.sequenceTargets() != null && !cfg.criticHeads().contains(CriticHead.SEQUENCE)
        || batch.stepTargets() != null && !cfg.criticHeads().contains(CriticHead.STEP)) {
      throw new IllegalArgumentException("the batch has targets for a critic head this policy does not carry; heads: "
          + cfg.criticHeads() + " (set model.criticHeads)");
    }
    return inWorkspace(() -> optimize(policyGradientObjective(batch), optimizer));
  }

  // ---------------------------------------------------------------- decoding

  private Rollout decode(int[][] sources, int k, double temperature, int maxLength, boolean greedy) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
    }
    if (!greedy && !(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    int[][] rowsSrc = repeat(sources, k);
    int r = rowsSrc.length;
    Encoded en = repeatRows(encode(sources, false), k);
    boolean seqHead = cfg.criticHeads().contains(CriticHead.SEQUENCE);
    boolean stepHead = cfg.criticHeads().contains(CriticHead.STEP);
    double[] seqValues = seqHead ? flat(head("vseq", en.fin)) : null;
    INDArray embProj = params.get("tgt.emb").mmul(wxEmb()).addi(params.get("dec.b"));
    INDArray h = bridge(en);
    INDArray c = cfg.cell() == CellType.LSTM ? Nd4j.zeros(type, r, hd) : null;
    int[] prev = new int[r];
    Arrays.fill(prev, Tokens.START);
    List<int[]> toks = new ArrayList<>();
    List<double[]> lps = new ArrayList<>();
    List<double[]> ents = new ArrayList<>();
    List<double[]> vals = new ArrayList<>();
    List<double[][]> atts = new ArrayList<>();
    int[] lengths = new int[r];
    boolean[] done = new boolean[r];
    int live = r;
    double[] lp = new double[cfg.targetVocab()];
    double[] lpT = new double[cfg.targetVocab()];
    for (int t = 0; t < maxLength && live > 0; t++) {
      if (stepHead) {
        vals.add(flat(head("vstep", h)));
      }
      INDArray xp = Nd4j.pullRows(embProj, 1, prev);
      DecStep st = decStep(en, xp, null, h, c);
      if (st.att != null) {
        atts.add(toMatrix(st.att.alpha));
      }
      INDArray logits = decOutput(st).mmul(params.get("out.W")).addi(params.get("out.b"));
      double[][] lg = toMatrix(logits);
      int[] y = new int[r];
      double[] stepLp = new double[r];
      double[] stepEnt = new double[r];
      for (int i = 0; i < r; i++) {
        if (done[i]) {
          y[i] = Tokens.PAD;
          continue;
        }
        LossMath.logSoftmax(lg[i], 1.0, lp);
        int choice;
        if (greedy) {
          choice = argmax(lp);
        } else {
          if (temperature != 1.0) {
            LossMath.logSoftmax(lg[i], temperature, lpT);
            choice = draw(lpT);
          } else {
            choice = draw(lp);
          }
        }
        y[i] = choice;
        stepLp[i] = lp[choice];
        stepEnt[i] = LossMath.entropy(lp);
        lengths[i] = t + 1;
        if (choice == Tokens.END) {
          done[i] = true;
          live--;
        }
      }
      toks.add(y);
      lps.add(stepLp);
      ents.add(stepEnt);
      h = st.cell.hOut;
      c = st.cell.cOut;
      prev = y.clone();
      for (int i = 0; i < r; i++) {
        if (prev[i] == Tokens.PAD) {
          prev[i] = Tokens.END;
        }
      }
    }
    int steps = toks.size();
    int[][] tokens = new int[r][steps];
    double[][] logProbs = new double[r][steps];
    double[][] entropies = new double[r][steps];
    double[][] stepValues = stepHead ? new double[r][steps] : null;
    double[][][] attention = atts.isEmpty() ? null : new double[r][steps][];
    for (int i = 0; i < r; i++) {
      for (int t = 0; t < steps; t++) {
        boolean in = t < lengths[i];
        tokens[i][t] = in ? toks.get(t)[i] : Tokens.PAD;
        logProbs[i][t] = in ? lps.get(t)[i] : 0;
        entropies[i][t] = in ? ents.get(t)[i] : 0;
        if (stepValues != null) {
          stepValues[i][t] = in ? vals.get(t)[i] : 0;
        }
        if (attention != null) {
          attention[i][t] = in ? Arrays.copyOf(atts.get(t)[i], rowsSrc[i].length) : new double[rowsSrc[i].length];
        }
      }
    }
    return new Rollout(sources, k, tokens, lengths, logProbs, entropies, seqValues, stepValues, attention);
  }

  private static int argmax(double[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (a[i] > a[best]) {
        best = i;
      }
    }
    return best;
  }

  private int draw(double[] logp) {
    double u = rng.nextDouble();
    double acc = 0;
    int last = -1;
    for (int k = 0; k < logp.length; k++) {
      if (logp[k] == Double.NEGATIVE_INFINITY) {
        continue;
      }
      acc += Math.exp(logp[k]);
      last = k;
      if (u < acc) {
        return k;
      }
    }
    return last; // rounding left u above the total mass
  }

  @Override
  public Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength) {
    return inWorkspace(() -> decode(sources, samplesPerInput, temperature, maxLength, false));
  }

  @Override
  public Rollout greedy(int[][] sources, int maxLength) {
    return inWorkspace(() -> decode(sources, 1, 1.0, maxLength, true));
  }

  /** Beam search; also the scores (sum of log-probabilities, end token included when produced). */
  public BeamResult beamSearchWithScores(int[][] sources, int beamWidth, int maxLength) {
    return inWorkspace(() -> beam(sources, beamWidth, maxLength));
  }

  private BeamResult beam(int[][] sources, int beamWidth, int maxLength) {
    if (beamWidth < 1) {
      throw new IllegalArgumentException("beamWidth must be >= 1, got " + beamWidth);
    }
    int b = sources.length;
    int w = beamWidth;
    int r = b * w;
    Encoded en = repeatRows(encode(sources, false), w);
    INDArray embProj = params.get("tgt.emb").mmul(wxEmb()).addi(params.get("dec.b"));
    INDArray h = bridge(en);
    INDArray c = cfg.cell() == CellType.LSTM ? Nd4j.zeros(type, r, hd) : null;
    double[] score = new double[r];
    int[][] hyp = new int[r][0];
    for (int i = 0; i < r; i++) {
      score[i] = i % w == 0 ? 0 : Double.NEGATIVE_INFINITY; // one live beam per source at the start
    }
    int[] prev = new int[r];
    Arrays.fill(prev, Tokens.START);
    int[][] best = new int[b][];
    double[] bestScore = new double[b];
    Arrays.fill(bestScore, Double.NEGATIVE_INFINITY);
    boolean[] done = new boolean[b];
    double[] lp = new double[cfg.targetVocab()];
    int vocab = cfg.targetVocab();
    double[] candScore = new double[w * vocab];
    int[] candRow = new int[w * vocab];
    int[] candTok = new int[w * vocab];
    for (int t = 0; t < maxLength; t++) {
      DecStep st = decStep(en, Nd4j.pullRows(embProj, 1, prev), null, h, c);
      double[][] lg = toMatrix(decOutput(st).mmul(params.get("out.W")).addi(params.get("out.b")));
      int[] parent = new int[r];
      int[] next = new int[r];
      double[] nextScore = new double[r];
      int[][] nextHyp = new int[r][];
      boolean allDone = true;
      for (int s = 0; s < b; s++) {
        // candidates in (beam, token) order; taken best first, the first of equal scores first
        // (what a stable sort of that order gives), until w live hypotheses are placed
        int nc = 0;
        for (int k = 0; k < w; k++) {
          int row = s * w + k;
          if (score[row] == Double.NEGATIVE_INFINITY || done[s]) {
            continue;
          }
          LossMath.logSoftmax(lg[row], 1.0, lp);
          for (int v = 0; v < vocab; v++) {
            if (lp[v] != Double.NEGATIVE_INFINITY) {
              candScore[nc] = score[row] + lp[v];
              candRow[nc] = row;
              candTok[nc] = v;
              nc++;
            }
          }
        }
        int filled = 0;
        for (int taken = 0; taken < nc && filled < w; taken++) {
          int bi = -1;
          for (int j = 0; j < nc; j++) {
            if (candRow[j] >= 0 && (bi < 0 || candScore[j] > candScore[bi])) {
              bi = j;
            }
          }
          double cs = candScore[bi];
          int row = candRow[bi];
          int tok = candTok[bi];
          candRow[bi] = -1;
          if (tok == Tokens.END) {
            if (cs > bestScore[s]) {
              bestScore[s] = cs;
              best[s] = hyp[row];
            }
            continue;
          }
          int dst = s * w + filled++;
          parent[dst] = row;
          next[dst] = tok;
          nextScore[dst] = cs;
          int[] hy = Arrays.copyOf(hyp[row], hyp[row].length + 1);
          hy[hyp[row].length] = tok;
          nextHyp[dst] = hy;
        }
        double bestAlive = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < w; k++) {
          int dst = s * w + k;
          if (k >= filled) {
            parent[dst] = s * w;
            next[dst] = Tokens.END;
            nextScore[dst] = Double.NEGATIVE_INFINITY;
            nextHyp[dst] = new int[0];
          }
          bestAlive = Math.max(bestAlive, nextScore[dst]);
        }
        // log-probabilities only fall as a hypothesis grows: no live beam can beat a finished better one
        if (done[s] || bestScore[s] >= bestAlive) {
          done[s] = true;
        } else {
          allDone = false;
        }
      }
      score = nextScore;
      hyp = nextHyp;
      h = Nd4j.pullRows(st.cell.hOut, 1, parent);
      c = c == null ? null : Nd4j.pullRows(st.cell.cOut, 1, parent);
      prev = next;
      if (allDone) {
        break;
      }
    }
    for (int s = 0; s < b; s++) {
      if (!done[s]) { // maxLength reached: unfinished hypotheses compete too
        for (int k = 0; k < w; k++) {
          int row = s * w + k;
          if (score[row] > bestScore[s]) {
            bestScore[s] = score[row];
            best[s] = hyp[row];
          }
        }
      }
      if (best[s] == null) {
        best[s] = new int[0];
      }
    }
    if (w > 1) {
      // Beam pruning can drop the greedy path and end lower; the greedy hypothesis competes too,
      // so a wider beam never returns a less likely sequence than greedy decoding.
      Rollout g = decode(sources, 1, 1.0, maxLength, true);
      for (int s = 0; s < b; s++) {
        double gs = 0;
        for (int t = 0; t < g.lengths()[s]; t++) {
          gs += g.logProbs()[s][t];
        }
        if (gs > bestScore[s]) {
          bestScore[s] = gs;
          best[s] = g.hypothesis(s);
        }
      }
    }
    return new BeamResult(best, bestScore);
  }

  /** Best hypotheses (tokens before the end) and their total log-probabilities. */
  public record BeamResult(int[][] hypotheses, double[] scores) {}

  @Override
  public int[][] beamSearch(int[][] sources, int beamWidth, int maxLength) {
    return beamSearchWithScores(sources, beamWidth, maxLength).hypotheses();
  }

  @Override
  public Set<CriticHead> criticHeads() {
    return cfg.criticHeads();
  }

  // ---------------------------------------------------------------- checkpoints

  @Override
  public void save(Path directory) throws IOException {
    Checkpoints.save(directory, cfg, params, step, rng.state(), dropoutRng.state());
  }

  @Override
  public void restore(Path directory) throws IOException {
    Checkpoints.State s = Checkpoints.restore(directory, cfg, params);
    step = s.step();
    rng.setState(s.rngState());
    dropoutRng.setState(s.dropoutRngState());
  }

  @Override
  public void close() {
    if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(workspaceId)) {
      Nd4j.getWorkspaceManager().destroyWorkspace(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(workspaceId));
    }
    // Arrays are released by ND4J's deallocator once unreachable; drop our references now.
    params.value.clear();
    params.grad.clear();
    params.m.clear();
    params.v.clear();
  }
}
