package org.seqrl.experiments.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.agents.Engine;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.LayerConnections;
import org.seqrl.agents.Seq2SeqConfig.SkipCarries;
import org.seqrl.agents.Seq2SeqConfig.NormStabilized;
import org.seqrl.agents.Seq2SeqConfig.CriticTrunk;
import org.seqrl.agents.Seq2SeqConfig.InitScheme;
import org.seqrl.agents.Seq2SeqConfig.ModelType;
import org.seqrl.agents.Seq2SeqConfig.Norm;
import org.seqrl.agents.Seq2SeqConfig.PositionKind;
import org.seqrl.experiments.data.TokenLevel;
import org.seqrl.metrics.NltkSmoothing;
import org.seqrl.rl.BaselineKind;
import org.seqrl.rl.LearningRateSchedule.Shape;
import org.seqrl.rl.MetricDirection;

/**
 * Reads a YAML experiment config, applies {@code key=value} overrides, fills in defaults and
 * validates. Every error is one line naming where the value came from (file and line, or the
 * {@code --set} option), the dotted key, the value and what is allowed.
 *
 * <p>Relative paths in a file are resolved against the file's folder; relative paths in overrides
 * against the working directory; so the resolved config holds absolute paths.
 */
public final class ConfigLoader {
  static final YAMLMapper MAPPER = YAMLMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .build();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Every dotted key a config may hold (sections and leaves), taken from the defaults so it is defined once. */
  static final Set<String> KNOWN_KEYS;
  /** Keys that hold a single setting (what a sweep may vary and --set may set). */
  static final Set<String> LEAF_KEYS;

  static {
    Set<String> known = new LinkedHashSet<>();
    Set<String> leaves = new LinkedHashSet<>();
    collectKeys(ConfigWriter.toTree(SeqrlConfig.defaults()), "", known, leaves);
    KNOWN_KEYS = Set.copyOf(known);
    LEAF_KEYS = java.util.Collections.unmodifiableSet(leaves);
  }

  private ConfigLoader() {}

