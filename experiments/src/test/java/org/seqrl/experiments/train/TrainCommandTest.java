package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.seqrl.experiments.train.CliRuns.evalMetrics;
import static org.seqrl.experiments.train.CliRuns.evalOnTest;
import static org.seqrl.experiments.train.CliRuns.mlflow;
import static org.seqrl.experiments.train.CliRuns.onlyRunId;
import static org.seqrl.experiments.train.CliRuns.resume;
import static org.seqrl.experiments.train.CliRuns.seqrl;
import static org.seqrl.experiments.train.CliRuns.summary;
import static org.seqrl.experiments.train.CliRuns.train;
import static org.seqrl.experiments.train.CliRuns.writeConfig;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.train.CliRuns.Result;

/** The train and eval commands as a user runs them: in-process, and as a real process that gets SIGTERM. */
class TrainCommandTest {
  @TempDir Path tmp;

  /** An NTM trains from the CLI on the paper's copy task and draws its memory's weightings at evaluations (issue 17). */
  @Test
  void ntmTrainsAndDrawsItsMemory() throws IOException {
    Path cfg = writeConfig(tmp, "ntm", """
        experiment: tiny-tests
        seed: 7
        data:
          task: copy
          alphabet: 5
          train_lengths: [2, 4]
          test_lengths: [6, 8]
          train_size: 200
          dev_size: 20
          test_size: 20
        model:
          cell: ntm
          embedding: 8
          hidden: 16
          memory: {slots: 10, width: 6}
        pretrain:
          steps: 20
          batch_size: 8
        rl:
          steps: 0
        eval:
          every: 20
          samples: 1
          heatmaps: 1
        """);
    Path run = tmp.resolve("ntm-run");
    train(cfg, run);
    try (var steps = Files.list(run.resolve("heatmaps"))) {
      Path step = steps.sorted().reduce((a, b) -> b).orElseThrow();
      assertTrue(Files.size(step.resolve("memory-write-0.png")) > 1000, "memory heatmaps are drawn: " + step);
      assertTrue(Files.size(step.resolve("memory-read-0.png")) > 1000);
      assertTrue(Files.notExists(step.resolve("example-0.png")), "no attention, no attention heatmap");
    }
  }

  @Test
  void trainsThenEvaluatesTheCheckpointWithBeamSearch() throws IOException {
    Path cfg = TinyRuns.config(tmp, "cli", 60, 20, "");
    Path run = tmp.resolve("run");
    Result r = train(cfg, run);
    assertTrue(r.out().contains("before RL"), r.out());
    assertTrue(Files.isRegularFile(run.resolve("metrics.jsonl")));
    assertTrue(Files.isRegularFile(run.resolve("plots/learning-curves.png")));
    assertTrue(Files.list(run.resolve("heatmaps")).findAny().isPresent(), "attention heatmaps are drawn at evaluations");

    Path json = tmp.resolve("eval.json");
    evalOnTest(run, "--beam", "3", "--output", json.toString());
    JsonNode m = evalMetrics(json);
    for (String k : new String[] {"eval/bleu", "eval/levenshtein", "eval/exact_match", "eval/chrf", "eval/beam/bleu"}) {
      assertTrue(m.has(k), "eval output lacks " + k + ": " + m);
    }
    assertTrue(m.get("eval/beam/levenshtein").asDouble() <= m.get("eval/levenshtein").asDouble() + 1.0);
  }

