package org.seqrl.agents;

import org.seqrl.rl.SequencePolicy;

/**
 * Which engine runs a {@link Seq2SeqConfig} (docs/design.md, "Engines"): the fast float32 engine
 * with hand-written passes, or the same model as a SameDiff graph trained by ND4J's autodiff (the
 * open door for users' graphs and export, and an independent check of the first; slower).
 */
public enum Engine {
  FAST,
  SAMEDIFF;

  /** Null when this engine builds {@code cfg}, else what it does not build, in one line. */
  public String unsupported(Seq2SeqConfig cfg) {
    return this == FAST ? null : SameDiffSeq2Seq.unsupported(cfg);
  }

  /**
   * The policy for {@code cfg}. A SameDiff graph is unrolled, so it needs the longest source and the
   * most decoder steps it will see ({@code maxSource}, {@code maxTarget}); the fast engine ignores them.
   */
  public SequencePolicy create(Seq2SeqConfig cfg, int maxSource, int maxTarget) {
    return this == FAST ? new Seq2SeqPolicy(cfg) : SameDiffSeq2Seq.policy(cfg, maxSource, maxTarget);
  }
}
