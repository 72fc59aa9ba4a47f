package org.seqrl.agents;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.seqrl.agents.Seq2SeqConfig.CellType;

/**
 * One recurrent cell (GRU or LSTM) with hand-written forward and backward steps. The input
 * projection {@code x Wx + b} of all gates is computed by the caller (for every time step in one
 * matmul where possible); the cell adds {@code h Wh} with the gates fused in one matrix.
 *
 * <p>GRU (reset after the hidden matmul, as cuDNN): r,z = sigmoid(a + h Wh + bh); n = tanh(a_n + r (h Wh_n + bh_n));
 * h' = (1 - z) n + z h. LSTM, gates ordered i, f, o, g: c' = f c + i g; h' = o tanh(c').
 */
final class Cell {
  final CellType type;
  final int hidden;
  final String prefix;
  private final Params params;

  Cell(CellType type, int hidden, String prefix, Params params) {
    this.type = type;
    this.hidden = hidden;
    this.prefix = prefix;
    this.params = params;
  }

  int gates() {
    return type == CellType.GRU ? 3 : 4;
  }

  INDArray wx() { return params.get(prefix + ".Wx"); }
  INDArray wh() { return params.get(prefix + ".Wh"); }
  INDArray b() { return params.get(prefix + ".b"); }

  /** What the backward step needs from the forward one. */
  static final class Cache {
    INDArray h;
    INDArray c;
    INDArray gates; // GRU: sigmoid r,z [B,2H]; LSTM: sigmoid i,f,o [B,3H]
    INDArray cand; // GRU: n; LSTM: g
    INDArray aux; // GRU: hidden n pre-activation (h Wh_n + bh_n); LSTM: tanh(c')
    INDArray hOut;
    INDArray cOut;
  }

  /** One step from the input projection {@code xp} [B, G*H] and the previous state. */
  Cache forward(INDArray xp, INDArray h, INDArray c) {
    int hd = hidden;
    Cache k = new Cache();
    k.h = h;
    k.c = c;
    INDArray hh = h.mmul(wh());
    if (type == CellType.GRU) {
      hh.addi(params.get(prefix + ".bh"));
      INDArray rz = Transforms.sigmoid(xp.get(all(), interval(0, 2 * hd)).add(hh.get(all(), interval(0, 2 * hd))), false);
      INDArray hn = hh.get(all(), interval(2 * hd, 3 * hd));
      INDArray r = rz.get(all(), interval(0, hd));
      INDArray z = rz.get(all(), interval(hd, 2 * hd));
      INDArray n = Transforms.tanh(hn.mul(r).addi(xp.get(all(), interval(2 * hd, 3 * hd))), false);
      k.gates = rz;
      k.cand = n;
      k.aux = hn;
      k.hOut = h.sub(n).muli(z).addi(n);
    } else {
      INDArray a = hh.addi(xp);
      INDArray ifo = Transforms.sigmoid(a.get(all(), interval(0, 3 * hd)), true);
      INDArray g = Transforms.tanh(a.get(all(), interval(3 * hd, 4 * hd)), true);
      INDArray i = ifo.get(all(), interval(0, hd));
      INDArray f = ifo.get(all(), interval(hd, 2 * hd));
      INDArray o = ifo.get(all(), interval(2 * hd, 3 * hd));
      INDArray cn = c.mul(f).addi(i.mul(g));
      INDArray tc = Transforms.tanh(cn, true);
      k.gates = ifo;
      k.cand = g;
      k.aux = tc;
      k.cOut = cn;
      k.hOut = tc.mul(o);
    }
    return k;
  }

  /** Row-major contents of {@code a} as doubles (views and other orders are copied first). */
  static double[] read(INDArray a) {
    INDArray c = a.isView() || a.ordering() != 'c' || a.data().length() != a.length() ? a.dup('c') : a;
    return c.data().asDouble();
  }

  /** Gradients of one step: input-side pre-activations, hidden-side pre-activations, previous state. */
  static final class Grad {
    INDArray dA; // [B, G*H], gradient of xp
    INDArray dHH; // [B, G*H], gradient of h Wh (+ bh)
    INDArray dh;
    INDArray dc;
  }

  /** Backward of {@link #forward} for gradients {@code dh} of h' and {@code dc} of c' (LSTM; may be null). */
  Grad backward(Cache k, INDArray dh, INDArray dc) {
    int hd = hidden;
    Grad out = new Grad();
    if (type == CellType.GRU) {
      // One Java loop instead of ~17 small ND4J ops (each costs 10-25 us of dispatch at [32, 256]).
      int b = (int) dh.size(0);
      double[] rz = read(k.gates);
      double[] n = read(k.cand);
      double[] hn = read(k.aux);
      double[] h = read(k.h);
      double[] g = read(dh);
      double[] dA = new double[b * 3 * hd];
      double[] dHH = new double[b * 3 * hd];
      double[] dhz = new double[b * hd];
      for (int i = 0; i < b; i++) {
        int o2 = i * 2 * hd;
        int o3 = i * 3 * hd;
        int o1 = i * hd;
        for (int j = 0; j < hd; j++) {
          double r = rz[o2 + j];
          double z = rz[o2 + hd + j];
          double nv = n[o1 + j];
          double gh = g[o1 + j];
          double dan = (gh - gh * z) * (1.0 - nv * nv);
          double dr = dan * hn[o1 + j] * (r * (1.0 - r));
          double dz = gh * (h[o1 + j] - nv) * (z * (1.0 - z));
          dA[o3 + j] = dr;
          dA[o3 + hd + j] = dz;
          dA[o3 + 2 * hd + j] = dan;
          dHH[o3 + j] = dr;
          dHH[o3 + hd + j] = dz;
          dHH[o3 + 2 * hd + j] = dan * r;
          dhz[o1 + j] = gh * z;
        }
      }
      DataType t = dh.dataType();
      out.dA = Nd4j.create(dA, new long[] {b, 3L * hd}, t);
      out.dHH = Nd4j.create(dHH, new long[] {b, 3L * hd}, t);
      out.dh = Nd4j.create(dhz, new long[] {b, hd}, t);
      Nd4j.gemm(out.dHH, wh(), out.dh, false, true, 1.0, 1.0);
    } else {
      INDArray ifo = k.gates;
      INDArray i = ifo.get(all(), interval(0, hd));
      INDArray f = ifo.get(all(), interval(hd, 2 * hd));
      INDArray o = ifo.get(all(), interval(2 * hd, 3 * hd));
      INDArray tc = k.aux;
      INDArray dcTot = dh.mul(o).muli(tc.mul(tc).rsubi(1.0));
      if (dc != null) {
        dcTot.addi(dc);
      }
      INDArray di = dcTot.mul(k.cand);
      INDArray df = dcTot.mul(k.c);
      INDArray dO = dh.mul(tc);
      INDArray dIfo = Nd4j.hstack(di, df, dO).muli(ifo.mul(ifo.rsub(1.0)));
      INDArray dg = dcTot.mul(i).muli(k.cand.mul(k.cand).rsubi(1.0));
      out.dA = Nd4j.hstack(dIfo, dg);
      out.dHH = out.dA;
      out.dh = out.dA.mmul(wh().transpose());
      out.dc = dcTot.mul(f);
    }
    return out;
  }
}