  /**
   * {@code seqrl eval} with two checkpoints decodes with their ensemble (the decoding itself is checked
   * against hand-computed mean probabilities in agents' DecodingTest): an ensemble of a model with
   * itself gives the model's outputs, an ensemble of two models (an LSTM and a GRU) gives outputs of its
   * own and every metric with beam search, and a checkpoint trained on other data is refused by name:
   * another vocabulary, or the same vocabulary with other examples (reverse draws its data from the seed).
   */
  @Test
  void evalWithSeveralCheckpointsDecodesWithTheirEnsemble() throws IOException {
    Path cfg = TinyRuns.config(tmp, "ens", 60, 0, "");
    Path a = tmp.resolve("ens-a");
    Path b = tmp.resolve("ens-b");
    Path otherVocab = tmp.resolve("ens-other-vocab");
    Path otherData = tmp.resolve("ens-other-data");
    train(cfg, a, "--set", "model.cell=lstm");
    train(cfg, b, "--set", "model.cell=gru");
    train(cfg, otherVocab, "--set", "data.alphabet=6");
    train(cfg, otherData, "--set", "seed=8");
    Path predA = tmp.resolve("a.tsv");
    Path predAa = tmp.resolve("aa.tsv");
    Path predB = tmp.resolve("b.tsv");
    Path predAb = tmp.resolve("ab.tsv");
    evalOnTest(a, "--predictions", predA.toString());
    evalOnTest(b, "--predictions", predB.toString());
    evalOnTest(a, "--checkpoint", a.toString(), "--predictions", predAa.toString());
    assertEquals(Files.readAllLines(predA), Files.readAllLines(predAa), "an ensemble of a model with itself is the model");

    Path json = tmp.resolve("ab.json");
    Result r = evalOnTest(a, "--checkpoint", b.toString(), "--beam", "3", "--output", json.toString(),
        "--predictions", predAb.toString());
    assertTrue(r.out().contains("ensemble of 2 checkpoints"), r.out());
    assertEquals(2, TrainingRun.JSON.readTree(json.toFile()).get("checkpoints").size());
    for (String k : new String[] {"eval/levenshtein", "eval/exact_match", "eval/beam/levenshtein"}) {
      assertTrue(evalMetrics(json).has(k), "ensemble eval output lacks " + k);
    }
    List<String> ab = Files.readAllLines(predAb);
    assertEquals(Files.readAllLines(predA).size(), ab.size());
    assertNotEquals(Files.readAllLines(predA), ab, "the ensemble decodes as member a alone");
    assertNotEquals(Files.readAllLines(predB), ab, "the ensemble decodes as member b alone");

    // the product rule with weights: recorded in the JSON; a weight of nearly all on b decodes as b
    Path productJson = tmp.resolve("ab-product.json");
    Path predProductB = tmp.resolve("ab-product-b.tsv");
    Result product = evalOnTest(a, "--checkpoint", b.toString(), "--ensemble-combine", "product", "--ensemble-weights",
        "1e-9,1", "--output", productJson.toString(), "--predictions", predProductB.toString());
    assertTrue(product.out().contains("product, weights 1.000e-09, 1.000"), product.out());
    JsonNode pj = TrainingRun.JSON.readTree(productJson.toFile());
    assertEquals("product", pj.get("ensemble_combine").asText());
    assertEquals(1.0, pj.get("ensemble_weights").get(1).asDouble(), 1e-6);
    assertEquals(Files.readAllLines(predB), Files.readAllLines(predProductB), "all the weight on b is b");
    Result count = seqrl("eval", "--checkpoint", a.toString(), "--checkpoint", b.toString(), "--ensemble-weights", "1,2,3");
    assertEquals(2, count.code(), count.all());
    assertTrue(count.err().contains("--ensemble-weights: 3 weights (1,2,3) for 2 --checkpoints"), count.all());
    Result negative = seqrl("eval", "--checkpoint", a.toString(), "--checkpoint", b.toString(), "--ensemble-weights", "1,-2");
    assertEquals(2, negative.code(), negative.all());
    assertTrue(negative.err().contains("weight 2 is '-2'"), negative.all());
    Result rule = seqrl("eval", "--checkpoint", a.toString(), "--checkpoint", b.toString(), "--ensemble-combine", "max");
    assertEquals(2, rule.code(), rule.all());
    assertTrue(rule.err().contains("--ensemble-combine: 'max' is not a rule; expected mean, product or rescore"), rule.all());

    // rescore: each checkpoint proposes its own output, both score; every line is one of the two models' own
    Path rescoreJson = tmp.resolve("ab-rescore.json");
    Path predRescore = tmp.resolve("ab-rescore.tsv");
    Result rescore = evalOnTest(a, "--checkpoint", b.toString(), "--ensemble-combine", "rescore", "--output",
        rescoreJson.toString(), "--predictions", predRescore.toString());
    assertTrue(rescore.out().contains("rescoring by 2 checkpoints") && rescore.out().contains("proposing: each checkpoint"),
        rescore.out());
    assertEquals("rescoring", TrainingRun.JSON.readTree(rescoreJson.toFile()).get("decoding").asText());
    List<String> la = Files.readAllLines(predA);
    List<String> lb = Files.readAllLines(predB);
    List<String> lr = Files.readAllLines(predRescore);
    int fromB = 0;
    for (int i = 0; i < lr.size(); i++) {
      assertTrue(lr.get(i).equals(la.get(i)) || lr.get(i).equals(lb.get(i)), "line " + i + " is neither model's: " + lr.get(i));
      fromB += lr.get(i).equals(la.get(i)) ? 0 : 1;
    }
    assertTrue(fromB > 0, "rescoring never took b's output");

    Result vocab = seqrl("eval", "--checkpoint", a.toString(), "--checkpoint", otherVocab.toString(), "--split", "test");
    assertEquals(2, vocab.code(), vocab.all());
    assertTrue(vocab.err().contains("--checkpoint " + otherVocab) && vocab.err().contains("vocabularies"), vocab.all());
    Result data = seqrl("eval", "--checkpoint", a.toString(), "--checkpoint", otherData.toString(), "--split", "test");
    assertEquals(2, data.code(), data.all());
    assertTrue(data.err().contains("--checkpoint " + otherData) && data.err().contains("test split"), data.all());
  }

