package org.seqrl.experiments.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.seqrl.agents.RescoringPolicy;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.data.Vocabulary;

/**
 * {@code seqrl eval --proposals}: every proposal rescoring saw, one a line, tab-separated under a header
 * ({@code search, source, proposal, rank_1.., logprob_1.., channel_1.., score, chosen}), tokens joined by
 * spaces; a channel's column is its log-probability of the source given the proposal. A
 * script can try other choosers on it (weights, length bonus, fewer proposals) without decoding again.
 */
final class ProposalWriter implements RescoringPolicy.ProposalLog, AutoCloseable {
  private final Path file;
  private final BufferedWriter out;
  private final Vocabulary sourceVocab;
  private final Vocabulary targetVocab;
  private final int channels;
  private boolean headerWritten;
  private boolean stopped;

  private ProposalWriter(Path file, BufferedWriter out, Vocabulary sourceVocab, Vocabulary targetVocab, int channels) {
    this.channels = channels;
    this.file = file;
    this.out = out;
    this.sourceVocab = sourceVocab;
    this.targetVocab = targetVocab;
  }

  /**
   * Creates (or replaces) {@code file}, its folders too; tokens are written with {@code parts}' vocabularies.
   *
   * @param channels how many of the scorers, the last ones, are channel models
   */
  static ProposalWriter open(Path file, RunComponents parts, int channels) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return new ProposalWriter(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8), parts.sourceVocab(),
          parts.targetVocab(), channels);
    } catch (IOException e) {
      throw failed(file, e);
    }
  }

  @Override
  public void proposals(String search, int[] source, int[][] candidates, int[][] ranks, double[][] logProbs,
      double[] scores, int chosen) {
    if (stopped) {
      return;
    }
    try {
      if (!headerWritten) {
        StringBuilder h = new StringBuilder("search\tsource\tproposal");
        for (int d = 1; d <= ranks[0].length; d++) {
          h.append("\trank_").append(d);
        }
        for (int m = 1; m <= logProbs.length - channels; m++) {
          h.append("\tlogprob_").append(m);
        }
        for (int c = 1; c <= channels; c++) {
          h.append("\tchannel_").append(c);
        }
        out.write(h.append("\tscore\tchosen\n").toString());
        headerWritten = true;
      }
      String src = String.join(" ", sourceVocab.decode(source));
      for (int c = 0; c < candidates.length; c++) {
        StringBuilder line = new StringBuilder(search).append('\t').append(src).append('\t')
            .append(String.join(" ", targetVocab.decode(candidates[c])));
        for (int rank : ranks[c]) {
          line.append('\t').append(rank);
        }
        for (double[] lp : logProbs) {
          line.append('\t').append(lp[c]); // Double.toString: reads back to the same double
        }
        line.append('\t').append(scores[c]).append('\t').append(c == chosen ? 1 : 0).append('\n');
        out.write(line.toString());
      }
    } catch (IOException e) {
      throw failed(file, e);
    }
  }

  /** Ignores what comes after: the evaluation decodes again for other reports. */
  void stop() {
    stopped = true;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw failed(file, e);
    }
  }

  private static UserInputException failed(Path file, IOException e) {
    return new UserInputException("--proposals " + file + ": cannot write (" + e.getMessage() + ")");
  }
}
