package org.seqrl.experiments.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * The other direction of {@link ConfigLoader}: a {@link SeqrlConfig} as the YAML tree it was read
 * from, every default filled in. It is what runs save as their resolved config, what sweeps and
 * resumes read back, and the source of the set of known keys, so each key written here must be
 * one the loader reads.
 */
final class ConfigWriter {
  private ConfigWriter() {}

  static ObjectNode toTree(SeqrlConfig c) {
    ObjectNode root = ConfigLoader.NODES.objectNode();
    root.put("experiment", c.experiment());
    root.put("seed", c.seed());
    DataConfig d = c.data();
    ObjectNode data = root.putObject("data");
    data.put("task", ConfigChoice.spelling(d.task()));
    data.put("alphabet", d.alphabet());
    putRange(data, "train_lengths", d.trainLengths());
    putRange(data, "test_lengths", d.testLengths());
    data.put("train_size", d.trainSize());
    data.put("dev_size", d.devSize());
    data.put("test_size", d.testSize());
    data.put("max_source_length", d.maxSourceLength());
    data.put("max_target_length", d.maxTargetLength());
    data.put("length_pool", d.lengthPool());
    ObjectNode tsv = data.putObject("tsv");
    putPath(tsv, "train", d.tsv().train());
    putPath(tsv, "dev", d.tsv().dev());
    putPath(tsv, "test", d.tsv().test());
    tsv.put("dev_fraction", d.tsv().devFraction());
    tsv.put("test_fraction", d.tsv().testFraction());
    tsv.put("level", ConfigChoice.spelling(d.tsv().level()));
    tsv.put("bad_lines", ConfigChoice.spelling(d.tsv().badLines()));
    tsv.put("vocab_size", d.tsv().vocabSize());
    ObjectNode pron = data.putObject("pronunciation");
    pron.put("strip_stress", d.pronunciation().stripStress());
    pron.put("max_words", d.pronunciation().maxWords());
    pron.put("direction", ConfigChoice.spelling(d.pronunciation().direction()));
    ObjectNode algorithmic = data.putObject("algorithmic");
    putRange(algorithmic, "repeats", d.algorithmic().repeats());
    algorithmic.put("item_length", d.algorithmic().itemLength());
    var each = data.putArray("test_lengths_each");
    d.testLengthsEach().forEach(each::add);
    ObjectNode curriculum = data.putObject("curriculum");
    curriculum.put("start", d.curriculum().start());
    curriculum.put("step", d.curriculum().step());
    curriculum.put("metric", d.curriculum().metric());
    curriculum.put("threshold", d.curriculum().threshold());

    ModelConfig m = c.model();
    ObjectNode model = root.putObject("model");
    model.put("cell", ConfigChoice.spelling(m.cell()));
    model.put("embedding", m.embedding());
    model.put("hidden", m.hidden());
    model.put("encoder_layers", m.encoderLayers());
    model.put("bidirectional", m.bidirectional());
    model.put("dropout", m.dropout());
    model.put("embedding_dropout", m.embeddingDropout());
    model.put("output_dropout", m.outputDropout());
    model.put("attention", ConfigChoice.spelling(m.attention()));
    model.put("attention_size", m.attentionSize());
    model.put("critic_trunk", ConfigChoice.spelling(m.criticTrunk()));
    model.put("init", ConfigChoice.spelling(m.init()));
    model.put("init_scale", m.initScale());
    model.put("forget_bias", m.forgetBias());
    model.put("decoder_layers", m.decoderLayers());
    model.put("layer_connections", ConfigChoice.spelling(m.layerConnections()));
    model.put("skip_distance", m.skipDistance());
    model.put("skip_carries", ConfigChoice.spelling(m.skipCarries()));
    model.put("norm_stabilizer", m.normStabilizer());
    model.put("norm_stabilizer_on", ConfigChoice.spelling(m.normStabilizerOn()));
    model.put("init_state_mean_ratio", m.initStateMeanRatio());
    model.put("carry_cell_state", m.carryCellState());
    ObjectNode memory = model.putObject("memory");
    memory.put("slots", m.memory().slots());
    memory.put("width", m.memory().width());
    memory.put("read_heads", m.memory().readHeads());
    memory.put("write_heads", m.memory().writeHeads());
    memory.put("shift_range", m.memory().shiftRange());
    memory.put("controller", ConfigChoice.spelling(m.memory().controller()));
    memory.put("init", m.memory().init());
    model.put("engine", ConfigChoice.spelling(m.engine()));
    model.put("output_order", ConfigChoice.spelling(m.outputOrder()));
    putPath(model, "graph", m.graph().file());
    ObjectNode graphNames = model.putObject("graph_names");
    m.graph().names().forEach(graphNames::put);
    if (m.graph().stepStates() == null) {
      graphNames.putNull("step_states");
    } else {
      ObjectNode states = graphNames.putObject("step_states");
      m.graph().stepStates().forEach((input, st) -> {
        ObjectNode one = states.putObject(input);
        one.put("initial", st.initial());
        one.put("next", st.next());
      });
    }
    model.put("type", ConfigChoice.spelling(m.type()));
    TransformerConfig tf = m.transformer();
    ObjectNode transformer = model.putObject("transformer");
    transformer.put("encoder_layers", tf.encoderLayers());
    transformer.put("decoder_layers", tf.decoderLayers());
    transformer.put("heads", tf.heads());
    transformer.put("width", tf.width());
    transformer.put("feed_forward", tf.feedForward());
    transformer.put("dropout", tf.dropout());
    transformer.put("norm", ConfigChoice.spelling(tf.norm()));
    transformer.put("positions", ConfigChoice.spelling(tf.positions()));
    transformer.put("tied_embeddings", tf.tiedEmbeddings());

    PretrainConfig p = c.pretrain();
    ObjectNode pre = root.putObject("pretrain");
    pre.put("steps", p.steps());
    pre.put("batch_size", p.batchSize());
    pre.put("learning_rate", p.learningRate());
    pre.put("max_grad_norm", p.maxGradNorm());
    pre.put("lr_schedule", ConfigChoice.spelling(p.lrSchedule()));
    pre.put("warmup_steps", p.warmupSteps());
    pre.put("patience", p.patience());
    pre.put("label_smoothing", p.labelSmoothing());
    pre.put("ema_decay", p.emaDecay());

    RlConfig r = c.rl();
    ObjectNode rl = root.putObject("rl");
    rl.put("steps", r.steps());
    if (r.rewardPlugin() != null) {
      putPlugin(rl, "reward", r.rewardPlugin());
    } else if (r.singleReward() != null) {
      rl.put("reward", ConfigChoice.spelling(r.singleReward()));
    } else {
      ObjectNode weights = rl.putObject("reward");
      r.reward().forEach((kind, w) -> weights.put(ConfigChoice.spelling(kind), w));
      for (RewardPlugin term : r.rewardPlugins()) {
        if (term.plugin() == null) {
          weights.put(term.label(), term.weight());
        } else {
          putPlugin(weights, term.label(), term.plugin());
          ((ObjectNode) weights.get(term.label())).put("weight", term.weight());
        }
      }
    }
    rl.put("bleu_smoothing", ConfigChoice.spelling(r.bleuSmoothing()));
    if (r.baselinePlugin() != null) {
      putPlugin(rl, "baseline", r.baselinePlugin());
    } else {
      rl.put("baseline", ConfigChoice.spelling(r.baseline()));
    }
    rl.put("samples", r.samples());
    rl.put("batch_size", r.batchSize());
    rl.put("learning_rate", r.learningRate());
    rl.put("max_grad_norm", r.maxGradNorm());
    rl.put("entropy", r.entropy());
    rl.put("temperature", r.temperature());
    rl.put("critic_loss_coefficient", r.criticLossCoefficient());
    rl.put("moving_average_decay", r.movingAverageDecay());
    rl.put("max_length", r.maxLength());
    putPath(rl, "init_checkpoint", r.initCheckpoint());
    rl.put("start_from", ConfigChoice.spelling(r.startFrom()));
    rl.put("lr_schedule", ConfigChoice.spelling(r.lrSchedule()));
    rl.put("warmup_steps", r.warmupSteps());
    rl.put("patience", r.patience());
    rl.put("kl_coefficient", r.klCoefficient());
    rl.put("kl_target", r.klTarget());
    rl.put("kl_horizon", r.klHorizon());
    rl.put("mle_weight_start", r.mleWeightStart());
    rl.put("mle_weight_end", r.mleWeightEnd());
    rl.put("mle_weight_steps", r.mleWeightSteps());
    rl.put("objective", ConfigChoice.spelling(r.objective()));
    rl.put("ppo_epochs", r.ppoEpochs());
    rl.put("ppo_minibatches", r.ppoMinibatches());
    rl.put("ppo_clip", r.ppoClip());
    rl.put("ppo_value_clip", r.ppoValueClip());
    rl.put("critic_warmup_steps", r.criticWarmupSteps());

    EvalConfig e = c.eval();
    ObjectNode eval = root.putObject("eval");
    eval.put("every", e.every());
    eval.put("dev_size", e.devSize());
    eval.put("beam_width", e.beamWidth());
    eval.put("best_metric", e.bestMetric());
    eval.put("best_mode", e.bestMode() == null ? null : ConfigChoice.spelling(e.bestMode()));
    eval.put("samples", e.samples());
    eval.put("heatmaps", e.heatmaps());
    eval.put("coverage_penalty", e.coveragePenalty());

    root.putObject("diag").put("every", c.diag().every()).put("estimates", c.diag().estimates());

    root.putObject("tracking").put("uri", c.tracking().uri());
    ArrayNode pluginPath = root.putObject("plugins").putArray("path");
    c.plugins().path().forEach(entry -> pluginPath.add(entry.toString()));

    ObjectNode sweep = root.putObject("sweep");
    ObjectNode grid = sweep.putObject("grid");
    c.sweep().grid().forEach((k, values) -> grid.set(k, ConfigLoader.MAPPER.valueToTree(values)));
    sweep.put("parallel", c.sweep().parallel());
    sweep.put("share_pretraining", c.sweep().sharePretraining());
    sweep.put("launcher", ConfigChoice.spelling(c.sweep().launcher()));
    SlurmConfig slurm = c.sweep().slurm();
    sweep.putObject("slurm").put("partition", slurm.partition()).put("time", slurm.time())
        .put("cpus_per_task", slurm.cpusPerTask()).put("memory", slurm.memory())
        .put("sbatch_options", slurm.sbatchOptions());
    return root;
  }

  private static void putRange(ObjectNode node, String key, LengthRange range) {
    node.putArray(key).add(range.min()).add(range.max());
  }

  private static void putPlugin(ObjectNode node, String key, Plugin plugin) {
    ObjectNode o = node.putObject(key);
    o.put("class", plugin.className());
    o.set("args", ConfigLoader.MAPPER.valueToTree(plugin.args()));
  }

  private static void putPath(ObjectNode node, String key, Path path) {
    node.put(key, path == null ? null : path.toString());
  }
}
