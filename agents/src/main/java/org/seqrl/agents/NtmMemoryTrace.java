package org.seqrl.agents;

import java.util.Arrays;
import org.seqrl.agents.NtmSpec.Controller;

/** An NTM's memory at work (issue 17), read out of an encoder run and a decoder run: see {@link Seq2SeqPolicy#memoryTrace}. */
final class NtmMemoryTrace {
  private NtmMemoryTrace() {}

  /**
   * The first write head's and the first read head's weightings, row 0 of the encoder run {@code enc}
   * at its {@code sourceSteps} steps, then of the decoder run {@code dec} at its {@code decoderSteps}.
   */
  static Seq2SeqPolicy.MemoryTrace of(NtmSpec m, CellRun enc, int sourceSteps, CellRun dec, int decoderSteps) {
    return new Seq2SeqPolicy.MemoryTrace(sourceSteps,
        firstHead(m, enc, sourceSteps, true, firstHead(m, dec, decoderSteps, true, null)),
        firstHead(m, enc, sourceSteps, false, firstHead(m, dec, decoderSteps, false, null)));
  }

  /**
   * Row 0's first write (or read) head weighting at positions [0, steps) of a run of an NTM of
   * shape {@code spec}, followed by the rows of {@code then} (may be null): [steps + ..][slots].
   */
  private static float[][] firstHead(NtmSpec spec, CellRun run, int steps, boolean write, float[][] then) {
    int mem = spec.controller() == Controller.LSTM ? 2 : 1;
    int width = (write ? spec.writeHeads() : spec.readHeads()) * spec.slots();
    float[] a = run.out[mem + (write ? 3 : 2)];
    int extra = then == null ? 0 : then.length;
    float[][] w = new float[steps + extra][];
    for (int t = 0; t < steps; t++) {
      int o = t * run.batch * width;
      w[t] = Arrays.copyOfRange(a, o, o + spec.slots());
    }
    for (int t = 0; t < extra; t++) {
      w[steps + t] = then[t];
    }
    return w;
  }
}
