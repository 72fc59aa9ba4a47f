package org.seqrl.agents;

import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.Init;

/**
 * A recurrent cell: one kind per class ({@link GruCell}, {@link LstmCell}, {@link PeepholeLstmCell},
 * {@link ElmanCell}, {@link IrnnCell}, the JZS mutants {@link Jzs1Cell}, {@link Jzs2Cell}, {@link Jzs3Cell}). Its state is a list of
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

  /**
   * Sets the recurrent weights (and what else the cell's kind defines, e.g. the LSTM forget-gate bias)
   * as {@code spec} says, after the constructor's draws; {@code init} is read, not advanced, so every
   * other parameter starts the same whatever the spec.
   */
  void initialise(Init spec, Rng init);

  /** Creates the cell of that kind and its parameters {@code prefix.*} (input width {@code in}), with the default init. */
  static RecurrentCell create(CellType type, Params params, String prefix, int in, int hidden, Rng init) {
    return create(type, Init.DEFAULT, params, prefix, in, hidden, init);
  }

  /** The same, initialised as {@code spec} says. */
  static RecurrentCell create(CellType type, Init spec, Params params, String prefix, int in, int hidden, Rng init) {
    RecurrentCell cell = switch (type) {
      case GRU -> new GruCell(params, prefix, in, hidden, init);
      case LSTM -> new LstmCell(params, prefix, in, hidden, init);
      case LSTM_PEEPHOLE -> new PeepholeLstmCell(params, prefix, in, hidden, init);
      case RNN_TANH -> new ElmanCell(params, prefix, in, hidden, init);
      case IRNN -> new IrnnCell(params, prefix, in, hidden, init);
      case JZS1 -> new Jzs1Cell(params, prefix, in, hidden, init);
      case JZS2 -> new Jzs2Cell(params, prefix, in, hidden, init);
      case JZS3 -> new Jzs3Cell(params, prefix, in, hidden, init);
    };
    cell.initialise(spec, init);
    return cell;
  }
}
