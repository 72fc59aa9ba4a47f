package org.seqrl.agents;

import org.seqrl.agents.Seq2SeqConfig.CellType;

/**
 * A recurrent cell: one kind per class ({@link GruCell}, {@link LstmCell}, {@link PeepholeLstmCell},
 * {@link ElmanCell}, {@link IrnnCell}). Its state is a list of
 * arrays, each {@code [rows, hidden]}, the output {@code h} first (GRU: h; LSTM: h, c); everything
 * that runs the cell (encoder, decoder, search, checkpoints) sees only this role and {@link CellRun}.
 *
 * <p>Input-side work is batched: {@link #project} computes the input pre-activations of a whole run
 * in one product per gate; a {@link CellRun} then adds the recurrent side step by step.
 */
interface RecurrentCell {
  int hidden();

  /** Input-side pre-activation arrays per position ({@code gates() * hidden} input columns of Wx). */
  int gates();

  /** Arrays in the state, {@code h} first. */
  int stateArrays();

  /**
   * Width per row of state array k: the hidden size for every array of the recurrent cells; a
   * memory-augmented cell's memory, read vectors and weightings are wider or narrower. Whoever
   * holds a state at offset {@code off} of the h array finds array k at {@code off / hidden() * stateWidth(k)}.
   */
  default int stateWidth(int k) {
    return hidden();
  }

  /**
   * Input-side pre-activations for {@code rows} rows of {@code x} ({@code inWidth} wide, at
   * {@code xOff}) times the rows {@code [wxRow, wxRow + inWidth)} of the input weights, plus the
   * biases that enter them; planar {@code [gate][rows * hidden]}.
   */
  float[][] project(Blas blas, float[] x, int xOff, int rows, int inWidth, int wxRow);

  /** A run over {@code steps} positions of {@code batch} rows from pre-activations {@code pre} (which it keeps and overwrites). */
  CellRun run(int steps, int batch, int[] lengths, float[][] pre);

  /** The state a run starts from when {@code h} [rows, H] is given: h, the other arrays zero. */
  default float[][] startState(float[] h, int rows) {
    float[][] s = new float[stateArrays()][];
    s[0] = h;
    for (int k = 1; k < s.length; k++) {
      s[k] = new float[rows * hidden()];
    }
    return s;
  }

  /** Creates the cell of that kind and its parameters {@code prefix.*} (input width {@code in}). */
  static RecurrentCell create(CellType type, Params params, String prefix, int in, int hidden, Rng init) {
    return create(type, NtmSpec.DEFAULT, params, prefix, in, hidden, init);
  }

  /** The same, with the memory shape an {@link CellType#NTM} cell takes (ignored by the others). */
  static RecurrentCell create(CellType type, NtmSpec memory, Params params, String prefix, int in, int hidden, Rng init) {
    return switch (type) {
      case NTM -> new NtmCell(params, prefix, in, hidden, memory, init);
      case GRU -> new GruCell(params, prefix, in, hidden, init);
      case LSTM -> new LstmCell(params, prefix, in, hidden, init);
      case LSTM_PEEPHOLE -> new PeepholeLstmCell(params, prefix, in, hidden, init);
      case RNN_TANH -> new ElmanCell(params, prefix, in, hidden, init);
      case IRNN -> new IrnnCell(params, prefix, in, hidden, init);
    };
  }
}