  /**
   * A right-to-left model trains from the CLI and evaluates left to right: on reverse its outputs score
   * like a left-to-right model's, not like their reversals. {@code seqrl eval} with checkpoints of both
   * orders rescores: every output is one of the two models' own, and the JSON says how it decoded.
   */
  @Test
  void rightToLeftModelsTrainAndRescoreLeftToRightOnes() throws IOException {
    Path cfg = TinyRuns.config(tmp, "rtl", 150, 0, "");
    Path l2r = tmp.resolve("rtl-l2r");
    Path r2l = tmp.resolve("rtl-r2l");
    train(cfg, l2r);
    train(cfg, r2l, "--set", "model.output_order=right-to-left");
    assertTrue(Files.readString(r2l.resolve("config.yaml")).contains("output_order: right-to-left"));
    Path predL = tmp.resolve("rtl-l.tsv");
    Path predR = tmp.resolve("rtl-r.tsv");
    Path predLr = tmp.resolve("rtl-lr.tsv");
    Path jsonR = tmp.resolve("rtl-r.json");
    evalOnTest(l2r, "--predictions", predL.toString());
    evalOnTest(r2l, "--checkpoint", r2l.toString(), "--predictions", predR.toString(), "--output", jsonR.toString());
    double exactR = evalMetrics(jsonR).get("eval/exact_match").asDouble();
    int reversedRight = 0;
    for (String line : Files.readAllLines(predR)) {
      String[] cols = line.split("\t", -1);
      List<String> src = List.of(cols[0].split(" "));
      List<String> out = new java.util.ArrayList<>(List.of(cols[1].split(" ")));
      java.util.Collections.reverse(out);
      reversedRight += out.equals(src) ? 1 : 0;
    }
    assertTrue(exactR > 0.5, "a right-to-left ensemble of itself on reverse: exact match " + exactR);
    assertEquals(Math.round(exactR * 40), reversedRight, "its predictions are the reversed sources, left to right");

    Path json = tmp.resolve("rtl-lr.json");
    Result r = evalOnTest(l2r, "--checkpoint", r2l.toString(), "--beam", "3", "--output", json.toString(),
        "--predictions", predLr.toString());
    assertTrue(r.out().contains("rescoring by 2 checkpoints") && r.out().contains("orders left-to-right, right-to-left;")
        && r.out().contains("proposing: each output order"), r.out());
    JsonNode j = TrainingRun.JSON.readTree(json.toFile());
    assertEquals("rescoring", j.get("decoding").asText());
    assertEquals("left-to-right", j.get("output_orders").get(0).asText());
    assertEquals("right-to-left", j.get("output_orders").get(1).asText());
    assertTrue(evalMetrics(json).has("eval/beam/per"), "rescored beam metrics: " + evalMetrics(json));
    List<String> left = Files.readAllLines(predL);
    List<String> right = Files.readAllLines(predR);
    List<String> both = Files.readAllLines(predLr);
    assertEquals(left.size(), both.size());
    for (int i = 0; i < both.size(); i++) {
      assertTrue(both.get(i).equals(left.get(i)) || both.get(i).equals(right.get(i)), "line " + i + ": " + both.get(i)
          + " is neither model's output (" + left.get(i) + " / " + right.get(i) + ")");
    }

    // each order's 3 best beam hypotheses, a length bonus, and every proposal written out
    Path proposals = tmp.resolve("rtl-proposals.tsv");
    Path nbestJson = tmp.resolve("rtl-nbest.json");
    Result nb = evalOnTest(l2r, "--checkpoint", r2l.toString(), "--beam", "3", "--nbest", "3", "--length-bonus", "0.5",
        "--proposals", proposals.toString(), "--output", nbestJson.toString());
    assertTrue(nb.out().contains("its 3 best beam hypotheses") && nb.out().contains("length bonus 0.5"), nb.out());
    JsonNode nj = TrainingRun.JSON.readTree(nbestJson.toFile());
    assertEquals(3, nj.get("nbest").asInt());
    assertEquals(0.5, nj.get("length_bonus").asDouble());
    List<String> lines = Files.readAllLines(proposals);
    assertEquals("search\tsource\tproposal\trank_1\trank_2\tlogprob_1\tlogprob_2\tscore\tchosen", lines.get(0));
    Map<String, List<String[]>> bySource = new java.util.LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split("\t", -1);
      assertEquals(9, c.length, line);
      bySource.computeIfAbsent(c[0] + "|" + c[1], k -> new java.util.ArrayList<>()).add(c);
    }
    assertEquals(80, bySource.size(), "each of the 40 test sources once for greedy and once for beam");
    int beamSources = 0;
    for (List<String[]> rows : bySource.values()) {
      boolean beamRows = rows.get(0)[0].equals("beam");
      beamSources += beamRows ? 1 : 0;
      assertTrue(rows.size() <= (beamRows ? 6 : 2), "at most each proposer's list: " + rows.size());
      double best = Double.NEGATIVE_INFINITY;
      int chosen = 0;
      String chosenScore = null;
      for (String[] c : rows) {
        int r1 = Integer.parseInt(c[3]);
        int r2 = Integer.parseInt(c[4]);
        assertTrue(r1 + r2 > 0 && r1 <= 3 && r2 <= 3, String.join(" ", c));
        int length = c[2].isEmpty() ? 0 : c[2].split(" ").length;
        double score = 0.5 * Double.parseDouble(c[5]) + 0.5 * Double.parseDouble(c[6]) + 0.5 * length;
        assertEquals(score, Double.parseDouble(c[7]), 1e-9, String.join(" ", c));
        best = Math.max(best, score);
        if (c[8].equals("1")) {
          chosen++;
          chosenScore = c[7];
        }
      }
      assertEquals(1, chosen, "one chosen proposal per source and search");
      assertEquals(best, Double.parseDouble(chosenScore), 1e-9, "the chosen proposal scores highest");
    }
    assertEquals(40, beamSources);

