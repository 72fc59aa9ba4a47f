package org.seqrl.experiments.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Train, dev and test examples with their vocabularies (built from train, or from the whole alphabet
 * for synthetic tasks). {@code level} says how source strings were split into tokens;
 * {@code skippedLines} counts input lines left out (bad lines under bad_lines: skip, or too long),
 * with the first few reasons. For {@link TokenLevel#BPE} the two tokenizers are set (null otherwise)
 * and each vocabulary lists its tokenizer's tokens in the tokenizer's order.
 */
public record Dataset(List<Example> train, List<Example> dev, List<Example> test, Vocabulary sourceVocab,
                      Vocabulary targetVocab, TokenLevel level, int skippedLines, List<String> skipReasons,
                      SubwordTokenizer sourceTokenizer, SubwordTokenizer targetTokenizer) implements AutoCloseable {
  public Dataset {
    train = List.copyOf(train);
    dev = List.copyOf(dev);
    test = List.copyOf(test);
    skipReasons = List.copyOf(skipReasons);
    if ((level == TokenLevel.BPE) != (sourceTokenizer != null && targetTokenizer != null)) {
      throw new IllegalArgumentException("tokenizers are given exactly when the level is bpe (level " + level + ")");
    }
  }

  /** A character- or word-level dataset. */
  public Dataset(List<Example> train, List<Example> dev, List<Example> test, Vocabulary sourceVocab,
                 Vocabulary targetVocab, TokenLevel level, int skippedLines, List<String> skipReasons) {
    this(train, dev, test, sourceVocab, targetVocab, level, skippedLines, skipReasons, null, null);
  }

  /** Encodes a split with these vocabularies; unseen tokens become the unknown id. */
  public EncodedSplit encode(List<Example> examples) {
    int[][] sources = new int[examples.size()][];
    int[][][] references = new int[examples.size()][][];
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      sources[i] = sourceVocab.encode(e.source());
      references[i] = new int[e.references().size()][];
      for (int r = 0; r < references[i].length; r++) {
        references[i][r] = targetVocab.encode(e.references().get(r));
      }
    }
    return new EncodedSplit(sources, references);
  }

  /**
   * The text of target ids (up to the end id) as the data file would spell it: characters joined,
   * words joined by a space, subwords detokenized. An unknown id reads {@value Vocabulary#UNKNOWN}.
   */
  public String targetText(int[] ids) {
    return text(targetVocab, targetTokenizer, ids);
  }

  /** The text of source ids, as {@link #targetText} spells target ids. */
  public String sourceText(int[] ids) {
    return text(sourceVocab, sourceTokenizer, ids);
  }

  private String text(Vocabulary vocab, SubwordTokenizer tokenizer, int[] ids) {
    List<String> tokens = vocab.decode(ids);
    return switch (level) {
      case CHAR -> String.join("", tokens);
      case WORD -> String.join(" ", tokens);
      case BPE -> {
        // The tokenizer knows no unknown token: detokenize the runs between unknowns.
        StringBuilder text = new StringBuilder();
        List<String> run = new ArrayList<>();
        for (String token : tokens) {
          if (token.equals(Vocabulary.UNKNOWN)) {
            text.append(tokenizer.detokenize(run)).append(' ').append(Vocabulary.UNKNOWN).append(' ');
            run.clear();
          } else {
            run.add(token);
          }
        }
        yield text.append(tokenizer.detokenize(run)).toString();
      }
    };
  }

  /** Writes the tokenizers (bpe only) into {@code dir}, so that a checkpoint carries what encodes its data. */
  public void saveTokenizers(Path dir) throws IOException {
    if (level == TokenLevel.BPE) {
      sourceTokenizer.copyTo(dir);
      targetTokenizer.copyTo(dir);
    }
  }

  @Override
  public void close() {
    if (sourceTokenizer != null) {
      sourceTokenizer.close();
      targetTokenizer.close();
    }
  }
}
