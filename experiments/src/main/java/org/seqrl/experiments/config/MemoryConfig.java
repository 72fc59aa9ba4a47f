package org.seqrl.experiments.config;

import org.seqrl.agents.NtmSpec;
import org.seqrl.agents.NtmSpec.Controller;

/**
 * {@code model.memory.*}: the memory of a Neural Turing Machine cell ({@code model.cell: ntm});
 * ignored by the other cells. The controller's size is {@code model.hidden}.
 */
public record MemoryConfig(int slots, int width, int readHeads, int writeHeads, int shiftRange, Controller controller,
                           double init) {
  public MemoryConfig {
    Checks.between("model.memory.slots", slots, 2, 4096);
    Checks.between("model.memory.width", width, 1, 4096);
    Checks.between("model.memory.read_heads", readHeads, 1, 16);
    Checks.between("model.memory.write_heads", writeHeads, 1, 16);
    Checks.between("model.memory.shift_range", shiftRange, 0, (slots - 1) / 2);
    Checks.required("model.memory.controller", controller);
    if (!(Math.abs(init) <= 1)) {
      throw new InvalidConfigException("model.memory.init", init + " is out of range; expected a number from -1 to 1 "
          + "(every memory entry starts at it; 1e-6 by default)");
    }
  }

  /** The agents module's shape of the memory. */
  public NtmSpec spec() {
    return new NtmSpec(slots, width, readHeads, writeHeads, shiftRange, controller, init);
  }

  public static MemoryConfig defaults() {
    NtmSpec d = NtmSpec.DEFAULT;
    return new MemoryConfig(d.slots(), d.width(), d.readHeads(), d.writeHeads(), d.shiftRange(), d.controller(), d.init());
  }
}
