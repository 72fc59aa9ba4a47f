package org.seqrl.agents;

import org.seqrl.rl.SequencePolicy;
import org.seqrl.rl.Tokens;

/**
 * The channel model of noisy-channel rescoring: a model trained the other way round (for pronunciation,
 * phonemes to spelling) scores how well a proposal explains its source, log p(source | proposal). The
 * direct models ask which output is likely for the word; the channel asks which output would be spelled
 * this way, so a proposal that leaves a letter unexplained, or explains letters that are not there, pays.
 *
 * <p>The two models were built with their own vocabularies, so tokens are mapped: a proposal's tokens to
 * the channel's source ids, the source's tokens to its target ids.
 */
public final class ChannelScorer implements RescoringPolicy.Scorer {
  private final SequencePolicy channel;
  private final int[] proposalToChannelSource;
  private final int[] sourceToChannelTarget;

  /**
   * @param channel reads what the direct models write and writes what they read
   * @param proposalToChannelSource for each id of the direct models' target vocabulary, the channel's source id
   * @param sourceToChannelTarget for each id of the direct models' source vocabulary, the channel's target id
   */
  public ChannelScorer(SequencePolicy channel, int[] proposalToChannelSource, int[] sourceToChannelTarget) {
    this.channel = channel;
    this.proposalToChannelSource = proposalToChannelSource.clone();
    this.sourceToChannelTarget = sourceToChannelTarget.clone();
  }

  /**
   * log p(source | proposal), end token included, for every row. An empty proposal explains no source: it
   * scores negative infinity (the channel cannot read an empty input).
   */
  @Override
  public double[] logProbs(int[][] sources, int[][] proposals) {
    int n = proposals.length;
    int[] nonEmpty = new int[n];
    int count = 0;
    for (int r = 0; r < n; r++) {
      if (proposals[r].length > 0) {
        nonEmpty[count++] = r;
      }
    }
    int[][] channelSources = new int[count][];
    int[][] channelOutputs = new int[count][];
    for (int j = 0; j < count; j++) {
      int r = nonEmpty[j];
      channelSources[j] = mapped(proposals[r], proposalToChannelSource);
      channelOutputs[j] = mapped(sources[r], sourceToChannelTarget);
    }
    double[] scored = RescoringPolicy.teacherForced(channel, channelSources, channelOutputs);
    double[] out = new double[n];
    java.util.Arrays.fill(out, Double.NEGATIVE_INFINITY);
    for (int j = 0; j < count; j++) {
      out[nonEmpty[j]] = scored[j];
    }
    return out;
  }

  private static int[] mapped(int[] ids, int[] map) {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      int id = ids[i];
      out[i] = id >= 0 && id < map.length ? map[id] : Tokens.UNKNOWN;
    }
    return out;
  }
}
