package org.seqrl.experiments.train;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.seqrl.rl.Reward;
import org.seqrl.rl.Tokens;

/**
 * Scores subword ids on their detokenized text, so that a bpe run is scored on the words of its
 * output as a word-level run would be (and not rewarded for matching subword pieces): ids to text, text
 * to whitespace-separated words, words to ids of a {@link Words} table, then the word-level reward.
 */
final class DetokenizedReward implements Reward {
  private final Reward onWords;
  private final Words words;

  DetokenizedReward(Reward onWords, Words words) {
    this.onWords = onWords;
    this.words = words;
  }

  @Override
  public double score(int[] hypothesis, int[][] references) {
    return onWords.score(words.of(hypothesis), words.of(references));
  }

  @Override
  public String name() {
    return onWords.name();
  }

  @Override
  public Map<String, Double> components(int[] hypothesis, int[][] references) {
    return onWords.components(words.of(hypothesis), words.of(references));
  }

  /**
   * Word ids of detokenized target ids, given out on first sight; shared by the rewards and metrics of a run and
   * safe to use from several threads (rewards may be scored in parallel).
   */
  static final class Words {
    private final Function<int[], String> detokenize;
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    private final List<String> texts = new CopyOnWriteArrayList<>();

    Words(Function<int[], String> detokenize) {
      this.detokenize = detokenize;
    }

    int[] of(int[] targetIds) {
      String text = detokenize.apply(targetIds).strip();
      if (text.isEmpty()) {
        return new int[0];
      }
      String[] split = text.split("\\s+");
      int[] out = new int[split.length];
      for (int i = 0; i < split.length; i++) {
        out[i] = ids.computeIfAbsent(split[i], this::add);
      }
      return out;
    }

    int[][] of(int[][] targetIds) {
      int[][] out = new int[targetIds.length][];
      for (int i = 0; i < out.length; i++) {
        out[i] = of(targetIds[i]);
      }
      return out;
    }

    /** The word of a word id (for the rewards that score text, chrF and sacreBLEU). */
    String text(int id) {
      return texts.get(id - Tokens.FIRST_REGULAR);
    }

    private synchronized int add(String word) {
      // Word ids start after the reserved ids, so that no reward mistakes a word for pad, start, end or unknown.
      texts.add(word);
      return Tokens.FIRST_REGULAR + texts.size() - 1;
    }
  }
}