  /** Loads {@code file} and applies {@code overrides} ({@code key=value}, values in YAML syntax). */
  public static SeqrlConfig load(Path file, List<String> overrides) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UserInputException(file + ": config file not found");
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read config file: " + e.getMessage());
    }
    Path dir = file.toAbsolutePath().normalize().getParent();
    return parse(text, file.toString(), dir, overrides);
  }

  /**
   * Parses YAML text. {@code sourceName} names it in errors; {@code baseDir} resolves relative paths
   * (null keeps them as written).
   */
  public static SeqrlConfig parse(String yaml, String sourceName, Path baseDir, List<String> overrides) {
    ConfigOrigin origin = new ConfigOrigin(sourceName, baseDir);
    ObjectNode tree = readTree(yaml, origin);
    origin.lines.putAll(lineNumbers(yaml));
    applyOverrides(tree, overrides, origin);
    return build(tree, origin, true);
  }

  /** Applies overrides to a resolved config, e.g. one sweep cell; errors name the {@code --set} option. */
  public static SeqrlConfig withOverrides(SeqrlConfig base, List<String> overrides) {
    ConfigOrigin origin = new ConfigOrigin("config", null);
    ObjectNode tree = ConfigWriter.toTree(base);
    applyOverrides(tree, overrides, origin);
    return build(tree, origin, true);
  }

  /** The resolved config as YAML with every default written out; it reloads to an equal config. */
  public static String toYaml(SeqrlConfig config) {
    try {
      return MAPPER.writeValueAsString(ConfigWriter.toTree(config));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write config as YAML", e);
    }
  }

  static LinkedHashMap<String, String> flatten(SeqrlConfig config) {
    LinkedHashMap<String, String> flat = new LinkedHashMap<>();
    flattenInto(ConfigWriter.toTree(config), "", flat);
    return flat;
  }

  // ---------------------------------------------------------------- parsing

  private static ObjectNode readTree(String yaml, ConfigOrigin origin) {
    JsonNode node;
    try {
      node = MAPPER.readTree(yaml);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      String msg = e.getOriginalMessage().lines().findFirst().orElse("").trim();
      throw new UserInputException(origin.name + (line > 0 ? ":" + line : "") + ": invalid YAML: " + msg);
    }
    if (node == null || node.isMissingNode() || node.isNull()) {
      return NODES.objectNode();
    }
    if (!node.isObject()) {
      throw new UserInputException(origin.name + ":1: expected a mapping of config keys (e.g. 'seed: 1'), got "
          + describe(node));
    }
    return (ObjectNode) node;
  }

  /** Line of each dotted key in the YAML text, so that errors can point at it. */
  static Map<String, Integer> lineNumbers(String yaml) {
    Map<String, Integer> lines = new LinkedHashMap<>();
    try (JsonParser p = MAPPER.getFactory().createParser(yaml)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        walkLines(p, "", lines);
      }
    } catch (IOException e) {
      // Already reported by readTree; line numbers are a convenience.
    }
    return lines;
  }

  private static void walkLines(JsonParser p, String prefix, Map<String, Integer> lines) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) != null && t != JsonToken.END_OBJECT) {
      if (t != JsonToken.FIELD_NAME) {
        continue;
      }
      String key = prefix + p.currentName();
      lines.put(key, p.currentTokenLocation().getLineNr());
      JsonToken value = p.nextToken();
      if (value == JsonToken.START_OBJECT) {
        walkLines(p, key + ".", lines);
      } else if (value == JsonToken.START_ARRAY) {
        p.skipChildren();
      }
    }
  }

  private static void applyOverrides(ObjectNode tree, List<String> overrides, ConfigOrigin origin) {
    for (String raw : overrides == null ? List.<String>of() : overrides) {
      String where = "--set " + raw;
      int eq = raw.indexOf('=');
      if (eq <= 0) {
        throw new UserInputException(where + ": expected key=value, e.g. --set rl.baseline=scst");
      }
      String key = raw.substring(0, eq).trim();
      String valueText = raw.substring(eq + 1).trim();
      List<String> path = splitKey(key);
      if (path == null) {
        throw new UserInputException(where + ": " + key + ": " + unknownKeyProblem(key));
      }
      JsonNode value;
      try {
        value = valueText.isEmpty() ? NullNode.instance : MAPPER.readTree(valueText);
      } catch (JsonProcessingException e) {
        throw new UserInputException(where + ": " + key + ": '" + valueText + "' is not a YAML value");
      }
      if (value == null || value.isMissingNode()) {
        value = NullNode.instance;
      }
      ObjectNode parent = tree;
      for (int i = 0; i < path.size() - 1; i++) {
        JsonNode child = parent.get(path.get(i));
        if (child != null && child.isTextual() && key.startsWith("rl.reward.")) {
          // rl.reward: bleu plus --set rl.reward.chrf=0.5 means a weighted sum of both.
          ObjectNode weights = NODES.objectNode();
          weights.put(child.asText(), 1.0);
          parent.set(path.get(i), weights);
          child = weights;
        }
        if (child == null || !child.isObject()) {
          child = NODES.objectNode();
          parent.set(path.get(i), child);
        }
        parent = (ObjectNode) child;
      }
      parent.set(path.get(path.size() - 1), value);
      origin.overrides.put(key, where);
    }
  }

  /** The path of a dotted key, or null when it is not a config key. */
  private static List<String> splitKey(String key) {
    for (String open : List.of("sweep.grid.", "rl.reward.")) {
      if (key.startsWith(open) && key.length() > open.length()) {
        List<String> path = new ArrayList<>(List.of(open.substring(0, open.length() - 1).split("\\.")));
        path.add(key.substring(open.length()));
        return path;
      }
    }
    return KNOWN_KEYS.contains(key) ? List.of(key.split("\\.")) : null;
  }

  static String unknownKeyProblem(String key) {
    return unknownKeyProblem(key, KNOWN_KEYS);
  }

  /** "unknown key" with the closest of {@code candidates}, or the keys allowed next to it when none is close. */
  static String unknownKeyProblem(String key, Set<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String last = key.substring(key.lastIndexOf('.') + 1);
    for (String known : candidates) {
      String knownLast = known.substring(known.lastIndexOf('.') + 1);
      int d = Math.min(distance(key, known), distance(last, knownLast) + (parentOf(key).equals(parentOf(known)) ? 0 : 2));
      if (d < bestDistance || (d == bestDistance && best != null && known.compareTo(best) < 0)) {
        bestDistance = d;
        best = known;
      }
    }
    if (best != null && bestDistance <= Math.max(2, last.length() / 3)) {
      return "unknown key; did you mean " + best + "?";
    }
    String parent = parentOf(key);
    List<String> siblings = candidates.stream().filter(k -> parentOf(k).equals(parent)).sorted().toList();
    if (siblings.isEmpty()) {
      siblings = candidates.stream().filter(k -> !k.contains(".")).sorted().toList();
    }
    return "unknown key; expected one of " + String.join(", ", siblings);
  }

  static String parentOf(String key) {
    int dot = key.lastIndexOf('.');
    return dot < 0 ? "" : key.substring(0, dot);
  }

  /** Levenshtein distance, for suggesting the closest known key. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static SeqrlConfig build(ObjectNode tree, ConfigOrigin origin, boolean checkSweep) {
    try {
      checkKeys(tree, "");
      SeqrlConfig config = buildUnchecked(tree, origin);
      if (checkSweep) {
        checkSweep(tree, config, origin);
      }
      return config;
    } catch (InvalidConfigException e) {
      throw new UserInputException(origin.where(e.key()) + ": " + e.getMessage(), e);
    }
  }

  private static void checkKeys(ObjectNode node, String prefix) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix + e.getKey();
      if (!KNOWN_KEYS.contains(key)) {
        throw new InvalidConfigException(key, unknownKeyProblem(key));
      }
      boolean section = !LEAF_KEYS.contains(key) && !key.equals("sweep.grid");
      if (section) {
        if (!e.getValue().isObject() && !e.getValue().isNull()) {
          throw new InvalidConfigException(key, describe(e.getValue()) + " is not a section; expected a mapping of "
              + key + ".* keys");
        }
        if (e.getValue().isObject()) {
          checkKeys((ObjectNode) e.getValue(), key + ".");
        }
      }
    }
  }

  /** {@code data.algorithmic.*}: repeat-copy and associative recall (issue 17). */
  private static AlgorithmicConfig algorithmicConfig(ConfigReader a, AlgorithmicConfig d) {
    return new AlgorithmicConfig(a.range("repeats", d.repeats()), a.integer("item_length", d.itemLength()));
  }

  /** {@code data.curriculum.*}: growing the training lengths (issue 17). */
  private static CurriculumConfig curriculumConfig(ConfigReader c, CurriculumConfig d) {
    return new CurriculumConfig(c.integer("start", d.start()), c.integer("step", d.step()),
        c.string("metric", d.metric()), c.number("threshold", d.threshold()));
  }

  /** {@code model.memory.*}: the NTM's memory (issue 17). */
  private static GraphConfig graphConfig(ConfigReader model, GraphConfig d) {
    ConfigReader names = model.section("graph_names");
    return new GraphConfig(model.path("graph", d.file()), names.string("source_ids", d.sourceIds()),
        names.string("source_mask", d.sourceMask()), names.string("decoder_input", d.decoderInput()),
        names.string("logits", d.logits()), names.string("sequence_value", d.sequenceValue()),
        names.string("step_values", d.stepValues()), names.string("step_previous", d.stepPrevious()),
        names.string("step_logits", d.stepLogits()), names.stepStates("step_states", d.stepStates()));
  }

  private static MemoryConfig memoryConfig(ConfigReader memory, MemoryConfig d) {
    return new MemoryConfig(memory.integer("slots", d.slots()), memory.integer("width", d.width()),
        memory.integer("read_heads", d.readHeads()), memory.integer("write_heads", d.writeHeads()),
        memory.integer("shift_range", d.shiftRange()),
        memory.choice("controller", d.controller(), org.seqrl.agents.NtmSpec.Controller.class, "an NTM controller"),
        memory.number("init", d.init()));
  }

  private static SeqrlConfig buildUnchecked(ObjectNode tree, ConfigOrigin origin) {
    ConfigReader root = new ConfigReader(tree, "", origin);
    SeqrlConfig d = SeqrlConfig.defaults();

    ConfigReader data = root.section("data");
    DataConfig dd = d.data();
    LengthRange trainLengths = data.range("train_lengths", dd.trainLengths());
    LengthRange testLengths = data.range("test_lengths", trainLengths);
    ConfigReader tsv = data.section("tsv");
    TsvConfig td = dd.tsv();
    TsvConfig tsvConfig = new TsvConfig(tsv.path("train", td.train()), tsv.path("dev", td.dev()),
        tsv.path("test", td.test()), tsv.number("dev_fraction", td.devFraction()),
        tsv.number("test_fraction", td.testFraction()),
        tsv.choice("level", td.level(), TokenLevel.class, "a token level"),
        tsv.choice("bad_lines", td.badLines(), BadLines.class, "a bad-line policy"),
        tsv.integer("vocab_size", td.vocabSize()));
    ConfigReader pron = data.section("pronunciation");
    PronunciationConfig pd = dd.pronunciation();
    PronunciationConfig pronConfig = new PronunciationConfig(pron.bool("strip_stress", pd.stripStress()),
        pron.integer("max_words", pd.maxWords()),
        pron.choice("direction", pd.direction(), PronunciationConfig.Direction.class, "a direction"));
    DataConfig dataConfig = new DataConfig(
        data.choice("task", dd.task(), Task.class, "a task"),
        data.integer("alphabet", dd.alphabet()), trainLengths, testLengths,
        data.integer("train_size", dd.trainSize()), data.integer("dev_size", dd.devSize()),
        data.integer("test_size", dd.testSize()), data.integer("max_source_length", dd.maxSourceLength()),
        data.integer("max_target_length", dd.maxTargetLength()), tsvConfig, pronConfig,
        algorithmicConfig(data.section("algorithmic"), dd.algorithmic()),
        data.integers("test_lengths_each", dd.testLengthsEach()), curriculumConfig(data.section("curriculum"), dd.curriculum()),
        data.integer("length_pool", dd.lengthPool()));

    ConfigReader model = root.section("model");
    ModelConfig md = d.model();
    ModelConfig modelConfig = new ModelConfig(
        model.choice("cell", md.cell(), CellType.class, "a recurrent cell"),
        model.integer("embedding", md.embedding()), model.integer("hidden", md.hidden()),
        model.integer("encoder_layers", md.encoderLayers()), model.bool("bidirectional", md.bidirectional()),
        model.number("dropout", md.dropout()),
        model.number("embedding_dropout", md.embeddingDropout()), model.number("output_dropout", md.outputDropout()),
        model.choice("attention", md.attention(), Attention.class, "an attention kind"),
        model.integer("attention_size", md.attentionSize()),
        model.choice("critic_trunk", md.criticTrunk(), CriticTrunk.class, "a critic trunk"),
        model.choice("init", md.init(), InitScheme.class, "an initialisation scheme"),
        model.number("init_scale", md.initScale()), model.number("forget_bias", md.forgetBias()),
        model.integer("decoder_layers", md.decoderLayers()),
        model.choice("layer_connections", md.layerConnections(), LayerConnections.class, "a layer connection pattern"),
        model.integer("skip_distance", md.skipDistance()),
        model.choice("skip_carries", md.skipCarries(), SkipCarries.class, "what a skip connection carries"),
        model.number("norm_stabilizer", md.normStabilizer()),
        model.choice("norm_stabilizer_on", md.normStabilizerOn(), NormStabilized.class, "what the norm-stabilizer reads"),
        model.number("init_state_mean_ratio", md.initStateMeanRatio()),
        model.bool("carry_cell_state", md.carryCellState()),
        memoryConfig(model.section("memory"), md.memory()),
        model.choice("engine", md.engine(), Engine.class, "an engine"),
        model.choice("type", md.type(), ModelType.class, "a model type"), transformerConfig(model.section("transformer"),
        md.transformer()), graphConfig(model, md.graph()),
        model.choice("output_order", md.outputOrder(), ModelConfig.OutputOrder.class, "an output order"));

    ConfigReader pre = root.section("pretrain");
    PretrainConfig pdf = d.pretrain();
    PretrainConfig pretrainConfig = new PretrainConfig(pre.integer("steps", pdf.steps()),
        pre.integer("batch_size", pdf.batchSize()), pre.number("learning_rate", pdf.learningRate()),
        pre.number("max_grad_norm", pdf.maxGradNorm()),
        pre.choice("lr_schedule", pdf.lrSchedule(), Shape.class, "a learning-rate schedule"),
        pre.integer("warmup_steps", pdf.warmupSteps()), pre.integer("patience", pdf.patience()),
        pre.number("label_smoothing", pdf.labelSmoothing()), pre.number("ema_decay", pdf.emaDecay()));

    ConfigReader rl = root.section("rl");
    RlConfig rd = d.rl();
    RlConfig rlConfig = new RlConfig(rl.integer("steps", rd.steps()), rl.reward("reward", rd.reward()),
        rl.choice("bleu_smoothing", rd.bleuSmoothing(), NltkSmoothing.class, "a BLEU smoothing method"),
        rl.plugin("baseline") != null ? rd.baseline() : rl.choice("baseline", rd.baseline(), BaselineKind.class, "a baseline"),
        rl.integer("samples", rd.samples()), rl.integer("batch_size", rd.batchSize()),
        rl.number("learning_rate", rd.learningRate()), rl.number("max_grad_norm", rd.maxGradNorm()),
        rl.number("entropy", rd.entropy()), rl.number("temperature", rd.temperature()),
        rl.number("critic_loss_coefficient", rd.criticLossCoefficient()),
        rl.number("moving_average_decay", rd.movingAverageDecay()), rl.integer("max_length", rd.maxLength()),
        rl.path("init_checkpoint", rd.initCheckpoint()),
        rl.choice("start_from", rd.startFrom(), RlStart.class, "a pre-trained model to start RL from"),
        rl.choice("lr_schedule", rd.lrSchedule(), Shape.class, "a learning-rate schedule"),
        rl.integer("warmup_steps", rd.warmupSteps()), rl.integer("patience", rd.patience()),
        rl.plugin("reward"), rl.plugin("baseline"),
        rl.number("kl_coefficient", rd.klCoefficient()), rl.number("kl_target", rd.klTarget()),
        rl.number("kl_horizon", rd.klHorizon()),
        rl.number("mle_weight_start", rd.mleWeightStart()), rl.number("mle_weight_end", rd.mleWeightEnd()),
        rl.integer("mle_weight_steps", rd.mleWeightSteps()),
        rl.choice("objective", rd.objective(), RlObjective.class, "an RL objective"),
        rl.integer("ppo_epochs", rd.ppoEpochs()), rl.integer("ppo_minibatches", rd.ppoMinibatches()),
        rl.number("ppo_clip", rd.ppoClip()), rl.number("ppo_value_clip", rd.ppoValueClip()),
        rl.integer("critic_warmup_steps", rd.criticWarmupSteps()), rl.rewardPlugins("reward"));

    ConfigReader eval = root.section("eval");
    EvalConfig ed = d.eval();
    EvalConfig evalConfig = new EvalConfig(eval.integer("every", ed.every()), eval.integer("dev_size", ed.devSize()),
        eval.integer("beam_width", ed.beamWidth()), eval.string("best_metric", ed.bestMetric()),
        eval.optionalChoice("best_mode", ed.bestMode(), MetricDirection.class, "a best mode"),
        eval.integer("samples", ed.samples()), eval.integer("heatmaps", ed.heatmaps()),
        eval.number("coverage_penalty", ed.coveragePenalty()));

    ConfigReader tracking = root.section("tracking");
    TrackingConfig trackingConfig = new TrackingConfig(tracking.string("uri", d.tracking().uri()));

    ConfigReader sweep = root.section("sweep");
    SweepConfig sweepConfig = new SweepConfig(sweep.grid("grid"), sweep.integer("parallel", d.sweep().parallel()),
        sweep.bool("share_pretraining", d.sweep().sharePretraining()),
        sweep.choice("launcher", d.sweep().launcher(), SweepLauncher.class, "a sweep launcher"),
        slurmConfig(sweep.section("slurm"), d.sweep().slurm()));

    PluginsConfig pluginsConfig = new PluginsConfig(root.section("plugins").paths("path", d.plugins().path()));

    ConfigReader diag = root.section("diag");
    DiagConfig diagConfig = new DiagConfig(diag.integer("every", d.diag().every()),
        diag.integer("estimates", d.diag().estimates()));

    return new SeqrlConfig(root.string("experiment", d.experiment()), root.longValue("seed", d.seed()), dataConfig,
        modelConfig, pretrainConfig, rlConfig, evalConfig, trackingConfig, sweepConfig, pluginsConfig, diagConfig);
  }

  private static SlurmConfig slurmConfig(ConfigReader slurm, SlurmConfig d) {
    return new SlurmConfig(slurm.string("partition", d.partition()), slurm.string("time", d.time()),
        slurm.integer("cpus_per_task", d.cpusPerTask()), slurm.string("memory", d.memory()),
        slurm.string("sbatch_options", d.sbatchOptions()));
  }

  /** {@code model.transformer}: read whatever {@code model.type} is, so that a sweep can switch types. */
  private static TransformerConfig transformerConfig(ConfigReader t, TransformerConfig d) {
    return new TransformerConfig(t.integer("encoder_layers", d.encoderLayers()), t.integer("decoder_layers", d.decoderLayers()),
        t.integer("heads", d.heads()), t.integer("width", d.width()), t.integer("feed_forward", d.feedForward()),
        t.number("dropout", d.dropout()), t.choice("norm", d.norm(), Norm.class, "a layer-norm placement"),
        t.choice("positions", d.positions(), PositionKind.class, "a position embedding"),
        t.bool("tied_embeddings", d.tiedEmbeddings()));
  }

  /**
   * Each grid key must be a setting and each value valid for it; then every cell (all combinations)
   * must be a valid config, because values that are fine alone can clash (rloo with samples 1).
   */
  private static void checkSweep(ObjectNode tree, SeqrlConfig config, ConfigOrigin origin) {
    Map<String, List<Object>> grid = config.sweep().grid();
    for (Map.Entry<String, List<Object>> e : grid.entrySet()) {
      String gridKey = "sweep.grid." + e.getKey();
      if (!LEAF_KEYS.contains(e.getKey()) || e.getKey().startsWith("sweep.")) {
        String section = e.getKey() + ".";
        String problem = e.getKey().startsWith("sweep.") ? "a sweep cannot vary its own settings"
            : KNOWN_KEYS.contains(e.getKey()) ? "'" + e.getKey() + "' is a section, not a setting; expected one of "
                + String.join(", ", LEAF_KEYS.stream().filter(k -> k.startsWith(section)).sorted().toList())
            : unknownKeyProblem(e.getKey(), LEAF_KEYS).replace("unknown key", "'" + e.getKey() + "' is not a config setting");
        throw new InvalidConfigException(gridKey, problem);
      }
      for (Object value : e.getValue()) {
        try {
          buildCell(tree, List.of(e.getKey() + "=" + YamlValues.flow(value)), origin);
        } catch (InvalidConfigException ex) {
          // Only a value that is wrong in itself is reported here; clashes with other settings are
          // reported per cell below, where the other grid values are applied too.
          if (!ex.isConflict() && (ex.key().equals(e.getKey()) || ex.key().startsWith(e.getKey() + "."))) {
            throw new InvalidConfigException(gridKey, ex.problem());
          }
        } catch (UserInputException ex) {
          throw new InvalidConfigException(gridKey, "value " + YamlValues.flow(value) + " is invalid: " + ex.getMessage());
        }
      }
    }
    for (SweepCell cell : config.sweep().cells()) {
      try {
        buildCell(tree, cell.overrides(), origin);
      } catch (UserInputException ex) {
        throw new InvalidConfigException("sweep.grid", "cell " + cell.name() + " is invalid: " + ex.getMessage());
      }
    }
  }

  private static SeqrlConfig buildCell(ObjectNode tree, List<String> overrides, ConfigOrigin origin) {
    ObjectNode copy = tree.deepCopy();
    ConfigOrigin cellOrigin = new ConfigOrigin(origin.name, origin.baseDir);
    cellOrigin.lines.putAll(origin.lines);
    applyOverrides(copy, overrides, cellOrigin);
    checkKeys(copy, "");
    return buildUnchecked(copy, cellOrigin);
  }

  private static void collectKeys(ObjectNode node, String prefix, Set<String> known, Set<String> leaves) {
    node.fields().forEachRemaining(e -> {
      String key = prefix + e.getKey();
      known.add(key);
      if (e.getValue().isObject() && !key.equals("sweep.grid")) {
        collectKeys((ObjectNode) e.getValue(), key + ".", known, leaves);
      } else if (!key.equals("sweep.grid")) {
        leaves.add(key);
      }
    });
  }

  private static void flattenInto(JsonNode node, String prefix, Map<String, String> flat) {
    node.fields().forEachRemaining(e -> {
      String key = prefix + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flattenInto(v, key + ".", flat);
      } else if (v.isArray()) {
        flat.put(key, YamlValues.flow(MAPPER.convertValue(v, Object.class)));
      } else {
        flat.put(key, v.isNull() ? "null" : v.asText());
      }
    });
  }

  static String describe(JsonNode node) {
    if (node == null || node.isNull()) {
      return "an empty value";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return YamlValues.flow(MAPPER.convertValue(node, Object.class));
    }
    return node.isTextual() ? "'" + node.asText() + "'" : node.asText();
  }
}
