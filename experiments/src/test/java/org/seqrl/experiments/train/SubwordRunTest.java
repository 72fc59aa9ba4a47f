package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.SeqrlCli;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.experiments.config.SeqrlConfig;
import org.seqrl.experiments.data.Dataset;
import org.seqrl.rl.Reward;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.Tokens;

/** A word-level TSV task as subwords (data.tsv.level: bpe), from the CLI and through the run's parts. */
class SubwordRunTest {
  @TempDir Path tmp;

  private static final String[] WORDS = {"the", "cat", "dog", "sat", "on", "mat", "log", "a", "big", "small", "red",
      "house", "garden", "window", "running", "quickly", "yesterday", "tomorrow"};

  /** Word sequences and the same words reversed: a word-level task whose words are split into subwords. */
  private Path data() throws IOException {
    StringBuilder b = new StringBuilder();
    Random r = new Random(11);
    for (int i = 0; i < 400; i++) {
      List<String> s = new ArrayList<>();
      int n = 2 + r.nextInt(3);
      for (int k = 0; k < n; k++) {
        s.add(WORDS[r.nextInt(WORDS.length)]);
      }
      List<String> rev = new ArrayList<>(s);
      java.util.Collections.reverse(rev);
      b.append(String.join(" ", s)).append('\t').append(String.join(" ", rev)).append('\n');
    }
    Path f = tmp.resolve("words.tsv");
    Files.writeString(f, b.toString());
    return f;
  }

  private Path config(int pretrain, int rl, String reward) throws IOException {
    Path file = tmp.resolve("bpe.yaml");
    Files.writeString(file, """
        experiment: bpe-tests
        seed: 3
        data:
          task: tsv
          tsv: {train: %s, level: bpe, vocab_size: 300}
        model: {embedding: 16, hidden: 32, attention: additive}
        pretrain: {steps: %d, batch_size: 16, learning_rate: 0.01}
        rl: {steps: %d, reward: %s, baseline: scst, batch_size: 8, learning_rate: 0.003}
        eval: {every: 20, samples: 2, heatmaps: 0}
        """.formatted(data(), pretrain, rl, reward));
    return file;
  }

  @Test
  void aWordTaskTrainsAsSubwordsFromTheCliAndEvaluatesWithTheSavedTokenizer() throws IOException {
    Path cfg = config(40, 10, "{bleu: 0.5, chrf: 0.5}");
    Path run = tmp.resolve("run");
    int code = SeqrlCli.commandLine().execute("train", cfg.toString(), "--no-tracking", "--output", run.toString(),
        "--progress", "lines");
    assertEquals(0, code);
    assertTrue(Files.isRegularFile(run.resolve("tokenizer/source-tokenizer.json")));
    assertTrue(Files.isRegularFile(run.resolve("tokenizer/target-tokenizer.json")));
    Path best = run.resolve("checkpoints/latest");
    assertTrue(Files.isRegularFile(best.resolve("target-tokenizer.json")), "the checkpoint carries its tokenizer");
    assertEquals(Files.readString(run.resolve("tokenizer/target-tokenizer.json")),
        Files.readString(best.resolve("target-tokenizer.json")));
    // The vocabulary is the tokenizer's: at most vocab_size tokens plus the 4 reserved ids.
    long vocab = Files.readAllLines(best.resolve("target-vocab.txt")).size();
    assertTrue(vocab > Tokens.FIRST_REGULAR + 256 && vocab <= 300 + Tokens.FIRST_REGULAR, "vocabulary of " + vocab);

    Path json = tmp.resolve("eval.json");
    code = SeqrlCli.commandLine().execute("eval", "--checkpoint", run.toString(), "--split", "test",
        "--output", json.toString());
    assertEquals(0, code);
    JsonNode m = TrainingRun.JSON.readTree(json.toFile()).get("metrics");
    assertTrue(m.has("eval/sacrebleu") && m.has("eval/chrf"), m.toString());
  }

  @Test
  void rewardsScoreTheDetokenizedWordsNotTheSubwordIds() throws IOException {
    SeqrlConfig config = ConfigLoader.load(config(1, 1, "bleu"), List.of());
    try (RunComponents parts = RunComponents.build(config, tmp, new RunListener() {}, tmp.resolve("tok"))) {
      Dataset d = parts.dataset();
      List<String> reference = d.test().get(0).references().get(0);
      int[] ref = d.targetVocab().encode(reference);
      // The same text spelled with other subwords: one id per byte-level character, no merges.
      String text = d.targetTokenizer().detokenize(reference);
      List<String> spelled = new ArrayList<>();
      for (String piece : reference) {
        piece.codePoints().forEach(c -> spelled.add(Character.toString(c)));
      }
      int[] hyp = d.targetVocab().encode(spelled);
      assertTrue(ref.length < hyp.length, "the reference has merged subwords: " + reference);
      assertEquals(text, d.targetText(hyp));
      Reward reward = parts.reward();
      assertEquals("bleu", reward.name());
      assertEquals(1.0, reward.score(hyp, new int[][] {ref}), 1e-12, "same words, same score");
      assertEquals(1.0, reward.score(ref, new int[][] {ref}), 1e-12);
      // A wrong word costs what it costs at word level.
      int[] other = d.targetVocab().encode(d.targetTokenizer().tokenize(text + " extra"));
      assertTrue(reward.score(other, new int[][] {ref}) < 1.0);
    }
  }
}