    // eval keys for this evaluation only; the rescoring flags where nothing rescores; --nbest above the beam
    Result dev = seqrl("eval", "--checkpoint", l2r.toString(), "--split", "dev", "--set", "eval.dev_size=7");
    assertEquals(0, dev.code(), dev.all());
    assertTrue(dev.out().contains("split dev (7 examples)"), dev.out());
    Result model = seqrl("eval", "--checkpoint", l2r.toString(), "--set", "model.hidden=8");
    assertEquals(2, model.code(), model.all());
    assertTrue(model.err().contains("--set model.hidden=8: expected eval.KEY=VALUE"), model.all());
    Result alone = seqrl("eval", "--checkpoint", l2r.toString(), "--nbest", "2");
    assertEquals(2, alone.code(), alone.all());
    assertTrue(alone.err().contains("--nbest: only rescoring uses it"), alone.all());
    Result wide = seqrl("eval", "--checkpoint", l2r.toString(), "--checkpoint", r2l.toString(), "--beam", "3", "--nbest", "4");
    assertEquals(2, wide.code(), wide.all());
    assertTrue(wide.err().contains("--nbest: 4 is more than the beam width 3"), wide.all());
  }

  /**
   * A phonemes-to-spelling model (data.pronunciation.direction) trains from the CLI and rescores a
   * spelling-to-phonemes model's proposals as a noisy channel: each proposal's score is the model's
   * log-probability plus the channel's weighted log-probability of the word given the proposal, the
   * highest wins, and the proposals file and the JSON say so. A model of the same direction is refused
   * as a channel, naming what its vocabulary lacks.
   */
  @Test
  void aPhonemesToSpellingModelRescoresAsANoisyChannel() throws IOException {
    String yaml = """
        experiment: tiny-channel
        seed: 3
        data:
          task: pronunciation
          pronunciation:
            max_words: 600
        model:
          embedding: 16
          hidden: 32
          attention: additive
        pretrain:
          steps: 40
          batch_size: 16
          learning_rate: 0.01
        rl:
          steps: 0
        eval:
          every: 40
          dev_size: 10
        """;
    Path cfg = CliRuns.writeConfig(tmp, "channel", yaml);
    Path g2p = tmp.resolve("channel-g2p");
    Path p2g = tmp.resolve("channel-p2g");
    train(cfg, g2p);
    train(cfg, p2g, "--set", "data.pronunciation.direction=phonemes-to-spelling");
    assertTrue(Files.readString(p2g.resolve("config.yaml")).contains("direction: phonemes-to-spelling"));
    Path proposals = tmp.resolve("channel-proposals.tsv");
    Path json = tmp.resolve("channel.json");
    Result r = evalOnTest(g2p, "--channel", p2g.toString(), "--channel-weights", "0.7", "--beam", "3", "--nbest", "3",
        "--proposals", proposals.toString(), "--output", json.toString());
    assertTrue(r.out().contains("rescoring by 1 checkpoint (") && r.out().contains("; channel " + p2g.resolve("checkpoints/best")), r.out());
    JsonNode j = TrainingRun.JSON.readTree(json.toFile());
    assertEquals("rescoring", j.get("decoding").asText());
    assertEquals(p2g.resolve("checkpoints/best").toString(), j.get("channels").get(0).asText());
    assertEquals(0.7, j.get("channel_weights").get(0).asDouble());
    List<String> lines = Files.readAllLines(proposals);
    assertEquals("search\tsource\tproposal\trank_1\tlogprob_1\tchannel_1\tscore\tchosen", lines.get(0));
    Map<String, List<String[]>> bySource = new java.util.LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split("\t", -1);
      assertEquals(8, c.length, line);
      bySource.computeIfAbsent(c[0] + "|" + c[1], k -> new java.util.ArrayList<>()).add(c);
    }
    int choices = 0;
    int channelDecided = 0;
    for (List<String[]> rows : bySource.values()) {
      String chosen = null;
      double best = Double.NEGATIVE_INFINITY;
      String byModel = null;
      double bestModel = Double.NEGATIVE_INFINITY;
      for (String[] c : rows) {
        double channel = Double.parseDouble(c[5]);
        assertTrue(channel < 0, "a log-probability of the word given " + c[2] + ": " + channel);
        double score = Double.parseDouble(c[4]) + 0.7 * channel;
        assertEquals(score, Double.parseDouble(c[6]), 1e-9, String.join(" ", c));
        if (score > best) {
          best = score;
          chosen = c[2];
        }
        if (Double.parseDouble(c[4]) > bestModel) {
          bestModel = Double.parseDouble(c[4]);
          byModel = c[2];
        }
        if (c[7].equals("1")) {
          assertEquals(chosen, c[2], "the chosen proposal scores highest so far");
        }
      }
      long marked = rows.stream().filter(c -> c[7].equals("1")).count();
      assertEquals(1, marked, "one chosen proposal per source and search");
      assertEquals(chosen, rows.stream().filter(c -> c[7].equals("1")).findFirst().orElseThrow()[2]);
      choices += rows.size() > 1 ? 1 : 0;
      channelDecided += rows.size() > 1 && !chosen.equals(byModel) ? 1 : 0;
    }
    assertTrue(choices > 0, "no source had more than one proposal");
    System.out.printf("noisy channel, tiny models: %d sources with a choice, %d decided against the model's own best%n",
        choices, channelDecided);

    Result same = seqrl("eval", "--checkpoint", g2p.toString(), "--channel", g2p.toString(), "--nbest", "2", "--beam", "2");
    assertEquals(2, same.code(), same.all());
    assertTrue(same.err().contains("--channel " + g2p) && same.err().contains("source vocabulary lacks")
        && same.err().contains("phonemes-to-spelling"), same.all());
    Result noChannel = seqrl("eval", "--checkpoint", g2p.toString(), "--channel-weights", "1");
    assertEquals(2, noChannel.code(), noChannel.all());
    assertTrue(noChannel.err().contains("--channel-weights: only noisy-channel rescoring uses it"), noChannel.all());
  }

  /**
   * Three LSTM layers in encoder and decoder with skip connections from layer l − 2 carrying outputs
   * and memory cells, and the norm-stabilizer on encoder and decoder hidden states, train from the
   * CLI; the checkpoint keeps the settings and evaluates.
   */
  @Test
  void skipConnectionsTrainFromTheCli() throws IOException {
    Path cfg = TinyRuns.config(tmp, "skip", 60, 20, "");
    Path run = tmp.resolve("skip-run");
    Result r = train(cfg, run, "--set", "model.cell=lstm", "--set", "model.encoder_layers=3", "--set", "model.decoder_layers=3",
        "--set", "model.layer_connections=skip", "--set", "model.skip_distance=2", "--set", "model.skip_carries=output-and-state",
        "--set", "model.norm_stabilizer=0.05", "--set", "model.norm_stabilizer_on=encoder-and-hidden");
    assertTrue(r.out().contains("before RL"), r.out());
    String saved = Files.readString(run.resolve("config.yaml"));
    assertTrue(saved.contains("layer_connections: skip") && saved.contains("skip_distance: 2")
        && saved.contains("skip_carries: output-and-state") && saved.contains("norm_stabilizer_on: encoder-and-hidden"), saved);
    Path json = tmp.resolve("skip-eval.json");
    evalOnTest(run, "--beam", "2", "--output", json.toString());
    assertTrue(evalMetrics(json).has("eval/beam/bleu"));
  }

  /**
   * A two-layer decoder with residual connections, dropout (between layers, on the embeddings and on
   * the output layer's input), the norm-stabilizer, hidden-state averaging and label smoothing trains from
   * the CLI (MLE, then RL); its checkpoint keeps those settings and evaluates with beam search.
   */
  @Test
  void aDecoderStackWithConnectionsAndRegularisersTrainsFromTheCli() throws IOException {
    Path cfg = TinyRuns.config(tmp, "stack", 60, 20, "");
    Path run = tmp.resolve("stack-run");
    Result r = train(cfg, run, "--set", "model.encoder_layers=2", "--set", "model.decoder_layers=2", "--set", "model.dropout=0.1",
        "--set", "model.layer_connections=residual", "--set", "model.norm_stabilizer=0.05",
        "--set", "model.init_state_mean_ratio=0.5", "--set", "model.embedding_dropout=0.1", "--set", "model.output_dropout=0.2",
        "--set", "pretrain.label_smoothing=0.1");
    assertTrue(r.out().contains("before RL"), r.out());
    String saved = Files.readString(run.resolve("config.yaml"));
    assertTrue(saved.contains("decoder_layers: 2") && saved.contains("residual") && saved.contains("init_state_mean_ratio: 0.5")
        && saved.contains("embedding_dropout: 0.1") && saved.contains("output_dropout: 0.2")
        && saved.contains("label_smoothing: 0.1"), saved);
    // the policy was built with it (the checkpoint's model config records what the engine trained)
    String model = Files.readString(run.resolve("checkpoints/best/policy/model.properties"));
    assertTrue(model.contains("labelSmoothing=0.1"), model);
    Path json = tmp.resolve("stack-eval.json");
    evalOnTest(run, "--beam", "3", "--output", json.toString());
    JsonNode m = evalMetrics(json);
    assertTrue(m.has("eval/beam/levenshtein") && m.has("eval/levenshtein"), m.toString());
  }

  /**
   * model.engine samediff from the CLI: the same config trains the SameDiff graph of the GRU with
   * additive attention (MLE then SCST), learns to reverse, and its checkpoint evaluates with beam search.
   * Tiny, because SameDiff's per-op overhead makes every step of the unrolled graph slow.
   */
  @Test
  void samediffEngineLearnsToReverseFromTheCli() throws IOException {
    Path cfg = writeConfig(tmp, "samediff", """
        experiment: tiny-samediff
        seed: 7
        data:
          task: reverse
          alphabet: 3
          train_lengths: [1, 2]
          train_size: 200
          dev_size: 24
          test_size: 24
        model:
          engine: samediff
          embedding: 8
          hidden: 16
          attention: additive
        pretrain:
          steps: 70
          batch_size: 16
          learning_rate: 0.03
        rl:
          steps: 4
          reward: levenshtein
          baseline: scst
          batch_size: 8
          learning_rate: 0.001
        eval:
          every: 70
          samples: 1
          heatmaps: 0
        """);
    Path run = tmp.resolve("samediff-run");
    Result r = train(cfg, run);
    assertTrue(Files.readString(run.resolve("config.yaml")).contains("engine: samediff"), "the resolved config names the engine");
    assertTrue(!r.out().contains("Added differentiated op"), "SameDiff's backward-graph lines are dropped");
    double exact = summary(run).get("final").get("exact_match").asDouble();
    assertTrue(exact >= 0.75, "the SameDiff engine reversed only " + exact + " of the dev set exactly");
    Path json = tmp.resolve("samediff-eval.json");
    evalOnTest(run, "--beam", "2", "--output", json.toString());
    JsonNode m = evalMetrics(json);
    assertTrue(m.get("eval/exact_match").asDouble() >= 0.75, "eval of the SameDiff checkpoint: " + m);
  }

  /**
   * model.engine samediff with model.type transformer: the SameDiff graph of the fast engine's
   * transformer trains from the CLI (MLE then SCST), learns to reverse, and its checkpoint evaluates
   * with beam search. Tiny, as the recurrent case above.
   */
  @Test
  void samediffEngineTransformerLearnsToReverseFromTheCli() throws IOException {
    Path cfg = writeConfig(tmp, "samediff-transformer", """
        experiment: tiny-samediff-transformer
        seed: 7
        data:
          task: reverse
          alphabet: 3
          train_lengths: [1, 2]
          train_size: 200
          dev_size: 24
          test_size: 24
        model:
          engine: samediff
          type: transformer
          transformer:
            encoder_layers: 1
            decoder_layers: 1
            heads: 2
            width: 16
            feed_forward: 32
        pretrain:
          steps: 120
          batch_size: 32
          learning_rate: 0.005
        rl:
          steps: 4
          reward: levenshtein
          baseline: scst
          batch_size: 8
          learning_rate: 0.001
        eval:
          every: 120
          samples: 1
          heatmaps: 0
        """);
    Path run = tmp.resolve("samediff-transformer-run");
    train(cfg, run);
    String resolved = Files.readString(run.resolve("config.yaml"));
    assertTrue(resolved.contains("engine: samediff") && resolved.contains("type: transformer"), resolved);
    double exact = summary(run).get("final").get("exact_match").asDouble();
    System.out.printf("samediff transformer from the CLI: final dev exact match %.3f%n", exact);
    assertTrue(exact >= 0.75, "the SameDiff transformer reversed only " + exact + " of the dev set exactly");
    Path json = tmp.resolve("samediff-transformer-eval.json");
    evalOnTest(run, "--beam", "2", "--output", json.toString());
    JsonNode m = evalMetrics(json);
    assertTrue(m.get("eval/exact_match").asDouble() >= 0.75, "eval of the SameDiff transformer checkpoint: " + m);
  }

  @Test
  void aTrackedRunCarriesMlflowTagsPhaseMetricsAndPrintsItsPage() throws IOException {
    String uri = org.seqrl.experiments.tracking.TestServers.shared().uri();
    String experiment = "train-tags-" + System.nanoTime();
    Path cfg = TinyRuns.config(tmp, "tracked", 20, 10, "");
    Result r = seqrl("train", cfg.toString(), "--output", tmp.resolve("tracked").toString(), "--progress", "lines",
        "--tracking-uri", uri, "--set", "experiment=" + experiment);
    assertEquals(0, r.code(), r.out() + r.err());
    var conn = mlflow(uri);
    String expId = conn.experimentId(experiment).orElseThrow();
    String runId = onlyRunId(conn, experiment);
    var run = conn.client().getRun(runId);
    assertTrue(r.out().contains("MLflow run: " + uri + "/#/experiments/" + expId + "/runs/" + runId
        + "?workflowType=machine_learning"), r.out());
    var tags = new java.util.HashMap<String, String>();
    run.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
    assertEquals(System.getProperty("user.name"), tags.get("mlflow.user"));
    assertEquals("seqrl train " + cfg, tags.get("mlflow.source.name"));
    assertTrue(tags.get("mlflow.note.content").contains("reward `levenshtein`, baseline `scst`"), tags.toString());
    run.getData().getParamsList().forEach(p -> assertNotEquals("null", p.getValue(), p.getKey()));
    var metrics = new java.util.TreeSet<String>();
    run.getData().getMetricsList().forEach(m -> metrics.add(m.getKey()));
    for (String k : new String[] {"pretrain/loss", "pretrain/grad_norm", "rl/reward_levenshtein", "rl/loss",
        "rl/greedy_reward_levenshtein", "eval/reward_levenshtein", "eval/levenshtein_rate"}) {
      assertTrue(metrics.contains(k), k + " missing from " + metrics);
    }
    assertTrue(metrics.stream().noneMatch(k -> k.startsWith("train/") || k.equals("rl/critic_loss")),
        "one namespace per phase, no critic loss without a critic: " + metrics);
  }

  @Test
  void badInputGetsOneLineAndExitCode2() throws IOException {
    Result missing = seqrl("train", tmp.resolve("nope.yaml").toString(), "--no-tracking");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("nope.yaml"), missing.err());

    Path cfg = TinyRuns.config(tmp, "bad", 5, 5, "");
    Result badKey = seqrl("train", cfg.toString(), "--no-tracking", "--set", "rl.baseline=scts");
    assertEquals(2, badKey.code());
    assertTrue(badKey.err().contains("rl.baseline") && badKey.err().contains("scts"), badKey.err());

    Result evalNothing = seqrl("eval", "--checkpoint", tmp.toString());
    assertEquals(2, evalNothing.code());
    assertTrue(evalNothing.err().contains("--checkpoint"), evalNothing.err());
  }

  @Test
  void aDivergingRunStopsWithAClearMessageAndKeepsItsLastGoodCheckpoint() throws IOException {
    // An absurd learning rate overflows the parameters within a few steps.
    Path cfg = TinyRuns.config(tmp, "nan", 200, 0, "");
    Path run = tmp.resolve("nan-run");
    Result r = seqrl("train", cfg.toString(), "--no-tracking", "--output", run.toString(), "--set", "pretrain.learning_rate=1e38",
        "--set", "pretrain.max_grad_norm=1e38", "--set", "eval.every=1");
    assertEquals(TrainCommand.EXIT_DIVERGED, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("training stopped") && r.out().contains("checkpoint"), r.out());
    assertTrue(Files.isRegularFile(run.resolve("checkpoints/latest/COMPLETE")), "the last good checkpoint is kept");
  }

  /**
   * Gradient diagnostics from the CLI (issue 18): the variance, SNR and norm reach MLflow at RL steps
   * 0, 3, 6, 9 (global steps 21, 24, 27, 30 after 20 MLE steps), and every training and evaluation
   * metric is the same as in the run without them.
   */
  @Test
  void gradientDiagnosticsReachMlflowAndLeaveTheRunAsItWas() throws IOException {
    String uri = org.seqrl.experiments.tracking.TestServers.shared().uri();
    String experiment = "train-diag-" + System.nanoTime();
    Path cfg = TinyRuns.config(tmp, "diag", 20, 10, "");
    Result on = seqrl("train", cfg.toString(), "--output", tmp.resolve("on").toString(), "--progress", "lines",
        "--tracking-uri", uri, "--set", "experiment=" + experiment, "--set", "diag.every=3", "--set", "diag.estimates=3");
    assertEquals(0, on.code(), on.out() + on.err());
    train(cfg, tmp.resolve("off"));

    var conn = mlflow(uri);
    String runId = onlyRunId(conn, experiment);
    for (String key : new String[] {"diag/grad_variance", "diag/grad_snr", "diag/grad_norm", "perf/diag_seconds"}) {
      var history = conn.client().getMetricHistory(runId, key);
      assertEquals(List.of(21L, 24L, 27L, 30L), history.stream().map(m -> m.getStep()).sorted().toList(), key);
      history.forEach(m -> assertTrue(m.getValue() > 0 && Double.isFinite(m.getValue()), key + " = " + m.getValue()));
    }

    var a = MetricsFileListener.read(tmp.resolve("on"));
    var b = MetricsFileListener.read(tmp.resolve("off"));
    a.keySet().removeIf(k -> k.startsWith("diag/") || k.startsWith("perf/"));
    b.keySet().removeIf(k -> k.startsWith("perf/"));
    assertTrue(b.containsKey("rl/reward_levenshtein") && b.containsKey("eval/levenshtein_rate"), b.keySet().toString());
    assertEquals(b, a, "metrics of the run without diagnostics vs the run with them");
  }

  @Test
  void sigtermWritesACheckpointAndTheRunResumesToTheEnd() throws Exception {
    Path cfg = TinyRuns.config(tmp, "kill", 400, 0, "");
    Path run = tmp.resolve("kill-run");
    List<String> cmd = new ArrayList<>(SweepCommand.javaCommand());
    cmd.addAll(List.of("train", cfg.toString(), "--no-tracking", "--output", run.toString(), "--progress", "lines",
        "--set", "eval.every=1000"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("kill.log").toFile()).start();
    Path metrics = run.resolve("metrics.jsonl");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && (!Files.exists(metrics) || Files.readAllLines(metrics).size() < 20)) {
      Thread.sleep(200);
    }
    assertTrue(Files.exists(metrics), "the run never started: " + Files.readString(tmp.resolve("kill.log")));
    p.destroy(); // SIGTERM
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process did not exit after SIGTERM");
    assertNotEquals(0, p.exitValue());
    String log = Files.readString(tmp.resolve("kill.log"));
    assertTrue(log.contains("checkpoint written"), log);
    JsonNode state = TrainingRun.JSON.readTree(run.resolve("checkpoints/latest/run-state.json").toFile());
    long stoppedAt = state.get("globalStep").asLong();
    assertTrue(stoppedAt >= 20 && stoppedAt < 400, "stopped at " + stoppedAt);

    resume(run);
    assertEquals(400, summary(run).get("steps").get("total").asLong());
  }

  @Test
  void maxTimeTakesTheUsualDurationForms() {
    org.junit.jupiter.api.Assertions.assertEquals(java.time.Duration.ofSeconds(90), TrainCommand.parseDuration("--max-time", "90s"));
    org.junit.jupiter.api.Assertions.assertEquals(java.time.Duration.ofMinutes(90), TrainCommand.parseDuration("--max-time", "1h30m"));
    org.junit.jupiter.api.Assertions.assertEquals(java.time.Duration.ofMinutes(2), TrainCommand.parseDuration("--max-time", "PT2M"));
    for (String bad : new String[] {"", "10", "ten minutes", "0s", "5d"}) {
      var e = org.junit.jupiter.api.Assertions.assertThrows(org.seqrl.experiments.cli.UserInputException.class,
          () -> TrainCommand.parseDuration("--max-time", bad));
      org.junit.jupiter.api.Assertions.assertEquals("--max-time: '" + bad + "' is not a duration; expected e.g. 90s, 30m, "
          + "2h or 1h30m", e.getMessage());
    }
  }
}
