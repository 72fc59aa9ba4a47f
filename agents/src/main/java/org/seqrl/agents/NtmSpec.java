package org.seqrl.agents;

/**
 * Shape of a Neural Turing Machine cell ({@code model.cell: ntm}): a memory of {@code slots} x
 * {@code width}, read and write heads, the shift range of location addressing, the controller
 * kind, and the constant every memory entry starts at. The controller's size is the model's hidden
 * size: its output is the cell's output {@code h}, what the output layer and the critics read.
 *
 * @param slots memory slots N, >= 2
 * @param width memory width M, >= 1
 * @param readHeads read heads, >= 1
 * @param writeHeads write heads, >= 1
 * @param shiftRange shifts -S..S of the convolutional shift, 0 <= S and 2S+1 <= N
 * @param controller LSTM or feed-forward
 * @param init the value of every memory entry at the start, |init| <= 1
 */
public record NtmSpec(int slots, int width, int readHeads, int writeHeads, int shiftRange, Controller controller,
    double init) {

  /** The controller network: an LSTM (state h, c) or one tanh layer (state h, unused by the next step). */
  public enum Controller { LSTM, FEEDFORWARD }

  /** The copy-task setup of the paper (128 x 20, one head each, shifts -1..1), memory starting at 1e-6. */
  public static final NtmSpec DEFAULT = new NtmSpec(128, 20, 1, 1, 1, Controller.LSTM, 1e-6);

  public NtmSpec {
    require(slots >= 2, "slots", slots, ">= 2");
    require(width >= 1, "width", width, ">= 1");
    require(readHeads >= 1, "read_heads", readHeads, ">= 1");
    require(writeHeads >= 1, "write_heads", writeHeads, ">= 1");
    require(shiftRange >= 0 && 2 * shiftRange + 1 <= slots, "shift_range", shiftRange,
        "in [0, (slots - 1) / 2] = [0, " + (slots - 1) / 2 + "]");
    require(controller != null, "controller", controller, "lstm or feedforward");
    require(Math.abs(init) <= 1 && !Double.isNaN(init), "init", init, "a constant in [-1, 1] (1e-6 by default)");
  }

  private static void require(boolean ok, String field, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException("model.memory." + field + ": " + value + " is invalid; expected " + expected);
    }
  }

  /** Interface entries of one head's addressing: key M, strength, gate, 2S+1 shift logits, sharpening. */
  int addressWidth() {
    return width + 2 * shiftRange + 4;
  }

  /** Interface entries per row: every head's addressing, plus erase and add vectors per write head. */
  int interfaceWidth() {
    return (readHeads + writeHeads) * addressWidth() + writeHeads * 2 * width;
  }
}
