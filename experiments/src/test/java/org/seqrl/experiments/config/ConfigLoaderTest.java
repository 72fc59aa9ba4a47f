package org.seqrl.experiments.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.data.Dataset;
import org.seqrl.experiments.data.Datasets;
import org.seqrl.experiments.data.Seeds;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.experiments.data.TokenLevel;
import org.seqrl.metrics.NltkSmoothing;
import org.seqrl.rl.BaselineKind;
import org.seqrl.rl.MetricDirection;
import org.seqrl.rl.RewardKind;

class ConfigLoaderTest {

  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private String error(String yaml, String... overrides) throws IOException {
    Path file = write(yaml);
    UserInputException e = assertThrows(UserInputException.class, () -> ConfigLoader.load(file, List.of(overrides)));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void emptyFileGivesDefaults() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write(""), List.of());
    assertEquals(SeqrlConfig.defaults(), c);
    assertEquals("seqrl", c.experiment());
    assertEquals(1, c.seed());
    assertEquals(Task.REVERSE, c.data().task());
    assertEquals(new LengthRange(3, 8), c.data().testLengths());
    assertEquals(Map.of(RewardKind.LEVENSHTEIN, 1.0), c.rl().reward());
    assertEquals(BaselineKind.SCST, c.rl().baseline());
  }

  @Test
  void readsEveryKindOfValue() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("""
        experiment: demo
        seed: 7
        data:
          task: sort
          alphabet: 30
          train_lengths: [2, 5]
          tsv:
            level: word
        model:
          cell: lstm
          bidirectional: true
          encoder_layers: 2
          dropout: 0.25
          attention: additive
          attention_size: 48
        rl:
          reward: {bleu: 0.5, chrf: 0.5}
          baseline: rloo
          samples: 4
          learning_rate: 1e-5
          bleu_smoothing: method3
        tracking:
          uri: http://127.0.0.1:5000
        """), List.of());
    assertEquals("demo", c.experiment());
    assertEquals(7, c.seed());
    assertEquals(Task.SORT, c.data().task());
    assertEquals(new LengthRange(2, 5), c.data().trainLengths());
    assertEquals(new LengthRange(2, 5), c.data().testLengths(), "test lengths default to train lengths");
    assertEquals(TokenLevel.WORD, c.data().tsv().level());
    assertEquals(CellType.LSTM, c.model().cell());
    assertTrue(c.model().bidirectional());
    assertEquals(0.25, c.model().dropout());
    assertEquals(Attention.ADDITIVE, c.model().attention());
    assertEquals(48, c.model().attentionSize());
    assertEquals(Map.of(RewardKind.BLEU, 0.5, RewardKind.CHRF, 0.5), c.rl().reward());
    assertEquals(BaselineKind.RLOO, c.rl().baseline());
    assertEquals(1e-5, c.rl().learningRate());
    assertEquals(NltkSmoothing.METHOD3, c.rl().bleuSmoothing());
    assertEquals("http://127.0.0.1:5000", c.tracking().uri());
  }

  @Test
  void unknownKeySuggestsTheClosestWithLine() throws IOException {
    String msg = error("""
        seed: 3
        rl:
          steps: 10
          basline: scst
        """);
    assertEquals("config.yaml:4: rl.basline: unknown key; did you mean rl.baseline?",
        msg.substring(msg.indexOf("config.yaml")));
    assertTrue(error("modle:\n  cell: gru\n").endsWith("config.yaml:1: modle: unknown key; did you mean model?"));
    String z = error("data:\n  zzzzzzzzzz: 1\n");
    assertTrue(z.contains("data.zzzzzzzzzz: unknown key; expected one of data.algorithmic, data.alphabet"), z);
  }

  @Test
  void unknownEnumValueListsAllowedWithLine() throws IOException {
    String msg = error("""
        experiment: x
        seed: 1
        data:
          task: reverse
        rl:
          steps: 10
          baseline: scts
        """);
    assertTrue(msg.endsWith("config.yaml:7: rl.baseline: 'scts' is not a baseline; expected one of none, "
        + "moving-average, scst, value, step-value, scst-correction, rloo, grpo"), msg);
    assertTrue(error("data:\n  task: translate\n").contains(
        "config.yaml:2: data.task: 'translate' is not a task; expected one of copy, reverse, sort, repeat-copy, associative-recall, tsv, "
            + "pronunciation"));
    assertTrue(error("model:\n  attention: [dot]\n").contains("model.attention: '[dot]' is not an attention kind"));
    String size = error("model:\n  attention_size: -4\n");
    assertTrue(size.contains("model.attention_size") && size.contains("-4"), size);
  }

  @Test
  void wrongTypes() throws IOException {
    assertTrue(error("model:\n  hidden: big\n").endsWith("config.yaml:2: model.hidden: 'big' is not an integer; "
        + "expected an integer"));
    assertTrue(error("model:\n  hidden: 2.5\n").contains("model.hidden: 2.5 is not an integer"));
    assertTrue(error("model:\n  bidirectional: maybe\n").contains("model.bidirectional: 'maybe' is not a boolean; "
        + "expected true or false"));
    assertTrue(error("rl:\n  learning_rate: fast\n").contains("rl.learning_rate: 'fast' is not a number"));
    assertTrue(error("rl: 5\n").contains("config.yaml:1: rl: 5 is not a section"));
    assertTrue(error("data:\n  train_lengths: 5\n").contains("data.train_lengths: 5 is not a length range; "
        + "expected [min, max]"));
    assertTrue(error("rl:\n  reward: [bleu]\n").contains("rl.reward: [bleu] is not a reward"));
    assertTrue(error("rl:\n  reward: {bleu: lots}\n").contains("rl.reward.bleu: 'lots' is not a weight"));
  }

  @Test
  void outOfRangeNumbers() throws IOException {
    assertTrue(error("model:\n  hidden: 0\n").endsWith("config.yaml:2: model.hidden: 0 is out of range; "
        + "expected an integer from 1 to 8192"));
    assertTrue(error("rl:\n  learning_rate: -1\n").contains("rl.learning_rate: -1.0 is out of range; expected a number > 0"));
    assertTrue(error("model:\n  dropout: 1.0\n").contains("model.dropout: 1.0 is out of range"));
    assertTrue(error("data:\n  alphabet: 1\n").contains("data.alphabet: 1 is out of range; expected an integer from 2"));
  }

  @Test
  void impossibleCombinations() throws IOException {
    String msg = error("rl:\n  baseline: grpo\n  samples: 1\n");
    assertTrue(msg.endsWith("config.yaml:2: rl.baseline: 'grpo' compares several samples of each input but "
        + "rl.samples is 1; expected rl.samples >= 2"), msg);
    assertTrue(error("data:\n  train_lengths: [9, 3]\n").endsWith(
        "config.yaml:2: data.train_lengths: min length 9 > max length 3; expected [min, max] with min <= max"));
    assertTrue(error("data:\n  test_lengths: [0, 5]\n").endsWith(
        "config.yaml:2: data.test_lengths: min length 0 is out of range; expected an integer >= 1"));
    assertTrue(error("data:\n  test_lengths: [3, 50]\n").contains("data.test_lengths: max 50 makes sources of up to 50 and targets of up to 50 "
        + "tokens for reverse, beyond data.max_source_length 40"));
    assertTrue(error("data:\n  task: tsv\n").contains("config.yaml:2: data.task: 'tsv' needs data.tsv.train, which is missing"));
    assertTrue(error("pretrain:\n  steps: 0\nrl:\n  steps: 0\n").contains("rl.steps: 0 with pretrain.steps 0"));
    assertTrue(error("data:\n  tsv:\n    dev_fraction: 0.6\n    test_fraction: 0.5\n").contains(
        "config.yaml:4: data.tsv.test_fraction:"));
  }

  @Test
  void invalidYamlAndMissingFile() throws IOException {
    assertTrue(error("seed: 1\nseed: 2\n").contains("config.yaml:2: invalid YAML"));
    assertTrue(error("rl:\n  steps: [1,\n").contains("invalid YAML"));
    assertTrue(error("- a\n- b\n").contains("expected a mapping"));
    UserInputException e = assertThrows(UserInputException.class,
        () -> ConfigLoader.load(dir.resolve("nope.yaml"), List.of()));
    assertTrue(e.getMessage().endsWith("nope.yaml: config file not found"));
  }

  @Test
  void overridesApplyAndNameTheOption() throws IOException {
    Path file = write("rl:\n  baseline: scst\n");
    SeqrlConfig c = ConfigLoader.load(file, List.of("rl.baseline=rloo", "rl.samples=4", "model.cell=lstm",
        "data.train_lengths=[2, 6]", "seed=9", "tracking.uri=http://x:1", "rl.reward={bleu: 1, chrf: 2}"));
    assertEquals(BaselineKind.RLOO, c.rl().baseline());
    assertEquals(4, c.rl().samples());
    assertEquals(CellType.LSTM, c.model().cell());
    assertEquals(new LengthRange(2, 6), c.data().trainLengths());
    assertEquals(9, c.seed());
    assertEquals("http://x:1", c.tracking().uri());
    assertEquals(Map.of(RewardKind.BLEU, 1.0, RewardKind.CHRF, 2.0), c.rl().reward());

    SeqrlConfig mixed = ConfigLoader.load(write("rl:\n  reward: bleu\n"), List.of("rl.reward.chrf=0.5"));
    assertEquals(Map.of(RewardKind.BLEU, 1.0, RewardKind.CHRF, 0.5), mixed.rl().reward());

    assertEquals("--set rl.baseline=scts: rl.baseline: 'scts' is not a baseline; expected one of none, "
        + "moving-average, scst, value, step-value, scst-correction, rloo, grpo",
        error("", "rl.baseline=scts"));
    assertEquals("--set rl.basline=scst: rl.basline: unknown key; did you mean rl.baseline?",
        error("", "rl.basline=scst"));
    assertEquals("--set seed: expected key=value, e.g. --set rl.baseline=scst", error("", "seed"));
    assertTrue(error("", "rl.baseline=rloo").startsWith("--set rl.baseline=rloo: rl.baseline: 'rloo' compares"));
    assertTrue(error("", "rl.reward.blue=1").contains("'blue' is not a reward"));
  }

  @Test
  void relativePathsResolveAgainstTheConfigFolder() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("data:\n  task: tsv\n  tsv:\n    train: data/a.tsv\n"), List.of());
    assertEquals(dir.toAbsolutePath().normalize().resolve("data/a.tsv"), c.data().tsv().train());
    assertNull(c.data().tsv().dev());
  }

  @Test
  void yamlRoundTripIsEqualAndFillsEveryDefault() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("""
        experiment: round
        rl:
          reward: {bleu: 0.25, levenshtein-normalized: 0.75}
          learning_rate: 1e-5
          init_checkpoint: ckpt
        pretrain:
          steps: 0
        data:
          task: tsv
          tsv: {train: t.tsv}
        sweep:
          grid:
            rl.baseline: [scst, value]
            model.hidden: [64, 128]
        """), List.of());
    String yaml = ConfigLoader.toYaml(c);
    for (String key : ConfigLoader.LEAF_KEYS) {
      String last = key.substring(key.lastIndexOf('.') + 1);
      assertTrue(yaml.contains(last + ":"), "writes " + key + "\n" + yaml);
    }
    SeqrlConfig again = ConfigLoader.parse(yaml, "resolved.yaml", null, List.of());
    assertEquals(c, again);
    assertEquals(yaml, ConfigLoader.toYaml(again));
    SeqrlConfig defaults = ConfigLoader.parse(ConfigLoader.toYaml(SeqrlConfig.defaults()), "d", null, List.of());
    assertEquals(SeqrlConfig.defaults(), defaults);
  }

  @Test
  void flattenGivesDottedKeys() {
    Map<String, String> flat = SeqrlConfig.defaults().flatten();
    assertEquals("reverse", flat.get("data.task"));
    assertEquals("[3, 8]", flat.get("data.train_lengths"));
    assertEquals("levenshtein", flat.get("rl.reward"));
    assertEquals("scst", flat.get("rl.baseline"));
    assertEquals("1.0E-5", flat.get("rl.learning_rate"));
    assertEquals("null", flat.get("tracking.uri"));
    assertEquals("1", flat.get("seed"));
    assertEquals(ConfigLoader.LEAF_KEYS.stream().filter(k -> !k.startsWith("sweep.grid")).toList(),
        List.copyOf(flat.keySet()));
    SeqrlConfig weighted = ConfigLoader.withOverrides(SeqrlConfig.defaults(), List.of("rl.reward={bleu: 0.5, chrf: 0.5}"));
    assertEquals("0.5", weighted.flatten().get("rl.reward.chrf"));
  }

  @Test
  void withOverridesForSweepCells() {
    SeqrlConfig c = ConfigLoader.withOverrides(SeqrlConfig.defaults(), List.of("rl.baseline=value", "seed=3"));
    assertEquals(BaselineKind.VALUE, c.rl().baseline());
    assertEquals(3, c.seed());
    UserInputException e = assertThrows(UserInputException.class,
        () -> ConfigLoader.withOverrides(SeqrlConfig.defaults(), List.of("model.hidden=-3")));
    assertEquals("--set model.hidden=-3: model.hidden: -3 is out of range; expected an integer from 1 to 8192",
        e.getMessage());
  }

  @Test
  void sweepCellsAreTheCartesianProductInOrder() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("""
        rl:
          samples: 2
        sweep:
          grid:
            rl.reward: [bleu, {chrf: 0.5, bleu: 0.5}]
            rl.baseline: [scst, rloo]
            seed: [1, 2]
          parallel: 2
        """), List.of());
    List<SweepCell> cells = c.sweep().cells();
    assertEquals(8, cells.size());
    assertEquals("rl.reward=bleu,rl.baseline=scst,seed=1", cells.get(0).name());
    assertEquals("rl.reward=bleu,rl.baseline=scst,seed=2", cells.get(1).name());
    assertEquals("rl.reward=bleu,rl.baseline=rloo,seed=1", cells.get(2).name());
    assertEquals(List.of("rl.reward={chrf: 0.5, bleu: 0.5}", "rl.baseline=rloo", "seed=2"), cells.get(7).overrides());
    assertEquals(2, c.sweep().effectiveParallel());
    for (SweepCell cell : cells) {
      SeqrlConfig cellConfig = ConfigLoader.withOverrides(c, cell.overrides());
      assertEquals(cell.overrides().get(2), "seed=" + cellConfig.seed());
    }
    assertEquals(List.of(new SweepCell("base", List.of())), SeqrlConfig.defaults().sweep().cells());
  }

  /** {@code model.cell: ntm} and its {@code model.memory.*} block (issue 17): read, checked with file:line, sweepable. */
  @Test
  void ntmMemoryKeys() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("""
        model:
          cell: ntm
          memory:
            slots: 32
            width: 8
            read_heads: 2
            write_heads: 1
            shift_range: 2
            controller: feedforward
            init: 0.001
        sweep:
          grid:
            model.memory.slots: [16, 64]
        """), List.of());
    assertEquals(org.seqrl.agents.Seq2SeqConfig.CellType.NTM, c.model().cell());
    assertEquals(new MemoryConfig(32, 8, 2, 1, 2, org.seqrl.agents.NtmSpec.Controller.FEEDFORWARD, 0.001), c.model().memory());
    assertEquals(List.of(16, 64), c.sweep().cells().stream()
        .map(cell -> ConfigLoader.withOverrides(c, cell.overrides()).model().memory().slots()).toList());
    assertEquals(MemoryConfig.defaults(), ConfigLoader.load(write("model:\n  cell: ntm\n"), List.of()).model().memory());
    assertTrue(error("model:\n  cell: ntm\n  memory:\n    slots: 8\n    shift_range: 4\n").endsWith(
        "config.yaml:5: model.memory.shift_range: 4 is out of range; expected an integer from 0 to 3"));
    assertTrue(error("model:\n  memory:\n    controller: gru\n").endsWith(
        "config.yaml:3: model.memory.controller: 'gru' is not an NTM controller; expected one of lstm, feedforward"));
    assertTrue(error("model:\n  memory:\n    slot: 8\n").contains("config.yaml:3: model.memory.slot: "));
    assertTrue(error("sweep:\n  grid:\n    model.memory.width: [4, 0]\n").contains(
        "sweep.grid.model.memory.width: 0 is out of range"));
  }

  /** model.graph and model.graph_names: read relative to the config, validated, and variable in a sweep. */
  @Test
  void aUserGraphIsConfiguredValidatedAndSweepable() throws IOException {
    Files.writeString(dir.resolve("a.sd"), "not checked here: RunComponents loads the graph");
    Files.writeString(dir.resolve("b.sd"), "");
    SeqrlConfig c = ConfigLoader.load(write("""
        model:
          engine: samediff
          graph: a.sd
          graph_names: {logits: scores, sequence_value: v}
        sweep:
          grid:
            model.graph: [%s, %s]
            model.graph_names.logits: [scores, out]
        """.formatted(dir.resolve("a.sd"), dir.resolve("b.sd"))), List.of());
    assertEquals(dir.resolve("a.sd"), c.model().graph().file());
    assertEquals("scores", c.model().graph().logits());
    assertEquals("v", c.model().graph().sequenceValue());
    assertEquals("source_ids", c.model().graph().sourceIds());
    assertNull(c.model().graph().stepValues());
    assertEquals(List.of("b.sd/out"), c.sweep().cells().stream().map(cell -> ConfigLoader.withOverrides(c, cell.overrides()))
        .map(x -> x.model().graph().file().getFileName() + "/" + x.model().graph().logits()).skip(3).toList());
    assertTrue(error("model:\n  engine: samediff\n  graph: missing.sd\n").endsWith("config.yaml:3: model.graph: '"
        + dir.resolve("missing.sd") + "' does not exist or is not a file; expected a SameDiff graph file (written by SameDiff.save)"));
    assertTrue(error("model:\n  graph: a.sd\n").contains("model.graph: '" + dir.resolve("a.sd")
        + "' is a SameDiff graph, which model.engine fast cannot run; expected model.engine samediff"));
    assertTrue(error("model:\n  graph_names:\n    logits: ''\n").contains("model.graph_names.logits: '' is not a variable name"));
    assertTrue(error("model:\n  graph_names:\n    logit: x\n").contains("model.graph_names.logit: unknown key; did you mean"));
    // a grid value, like a --set value, is a path relative to the working directory
    assertTrue(error("model:\n  engine: samediff\n  graph: a.sd\nsweep:\n  grid:\n    model.graph: [" + dir.resolve("c.sd")
        + "]\n").contains("sweep.grid.model.graph: '" + dir.resolve("c.sd") + "' does not exist"));
  }

  /** model.graph_names.step_*: a step graph's names, all or none, read, checked and written back. */
  @Test
  void aUserStepGraphIsConfiguredAndChecked() throws IOException {
    Files.writeString(dir.resolve("a.sd"), "not checked here: RunComponents loads the graph");
    SeqrlConfig c = ConfigLoader.load(write("""
        model:
          engine: samediff
          graph: a.sd
          graph_names:
            step_previous: prev
            step_logits: step_scores
            step_states:
              h_in: {initial: h0, next: h_out}
              memory_in: {initial: memory, next: null}
        """), List.of());
    GraphConfig g = c.model().graph();
    assertEquals("prev", g.stepPrevious());
    assertEquals("step_scores", g.stepLogits());
    assertEquals(List.of("h_in", "memory_in"), List.copyOf(g.stepStates().keySet()));
    assertEquals(new GraphConfig.StepState("h0", "h_out"), g.stepStates().get("h_in"));
    assertEquals(new GraphConfig.StepState("memory", null), g.stepStates().get("memory_in"));
    // the written config reads back to the same names
    Path again = dir.resolve("again.yaml");
    Files.writeString(again, ConfigLoader.toYaml(c));
    assertEquals(g, ConfigLoader.load(again, List.of()).model().graph());
    assertNull(ConfigLoader.load(write("model:\n  engine: samediff\n"), List.of()).model().graph().stepStates());
    assertTrue(error("model:\n  graph_names:\n    step_previous: prev\n").contains("model.graph_names.step_logits: null,"
        + " but model.graph_names.step_previous names a step graph; expected all three"));
    String notMap = error("model:\n  graph_names:\n    step_previous: p\n    step_logits: l\n    step_states: [h]\n");
    assertTrue(notMap.contains("model.graph_names.step_states: ") && notMap.contains(" is not a mapping {STATE_PLACEHOLDER"), notMap);
    assertTrue(error("model:\n  graph_names:\n    step_previous: p\n    step_logits: l\n    step_states: {h: {initial: h0, nxt: h1}}\n")
        .contains("model.graph_names.step_states.h.nxt: unknown key; expected initial or next"));
    assertTrue(error("model:\n  graph_names:\n    step_previous: p\n    step_logits: l\n    step_states: {h: {next: h1}}\n")
        .contains("model.graph_names.step_states.h.initial: null is not a variable name"));
  }

  /** {@code diag.*} (issue 18): off by default, read, checked with file:line and --set, sweepable, written back. */
  @Test
  void gradientDiagnosticsKeys() throws IOException {
    assertEquals(new DiagConfig(0, 4), SeqrlConfig.defaults().diag());
    assertFalse(SeqrlConfig.defaults().diag().settings(1).enabled());
    SeqrlConfig c = ConfigLoader.load(write("""
        diag:
          every: 10
          estimates: 6
        sweep:
          grid:
            diag.every: [0, 5]
        """), List.of());
    assertEquals(new DiagConfig(10, 6), c.diag());
    assertEquals(new org.seqrl.rl.GradientDiagnostics(10, 6, 42), c.diag().settings(42));
    assertEquals("10", c.flatten().get("diag.every"));
    assertEquals("6", c.flatten().get("diag.estimates"));
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "resolved", null, List.of()));
    assertEquals(List.of(0, 5), c.sweep().cells().stream()
        .map(cell -> ConfigLoader.withOverrides(c, cell.overrides()).diag().every()).toList());
    assertTrue(error("diag:\n  every: -1\n").endsWith(
        "config.yaml:2: diag.every: -1 is out of range; expected an integer >= 0"));
    assertTrue(error("diag:\n  every: 5\n  estimates: 1\n").endsWith(
        "config.yaml:3: diag.estimates: 1 is out of range; expected an integer from 2 (a variance needs two gradients) to 64"));
    assertTrue(error("", "diag.estimates=100").contains("diag.estimates: 100 is out of range"));
    assertTrue(error("diag:\n  evry: 5\n").contains("config.yaml:2: diag.evry: "));
    assertTrue(error("sweep:\n  grid:\n    diag.every: [5, -2]\n").contains("sweep.grid.diag.every: -2 is out of range"));
  }

  /** {@code data.curriculum.*} and {@code data.test_lengths_each} (issue 17): read, written back, sweepable, checked. */
  @Test
  void curriculumAndTestLengthKeys() throws IOException {
    String base = """
        data:
          task: copy
          train_lengths: [1, 20]
          test_lengths: [30, 50]
          max_source_length: 130
          max_target_length: 130
        """;
    SeqrlConfig c = ConfigLoader.load(write(base + """
          test_lengths_each: [30, 50, 80, 120]
          curriculum:
            start: 4
            step: 3
            metric: eval/symbol_error
            threshold: 0.02
        sweep:
          grid:
            data.curriculum.threshold: [0.5, 0.9]
            data.test_lengths_each: [[30], [40, 60]]
        """), List.of());
    assertEquals(List.of(30, 50, 80, 120), c.data().testLengthsEach());
    assertEquals(new CurriculumConfig(4, 3, "eval/symbol_error", 0.02), c.data().curriculum());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "again", null, List.of()));
    List<SeqrlConfig> cells = c.sweep().cells().stream().map(cell -> ConfigLoader.withOverrides(c, cell.overrides())).toList();
    assertEquals(List.of(0.5, 0.5, 0.9, 0.9), cells.stream().map(x -> x.data().curriculum().threshold()).toList());
    assertEquals(List.of(List.of(30), List.of(40, 60), List.of(30), List.of(40, 60)),
        cells.stream().map(x -> x.data().testLengthsEach()).toList());
    assertEquals(List.of(80), ConfigLoader.load(write(base), List.of("data.test_lengths_each=[80]")).data().testLengthsEach());
    SeqrlConfig off = ConfigLoader.load(write(base), List.of());
    assertEquals(CurriculumConfig.defaults(), off.data().curriculum());
    assertFalse(off.data().curriculum().enabled());
    assertEquals(List.of(), off.data().testLengthsEach());

    assertTrue(error(base + "  curriculum:\n    start: 20\n").contains("data.curriculum.start: 20 is outside "
        + "data.train_lengths [1, 20]; expected a first max length from 1 to 19, or 0 to turn the curriculum off"));
    assertTrue(error(base + "  curriculum:\n    start: -1\n").endsWith(
        "config.yaml:8: data.curriculum.start: -1 is out of range; expected an integer >= 0"));
    assertTrue(error(base + "  curriculum:\n    start: 2\n    step: 0\n").endsWith(
        "config.yaml:9: data.curriculum.step: 0 is out of range; expected an integer >= 1"));
    assertTrue(error(base + "  curriculum:\n    start: 2\n    metric: eval/beam/exact_match\n").endsWith(
        "config.yaml:9: data.curriculum.metric: 'eval/beam/exact_match' is not a greedy evaluation metric; "
            + "expected eval/<name>, e.g. eval/exact_match"));
    String typo = error(base + "  curriculum:\n    start: 2\n    metric: eval/exactmatch\n");
    assertTrue(typo.endsWith("config.yaml:9: data.curriculum.metric: 'eval/exactmatch' is not a metric an evaluation "
        + "reports; expected one of eval/bleu, eval/levenshtein, eval/levenshtein_rate, eval/exact_match, eval/per, "
        + "eval/wer, eval/symbol_error, eval/reward_levenshtein, eval/chrf, eval/sacrebleu, eval/reward"), typo);
    assertTrue(error(base + "  curriculum:\n    start: 2\n    threshold: high\n").contains(
        "data.curriculum.threshold: 'high' is not a number"));
    assertTrue(error("data:\n  task: pronunciation\n  curriculum:\n    start: 2\n").contains(
        "data.curriculum.start: 2 needs a synthetic task, but data.task is pronunciation"));
    assertTrue(error("sweep:\n  grid:\n    data.curriculum.step: [1, 0]\n").contains(
        "sweep.grid.data.curriculum.step: 0 is out of range"));

    assertTrue(error(base + "  test_lengths_each: [30, 30]\n").endsWith("config.yaml:7: data.test_lengths_each: "
        + "length 30 is listed twice; expected distinct lengths, e.g. [30, 50, 80, 120]"));
    assertTrue(error(base + "  test_lengths_each: [0]\n").endsWith(
        "config.yaml:7: data.test_lengths_each: length 0 is out of range; expected integers >= 1"));
    assertTrue(error(base + "  test_lengths_each: 30\n").endsWith(
        "config.yaml:7: data.test_lengths_each: 30 is not a list of integers; expected e.g. [30, 50, 80, 120]"));
    assertTrue(error(base + "  test_lengths_each: [30, fifty]\n").contains(
        "data.test_lengths_each: 'fifty' in [30,\"fifty\"] is not an integer"));
    assertTrue(error(base + "  test_lengths_each: [200]\n").contains("data.test_lengths_each: max 200 makes sources of "
        + "up to 200 and targets of up to 200 tokens for copy, beyond data.max_source_length 130"));
    assertTrue(error("data:\n  task: pronunciation\n  test_lengths_each: [30]\n").contains(
        "data.test_lengths_each: [30] needs a synthetic task, but data.task is pronunciation"));
  }

  @Test
  void sweepGridIsValidated() throws IOException {
    assertTrue(error("sweep:\n  grid:\n    rl.basline: [scst]\n").endsWith(
        "config.yaml:3: sweep.grid.rl.basline: 'rl.basline' is not a config setting; did you mean rl.baseline?"));
    assertTrue(error("sweep:\n  grid:\n    rl.baseline: [scst, scts]\n").endsWith(
        "config.yaml:3: sweep.grid.rl.baseline: 'scts' is not a baseline; expected one of none, moving-average, "
            + "scst, value, step-value, scst-correction, rloo, grpo"));
    assertTrue(error("sweep:\n  grid:\n    model.hidden: [64, -1]\n").contains(
        "sweep.grid.model.hidden: -1 is out of range"));
    assertTrue(error("sweep:\n  grid:\n    rl.baseline: [scst, rloo]\n    rl.samples: [1, 4]\n").contains(
        "sweep.grid: cell rl.baseline=rloo,rl.samples=1 is invalid: rl.baseline: 'rloo' compares"));
    assertTrue(error("sweep:\n  grid:\n    sweep.parallel: [1]\n").contains("a sweep cannot vary its own settings"));
    String section = error("sweep:\n  grid:\n    data.tsv: [{}]\n");
    assertTrue(section.contains("sweep.grid.data.tsv: 'data.tsv' is a section, not a setting; expected one of data.tsv.bad_lines, "
        + "data.tsv.dev, "),
        section);
    assertTrue(error("sweep:\n  grid:\n    seed: []\n").contains("sweep.grid.seed: has no values"));
  }

  @Test
  void everyExampleLoads() throws IOException {
    Path examples = Path.of(System.getProperty("seqrl.home", "..")).resolve("examples");
    List<Path> files;
    try (var stream = Files.list(examples)) {
      files = stream.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.size() >= 4, "examples: " + files);
    for (Path file : files) {
      SeqrlConfig c = ConfigLoader.load(file, List.of());
      assertTrue(Files.readAllLines(file).get(0).startsWith("# "), file + " starts with a comment");
      assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), file.toString(), null, List.of()));
      if (c.data().task().isSynthetic()) {
        Dataset d = Datasets.load(c.data(), null, Seeds.derive(c.seed(), Seeds.DATA));
        assertEquals(c.data().trainSize(), d.train().size(), file.toString());
      }
      if (c.data().task() == Task.TSV) {
        assertTrue(Files.isRegularFile(c.data().tsv().train()), "shipped TSV exists: " + c.data().tsv().train());
      }
    }
    SeqrlConfig quick = ConfigLoader.load(examples.resolve("quickstart.yaml"), List.of());
    assertEquals(8, quick.data().alphabet());
    assertEquals(600, quick.pretrain().steps());
    assertEquals(300, quick.rl().steps());
    assertEquals(BaselineKind.SCST, quick.rl().baseline());
    assertEquals(8, ConfigLoader.load(examples.resolve("sweep.yaml"), List.of()).sweep().cells().size());
    // the cells study: 2 tasks x 8 cells x 2 decoder depths x 3 seeds, every cell valid
    assertEquals(96, ConfigLoader.load(examples.resolve("cells.yaml"), List.of()).sweep().cells().size());
  }

  @Test
  void configSpellingsAreTheNamesRlCoreUses() {
    // rl-core spells its choices in its own error messages; the config must spell them the same.
    for (BaselineKind b : BaselineKind.values()) {
      assertEquals(b.configName(), ConfigChoice.spelling(b));
    }
    for (RewardKind r : RewardKind.values()) {
      assertEquals(r.configName(), ConfigChoice.spelling(r));
    }
  }

  @Test
  void bestMetricMustBeOneAnEvaluationReports() throws IOException {
    String typo = error("eval:\n  every: 5\n  best_metric: eval/levenstein\n");
    assertTrue(typo.endsWith("config.yaml:3: eval.best_metric: 'eval/levenstein' is not a metric an evaluation "
        + "reports; expected one of eval/bleu, eval/levenshtein, eval/levenshtein_rate, eval/exact_match, eval/per, "
        + "eval/wer, eval/symbol_error, eval/reward_levenshtein, eval/chrf, eval/sacrebleu, eval/reward"), typo);
    // eval/reward stands for the run's own reward, named by it.
    SeqrlConfig byReward = ConfigLoader.load(write("rl:\n  reward: {bleu: 0.5, chrf: 0.5}\neval:\n  best_metric: eval/reward\n"),
        List.of());
    assertEquals("eval/reward_0.5xbleu_0.5xchrf", byReward.bestMetricKey());
    assertEquals(MetricDirection.MAX, byReward.eval().bestDirection());
    String beam = error("eval:\n  best_metric: eval/beam/bleu\n");
    assertTrue(beam.contains("config.yaml:2: eval.best_metric: 'eval/beam/bleu' is only reported with beam search, "
        + "but eval.beam_width is 1"), beam);
    SeqrlConfig withBeam = ConfigLoader.load(write("eval:\n  best_metric: eval/beam/bleu\n  beam_width: 4\n"), List.of());
    assertEquals(MetricDirection.MAX, withBeam.eval().bestDirection());
  }

  @Test
  void whichWayIsBetterComesFromTheMetric() throws IOException {
    assertEquals(MetricDirection.MIN, SeqrlConfig.defaults().eval().bestDirection());
    SeqrlConfig exact = ConfigLoader.load(write("eval:\n  best_metric: eval/exact_match\n"), List.of());
    assertEquals(MetricDirection.MAX, exact.eval().bestDirection());
    assertNull(exact.eval().bestMode());
    // An explicit best_mode that agrees is accepted; one that contradicts the metric is an error.
    SeqrlConfig agreeing = ConfigLoader.load(write("eval:\n  best_metric: eval/bleu\n  best_mode: max\n"), List.of());
    assertEquals(MetricDirection.MAX, agreeing.eval().bestDirection());
    String wrong = error("eval:\n  best_metric: eval/levenshtein\n  best_mode: max\n");
    assertTrue(wrong.endsWith("config.yaml:3: eval.best_mode: 'max' contradicts eval/levenshtein, which is better when "
        + "lower; expected min, or leave eval.best_mode out"), wrong);
    // The resolved config (best_mode: null) reloads, as a resumed run does.
    SeqrlConfig reloaded = ConfigLoader.parse(ConfigLoader.toYaml(exact), "config.yaml", null, List.of());
    assertEquals(exact, reloaded);
  }

  @Test
  void settingsThatWouldDoNothingAreRejected() throws IOException {
    String dropout = error("model:\n  dropout: 0.3\n");
    assertTrue(dropout.endsWith("config.yaml:2: model.dropout: 0.3 has no effect with model.encoder_layers 1 and "
        + "model.decoder_layers 1 (dropout applies between stacked layers); expected 0, or model.encoder_layers or "
        + "model.decoder_layers >= 2"), dropout);
    assertEquals(0.3, ConfigLoader.load(write("model:\n  dropout: 0.3\n  decoder_layers: 2\n"), List.of()).model().dropout());
    String residual = error("model:\n  layer_connections: residual\n");
    assertTrue(residual.endsWith("config.yaml:2: model.layer_connections: residual has no effect with model.encoder_layers 1 "
        + "and model.decoder_layers 1 (connections join stacked layers); expected none, or model.encoder_layers or "
        + "model.decoder_layers >= 2"), residual);
    String logits = error("model:\n  norm_stabilizer_on: logits\n");
    assertTrue(logits.endsWith("config.yaml:2: model.norm_stabilizer_on: logits has no effect with model.norm_stabilizer 0; "
        + "expected hidden (the default), or model.norm_stabilizer > 0"), logits);
    assertEquals(0.3, ConfigLoader.load(write("model:\n  dropout: 0.3\n  encoder_layers: 2\n"), List.of()).model().dropout());
    String size = error("model:\n  attention: dot\n  attention_size: 32\n");
    assertTrue(size.endsWith("config.yaml:3: model.attention_size: 32 has no effect with model.attention dot (it sizes "
        + "additive attention's scoring layer); expected 0, or model.attention additive or location"), size);
    assertEquals(32, ConfigLoader.load(write("model:\n  attention: location\n  attention_size: 32\n"), List.of()).model()
        .attentionSize());
    String start = error("pretrain:\n  steps: 0\nrl:\n  start_from: best\n");
    assertTrue(start.endsWith("config.yaml:4: rl.start_from: 'best' picks the best pre-training evaluation, but "
        + "pretrain.steps is 0; expected pretrain.steps > 0, or rl.start_from final"), start);
    String tsv = error("data:\n  tsv:\n    train: words.tsv\n");
    assertTrue(tsv.endsWith("config.yaml:3: data.tsv.train: is set but data.task is reverse, which does not read TSV "
        + "files; expected data.task: tsv, or no data.tsv paths"), tsv);
    String init = error("rl:\n  init_checkpoint: ckpt\n");
    assertTrue(init.contains("config.yaml:2: rl.init_checkpoint: starts RL from ") && init.endsWith(", which skips "
        + "pre-training, but pretrain.steps is 2000; expected pretrain.steps 0"), init);
    // A sweep whose grid makes a setting idle in some cells is rejected before any cell runs.
    String sweep = error("model:\n  dropout: 0.2\n  encoder_layers: 2\nsweep:\n  grid:\n    model.encoder_layers: [1, 2]\n");
    assertTrue(sweep.contains("sweep.grid: cell model.encoder_layers=1 is invalid") && sweep.contains("model.dropout"),
        sweep);
  }

  /** Skip connections: read, validated with the line and the rule broken, written back, and varied by a sweep. */
  @Test
  void skipConnections() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("""
        model:
          cell: lstm
          encoder_layers: 4
          decoder_layers: 3
          layer_connections: skip
          skip_distance: 3
          skip_carries: output-and-state
        """), List.of());
    assertEquals(org.seqrl.agents.Seq2SeqConfig.LayerConnections.SKIP, c.model().layerConnections());
    assertEquals(3, c.model().skipDistance());
    assertEquals(org.seqrl.agents.Seq2SeqConfig.SkipCarries.OUTPUT_AND_STATE, c.model().skipCarries());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "config.yaml", null, List.of()));
    SeqrlConfig d = ConfigLoader.load(write("seed: 1\n"), List.of());
    assertEquals(2, d.model().skipDistance());
    assertEquals(org.seqrl.agents.Seq2SeqConfig.SkipCarries.OUTPUT, d.model().skipCarries());
    String stacks = "model:\n  encoder_layers: 3\n  decoder_layers: 2\n  layer_connections: skip\n";
    String one = error(stacks + "  skip_distance: 1\n");
    assertTrue(one.contains("config.yaml:5: model.skip_distance: 1 is out of range; expected an integer from 2 to 15"), one);
    String far = error(stacks + "  skip_distance: 3\n");
    assertTrue(far.contains("config.yaml:5: model.skip_distance: 3 joins no two layers: the deepest stack has 3"
        + " (model.encoder_layers 3, model.decoder_layers 2); expected 2..2"), far);
    String gru = error(stacks + "  skip_carries: output-and-state\n");
    assertTrue(gru.contains("config.yaml:5: model.skip_carries: output-and-state has no effect with model.cell gru (its only"
        + " recurrent state is its output h); expected output, or model.cell lstm or lstm-peephole"), gru);
    String idle = error("model:\n  decoder_layers: 3\n  layer_connections: dense\n  skip_distance: 2\n  skip_carries: output-and-state\n");
    assertTrue(idle.contains("config.yaml:5: model.skip_carries: output-and-state has no effect with model.layer_connections"
        + " dense; expected output (the default), or model.layer_connections skip"), idle);
    String what = error(stacks + "  skip_carries: cell\n");
    assertTrue(what.contains("config.yaml:5: model.skip_carries: 'cell' is not what a skip connection carries; expected one"
        + " of output, output-and-state"), what);
    SeqrlConfig sweep = ConfigLoader.load(write("""
        model:
          cell: lstm
          encoder_layers: 4
          decoder_layers: 4
          layer_connections: skip
        sweep:
          grid:
            model.skip_distance: [2, 3]
            model.skip_carries: [output, output-and-state]
        """), List.of());
    assertEquals(4, sweep.sweep().cells().size());
    // a distance that joins no layers is caught in the grid, before any cell runs
    String grid = error("model:\n  encoder_layers: 3\n  layer_connections: skip\nsweep:\n  grid:\n    model.skip_distance: [2, 3]\n");
    assertTrue(grid.contains("sweep.grid: cell model.skip_distance=3 is invalid") && grid.contains("model.skip_distance"), grid);
  }

  /** Decoder stacks, layer connections and the regularisers: read, validated with the line, written back. */
  @Test
  void stacksConnectionsAndRegularisers() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("""
        model:
          encoder_layers: 2
          decoder_layers: 3
          dropout: 0.1
          layer_connections: residual
          norm_stabilizer: 0.5
          norm_stabilizer_on: logits
          init_state_mean_ratio: 0.25
        """), List.of());
    assertEquals(3, c.model().decoderLayers());
    assertEquals(org.seqrl.agents.Seq2SeqConfig.LayerConnections.RESIDUAL, c.model().layerConnections());
    assertEquals(0.5, c.model().normStabilizer());
    assertEquals(org.seqrl.agents.Seq2SeqConfig.NormStabilized.LOGITS, c.model().normStabilizerOn());
    assertEquals(0.25, c.model().initStateMeanRatio());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "config.yaml", null, List.of()));
    SeqrlConfig d = ConfigLoader.load(write("seed: 1\n"), List.of());
    assertEquals(1, d.model().decoderLayers());
    assertEquals(org.seqrl.agents.Seq2SeqConfig.LayerConnections.NONE, d.model().layerConnections());
    assertEquals(0.0, d.model().normStabilizer());
    assertEquals(0.0, d.model().initStateMeanRatio());
    assertTrue(error("model:\n  decoder_layers: 0\n").contains("config.yaml:2: model.decoder_layers: 0"));
    assertTrue(error("model:\n  decoder_layers: 17\n").contains("config.yaml:2: model.decoder_layers: 17"));
    assertTrue(error("model:\n  decoder_layers: two\n").contains("config.yaml:2: model.decoder_layers: 'two' is not an integer"));
    String conn = error("model:\n  decoder_layers: 2\n  layer_connections: highway\n");
    assertTrue(conn.contains("config.yaml:3: model.layer_connections: 'highway' is not a layer connection pattern; expected one"
        + " of none, residual, dense, skip"), conn);
    assertEquals(org.seqrl.agents.Seq2SeqConfig.LayerConnections.DENSE, ConfigLoader.load(
        write("model:\n  decoder_layers: 3\n  layer_connections: dense\n"), List.of()).model().layerConnections());
    assertTrue(error("model:\n  norm_stabilizer: -1\n").contains("config.yaml:2: model.norm_stabilizer: -1"));
    String on = error("model:\n  norm_stabilizer: 1\n  norm_stabilizer_on: cells\n");
    assertTrue(on.contains("config.yaml:3: model.norm_stabilizer_on: 'cells' is not what the norm-stabilizer reads; expected "
        + "one of hidden, logits, encoder-and-hidden"), on);
    assertEquals(org.seqrl.agents.Seq2SeqConfig.NormStabilized.ENCODER_AND_HIDDEN, ConfigLoader.load(write(
        "model:\n  norm_stabilizer: 0.1\n  norm_stabilizer_on: encoder-and-hidden\n"), List.of()).model().normStabilizerOn());
    String idleEncoder = error("model:\n  norm_stabilizer_on: encoder-and-hidden\n");
    assertTrue(idleEncoder.contains("config.yaml:2: model.norm_stabilizer_on: encoder-and-hidden has no effect with"
        + " model.norm_stabilizer 0"), idleEncoder);
    String tf = error("model:\n  type: transformer\n  norm_stabilizer: 0.1\n  norm_stabilizer_on: encoder-and-hidden\n");
    assertTrue(tf.contains("model.norm_stabilizer_on: 'encoder-and-hidden' reads the recurrent encoder's and decoder's states;"
        + " with model.type transformer expected logits"), tf);
    String ratio = error("model:\n  init_state_mean_ratio: 1.5\n");
    assertTrue(ratio.endsWith("config.yaml:2: model.init_state_mean_ratio: 1.5 is invalid; expected a number in [0, 1] (0: the "
        + "decoder starts from the encoder's final states, 1: from the mean of its outputs)"), ratio);
  }

  /**
   * model.embedding_dropout and model.output_dropout: read, written back, 0 by default, range-checked,
   * and refused with the transformer (its own model.transformer.dropout) and with model.engine samediff.
   */
  @Test
  void embeddingAndOutputDropoutKeys() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("model:\n  embedding_dropout: 0.2\n  output_dropout: 0.3\n"), List.of());
    assertEquals(0.2, c.model().embeddingDropout());
    assertEquals(0.3, c.model().outputDropout());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "config.yaml", null, List.of()));
    assertTrue(ConfigLoader.toYaml(c).contains("embedding_dropout: 0.2") && ConfigLoader.toYaml(c).contains("output_dropout: 0.3"));
    SeqrlConfig none = ConfigLoader.load(write("seed: 1\n"), List.of());
    assertEquals(0.0, none.model().embeddingDropout());
    assertEquals(0.0, none.model().outputDropout());
    SeqrlConfig set = ConfigLoader.load(write("seed: 1\n"), List.of("model.output_dropout=0.5"));
    assertEquals(0.5, set.model().outputDropout());
    String range = error("model:\n  embedding_dropout: 1.0\n");
    assertTrue(range.endsWith("config.yaml:2: model.embedding_dropout: 1.0 is out of range; expected a number from 0 to 1 "
        + "(exclusive)"), range);
    assertTrue(error("model:\n  output_dropout: -0.2\n").contains("model.output_dropout: -0.2 is out of range"));
    String tf = error("model:\n  type: transformer\n  output_dropout: 0.3\n");
    assertTrue(tf.endsWith("model.output_dropout: 0.3 applies to the recurrent model, not model.type transformer (which drops "
        + "out with model.transformer.dropout); expected 0, or model.transformer.dropout for the transformer"), tf);
    String sd = error("model:\n  engine: samediff\n  embedding_dropout: 0.2\n");
    assertTrue(sd.endsWith("model.embedding_dropout: 0.2 is not built by model.engine samediff (its graphs have no dropout); "
        + "expected 0, or model.engine fast"), sd);
  }

  /** rl.critic_warmup_steps: read, written back, 0 by default, at most rl.steps, and refused where no critic is trained. */
  @Test
  void criticWarmupStepsKey() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("model:\n  critic_trunk: separate\nrl:\n  baseline: step-value\n  critic_warmup_steps: 50\n"), List.of());
    assertEquals(50, c.rl().criticWarmupSteps());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "config.yaml", null, List.of()));
    assertTrue(ConfigLoader.toYaml(c).contains("critic_warmup_steps: 50"));
    assertEquals(0, ConfigLoader.load(write("seed: 1\n"), List.of()).rl().criticWarmupSteps());
    String none = error("model:\n  critic_trunk: separate\nrl:\n  baseline: scst\n  critic_warmup_steps: 10\n");
    assertTrue(none.endsWith("rl.critic_warmup_steps: 10 warms up a critic, but rl.baseline 'scst' has none; expected 0, "
        + "or a baseline with a critic (value, step-value, scst-correction)"), none);
    String ppo = error("model:\n  critic_trunk: separate\nrl:\n  baseline: value\n  objective: ppo-clip\n  critic_warmup_steps: 10\n");
    assertTrue(ppo.endsWith("rl.critic_warmup_steps: 10 is not combined with rl.objective: ppo-clip; expected 0, or "
        + "rl.objective: policy-gradient"), ppo);
    assertTrue(error("rl:\n  steps: 20\n  baseline: value\n  critic_warmup_steps: 30\n").endsWith(
        "rl.critic_warmup_steps: 30 is more than rl.steps 20; expected at most 20"));
    String shared = error("rl:\n  baseline: step-value\n  critic_warmup_steps: 50\n");
    assertTrue(shared.endsWith("rl.critic_warmup_steps: 50 trains the critic alone only with model.critic_trunk separate; "
        + "with shared its loss moves the policy's layers with no policy gradient beside them (that alone collapsed "
        + "step-value on 5 of 5 seeds, docs/study.md); expected model.critic_trunk separate, or 0"), shared);
    // without RL steps (a pre-training-only run) there is no critic to warm up: nothing to check
    SeqrlConfig pre = ConfigLoader.load(write("rl:\n  baseline: step-value\n  critic_warmup_steps: 50\n"
        + "sweep:\n  grid:\n    rl.critic_warmup_steps: [0, 50]\n"), List.of("rl.steps=0", "pretrain.steps=10"));
    assertEquals(50, pre.rl().criticWarmupSteps());
  }

  /** model.output_order: read, written back, left-to-right by default; right-to-left refuses RL and the samediff engine. */
  @Test
  void outputOrderKey() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("model:\n  output_order: right-to-left\nrl:\n  steps: 0\n"), List.of());
    assertEquals(ModelConfig.OutputOrder.RIGHT_TO_LEFT, c.model().outputOrder());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "config.yaml", null, List.of()));
    assertTrue(ConfigLoader.toYaml(c).contains("output_order: right-to-left"));
    assertEquals(ModelConfig.OutputOrder.LEFT_TO_RIGHT, ConfigLoader.load(write("seed: 1\n"), List.of()).model().outputOrder());
    String rl = error("model:\n  output_order: right-to-left\nrl:\n  steps: 10\n");
    assertTrue(rl.endsWith("rl.steps: 10 with model.output_order right-to-left, which trains by maximum likelihood only;"
        + " expected rl.steps 0, or model.output_order left-to-right"), rl);
    String sd = error("model:\n  output_order: right-to-left\n  engine: samediff\nrl:\n  steps: 0\n");
    assertTrue(sd.endsWith("model.output_order: right-to-left is built by model.engine fast only; expected left-to-right,"
        + " or model.engine fast"), sd);
    String spelling = error("model:\n  output_order: backwards\n");
    assertTrue(spelling.contains("left-to-right") && spelling.contains("right-to-left"), spelling);
  }

  /** pretrain.label_smoothing: read, written back, 0 by default, range-checked, and refused by model.engine samediff. */
  @Test
  void labelSmoothingKey() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("pretrain:\n  label_smoothing: 0.1\n"), List.of());
    assertEquals(0.1, c.pretrain().labelSmoothing());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "config.yaml", null, List.of()));
    assertTrue(ConfigLoader.toYaml(c).contains("label_smoothing: 0.1"));
    assertEquals(0.0, ConfigLoader.load(write("seed: 1\n"), List.of()).pretrain().labelSmoothing());
    assertEquals(0.2, ConfigLoader.load(write("seed: 1\n"), List.of("pretrain.label_smoothing=0.2")).pretrain().labelSmoothing());
    String range = error("pretrain:\n  label_smoothing: 1.0\n");
    assertTrue(range.endsWith("config.yaml:2: pretrain.label_smoothing: 1.0 is out of range; expected a number from 0 to 1 "
        + "(exclusive)"), range);
    String sd = error("model:\n  engine: samediff\npretrain:\n  label_smoothing: 0.1\n");
    assertTrue(sd.endsWith("pretrain.label_smoothing: 0.1 is not built by model.engine samediff (its graph's loss is plain "
        + "likelihood); expected 0, or model.engine fast"), sd);
  }

  /**
   * pretrain.ema_decay: read, written back, 0 by default, range-checked, refused by model.engine samediff; the
   * decay of update n is min(d, (1 + n) / (10 + n)).
   */
  @Test
  void emaDecayKey() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("pretrain:\n  ema_decay: 0.999\n"), List.of());
    assertEquals(0.999, c.pretrain().emaDecay());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "config.yaml", null, List.of()));
    assertTrue(ConfigLoader.toYaml(c).contains("ema_decay: 0.999"));
    assertEquals(0.0, ConfigLoader.load(write("seed: 1\n"), List.of()).pretrain().emaDecay());
    assertEquals(0.1, c.pretrain().emaDecayAt(0));
    assertEquals(11.0 / 20.0, c.pretrain().emaDecayAt(10));
    assertEquals(0.999, c.pretrain().emaDecayAt(1_000_000));
    String range = error("pretrain:\n  ema_decay: 1\n");
    assertTrue(range.endsWith("config.yaml:2: pretrain.ema_decay: 1.0 is out of range; expected a number from 0 to 1 "
        + "(exclusive)"), range);
    String sd = error("model:\n  engine: samediff\npretrain:\n  ema_decay: 0.99\n");
    assertTrue(sd.endsWith("pretrain.ema_decay: 0.99 (a moving average of the weights) is kept by model.engine fast only; "
        + "expected 0, or model.engine fast"), sd);
  }

  /** data.length_pool: read, written back, 0 by default, and 1 or negative refused with what would work. */
  @Test
  void lengthPoolKey() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("data:\n  length_pool: 50\n"), List.of());
    assertEquals(50, c.data().lengthPool());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "config.yaml", null, List.of()));
    assertEquals(0, ConfigLoader.load(write("seed: 1\n"), List.of()).data().lengthPool());
    String one = error("data:\n  length_pool: 1\n");
    assertTrue(one.contains("data.length_pool: 1 is not a pool size; expected 0 (random batches) or a number of batches >= 2"),
        one);
  }

  /** eval.coverage_penalty: read, written back, 0 by default, range-checked, and refused where nothing can apply it. */
  @Test
  void coveragePenaltyKey() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("model:\n  attention: additive\neval:\n  coverage_penalty: 0.4\n"), List.of());
    assertEquals(0.4, c.eval().coveragePenalty());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "config.yaml", null, List.of()));
    assertTrue(ConfigLoader.toYaml(c).contains("coverage_penalty: 0.4"));
    assertEquals(0.0, ConfigLoader.load(write("seed: 1\n"), List.of()).eval().coveragePenalty());
    String range = error("model:\n  attention: additive\neval:\n  coverage_penalty: -1\n");
    assertTrue(range.contains("eval.coverage_penalty: -1.0 is out of range; expected a number >= 0"), range);
    String none = error("model:\n  attention: none\neval:\n  coverage_penalty: 0.4\n");
    assertTrue(none.contains("eval.coverage_penalty: 0.4 needs attention") && none.contains("model.attention additive, dot or location"), none);
    String sd = error("model:\n  engine: samediff\n  attention: additive\neval:\n  coverage_penalty: 0.4\n");
    assertTrue(sd.contains("eval.coverage_penalty: 0.4 is not built by model.engine samediff"), sd);
    assertEquals(0.4, ConfigLoader.load(write("model:\n  type: transformer\neval:\n  coverage_penalty: 0.4\n"), List.of())
        .eval().coveragePenalty(), "a transformer's cross-attention measures coverage");
  }

  /** model.carry_cell_state: read, written back, off by default, taken by an NTM with an LSTM controller, and refused where it has no single meaning. */
  @Test
  void carryCellStateKey() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("model:\n  cell: lstm\n  carry_cell_state: true\n"), List.of());
    assertTrue(c.model().carryCellState());
    assertEquals(c, ConfigLoader.parse(ConfigLoader.toYaml(c), "config.yaml", null, List.of()));
    assertTrue(ConfigLoader.toYaml(c).contains("carry_cell_state: true"));
    assertFalse(ConfigLoader.load(write("seed: 1\n"), List.of()).model().carryCellState());
    assertTrue(ConfigLoader.load(write("model:\n  cell: ntm\n  carry_cell_state: true\n"), List.of()).model().carryCellState());
    String ntm = error("model:\n  cell: ntm\n  carry_cell_state: true\n  memory:\n    controller: feedforward\n");
    assertTrue(ntm.contains("model.carry_cell_state: true with model.cell ntm and model.memory.controller feedforward"), ntm);
    String layers = error("model:\n  cell: lstm\n  decoder_layers: 2\n  carry_cell_state: true\n");
    assertTrue(layers.contains("model.carry_cell_state: true with model.decoder_layers 2"), layers);
    assertTrue(error("model:\n  carry_cell_state: maybe\n").contains("model.carry_cell_state"));
    assertTrue(ConfigLoader.load(write("model:\n  cell: lstm-peephole\n  carry_cell_state: true\n"), List.of())
        .model().carryCellState());
    // a cell whose state is h alone has no c to carry: the key would do nothing, so it is refused
    String gru = error("model:\n  carry_cell_state: true\n");
    assertTrue(gru.endsWith("model.carry_cell_state: true has no effect with model.cell gru (its state is h alone, which "
        + "the bridge passes anyway; there is no cell state c to carry); expected false, or model.cell lstm, "
        + "lstm-peephole or ntm"), gru);
    for (String cell : new String[] {"rnn-tanh", "irnn", "jzs1", "jzs2", "jzs3"}) {
      String e = error("model:\n  cell: " + cell + "\n  carry_cell_state: true\n");
      assertTrue(e.contains("model.carry_cell_state: true has no effect with model.cell " + cell + " "), e);
    }
    // the transformer's recurrent keys are unused, as documented for model.type
    assertTrue(ConfigLoader.load(write("model:\n  type: transformer\n  carry_cell_state: true\n"), List.of())
        .model().carryCellState());
  }

  @Test
  void learningRateSchedulesAndPatience() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("""
        pretrain:
          steps: 100
          lr_schedule: cosine
          warmup_steps: 10
          patience: 3
        rl:
          steps: 50
          lr_schedule: linear
        """), List.of());
    assertEquals(new org.seqrl.rl.LearningRateSchedule(org.seqrl.rl.LearningRateSchedule.Shape.COSINE, 10, 100),
        c.pretrain().schedule());
    assertEquals(3, c.pretrain().patience());
    assertEquals(org.seqrl.rl.LearningRateSchedule.Shape.LINEAR, c.rl().lrSchedule());
    assertEquals(0, c.rl().patience());
    String warm = error("pretrain:\n  steps: 5\n  warmup_steps: 6\n");
    assertTrue(warm.endsWith("config.yaml:3: pretrain.warmup_steps: 6 is longer than the phase (pretrain.steps 5); "
        + "expected at most 5"), warm);
    String shape = error("rl:\n  lr_schedule: exponential\n");
    assertTrue(shape.endsWith("config.yaml:2: rl.lr_schedule: 'exponential' is not a learning-rate schedule; expected "
        + "one of constant, linear, cosine"), shape);
  }

  @Test
  void everyCellOfTheEngineIsAConfigChoice() throws IOException {
    // The config reads agents' CellType itself: a cell added there is a spelling here at once.
    for (CellType cell : CellType.values()) {
      String spelling = ConfigChoice.spelling(cell);
      assertEquals(cell, ConfigLoader.load(write("model:\n  cell: " + spelling + "\n"), List.of()).model().cell());
    }
    assertEquals(CellType.LSTM_PEEPHOLE, ConfigLoader.load(write("model:\n  cell: lstm-peephole\n"), List.of()).model().cell());
  }

  @Test
  void initSchemeScaleAndForgetBias() throws IOException {
    ModelConfig m = ConfigLoader.load(write("model:\n  cell: lstm\n  init: orthogonal\n  init_scale: 1.5\n  forget_bias: 2\n"),
        List.of()).model();
    assertEquals(new org.seqrl.agents.Seq2SeqConfig.Init(org.seqrl.agents.Seq2SeqConfig.InitScheme.ORTHOGONAL, 1.5, 2.0),
        m.initialisation());
    assertEquals(org.seqrl.agents.Seq2SeqConfig.Init.DEFAULT, SeqrlConfig.defaults().model().initialisation());
    String scheme = error("model:\n  init: xavier\n");
    assertTrue(scheme.endsWith("config.yaml:2: model.init: 'xavier' is not an initialisation scheme; expected one of "
        + "uniform, orthogonal, identity"), scheme);
    String scale = error("model:\n  init: orthogonal\n  init_scale: 0\n");
    assertTrue(scale.endsWith("config.yaml:3: model.init_scale: 0.0 is out of range; expected a number > 0 and at most 10"), scale);
    String identity = error("model:\n  cell: gru\n  init: identity\n");
    assertTrue(identity.endsWith("config.yaml:3: model.init: 'identity' does not fit model.cell gru (the identity start "
        + "carries the state of an ungated recurrence; a gated cell carries it through its gates, and an identity in every "
        + "gate block would feed each gate h itself); expected uniform or orthogonal, or model.cell rnn-tanh or irnn"), identity);
    String orth = error("model:\n  cell: irnn\n  init: orthogonal\n");
    assertTrue(orth.contains("config.yaml:3: model.init: 'orthogonal' does not fit model.cell irnn"), orth);
    String bias = error("model:\n  forget_bias: 0.5\n");
    assertTrue(bias.endsWith("config.yaml:2: model.forget_bias: 0.5 has no effect with model.cell gru (it is the LSTM "
        + "forget gate's bias); expected 1.0, or model.cell lstm or lstm-peephole"), bias);
    assertEquals(ModelConfig.defaults().initialisation(),
        ConfigLoader.parse(ConfigLoader.toYaml(SeqrlConfig.defaults()), "config.yaml", null, List.of()).model().initialisation());
    // usable in a sweep; a cell where a setting does not fit is rejected before any runs
    SeqrlConfig sweep = ConfigLoader.load(write("model:\n  cell: rnn-tanh\nsweep:\n  grid:\n    model.init: [uniform, "
        + "orthogonal, identity]\n    model.init_scale: [0.5, 1.0]\n"), List.of());
    assertEquals(6, sweep.sweep().cells().size());
    SeqrlConfig last = ConfigLoader.withOverrides(sweep, sweep.sweep().cells().get(5).overrides());
    assertEquals(new org.seqrl.agents.Seq2SeqConfig.Init(org.seqrl.agents.Seq2SeqConfig.InitScheme.IDENTITY, 1.0, 1.0),
        last.model().initialisation());
    String clash = error("sweep:\n  grid:\n    model.cell: [gru, rnn-tanh]\n    model.init: [identity]\n");
    assertTrue(clash.contains("sweep.grid: cell model.cell=gru,model.init=identity is invalid"), clash);
  }

  /** sweep.parallel 0: one cell per core, as many as fit in memory at 2 GiB each, at least one. */
  @Test
  void theDefaultRunsOneCellPerCoreAsMemoryAllows() {
    long gib = 1L << 30;
    assertEquals(2, SweepConfig.defaultParallel(2, 24 * gib));
    assertEquals(64, SweepConfig.defaultParallel(64, 256 * gib));
    assertEquals(32, SweepConfig.defaultParallel(64, 64 * gib));
    assertEquals(1, SweepConfig.defaultParallel(8, gib));
    assertEquals(1, SweepConfig.defaultParallel(1, 64 * gib));
    int cores = Runtime.getRuntime().availableProcessors();
    int chosen = SweepConfig.defaults().effectiveParallel();
    assertTrue(chosen >= 1 && chosen <= cores, "chose " + chosen + " on " + cores + " cores");
  }
}
