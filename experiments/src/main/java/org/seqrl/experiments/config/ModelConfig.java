package org.seqrl.experiments.config;

import java.util.EnumSet;
import java.util.Set;
import org.seqrl.agents.Engine;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.CriticTrunk;
import org.seqrl.agents.Seq2SeqConfig.Init;
import org.seqrl.agents.Seq2SeqConfig.InitScheme;
import org.seqrl.agents.Seq2SeqConfig.LayerConnections;
import org.seqrl.agents.Seq2SeqConfig.NormStabilized;
import org.seqrl.agents.Seq2SeqConfig.SkipCarries;
import org.seqrl.agents.Seq2SeqConfig.ModelType;

/**
 * The encoder-decoder policy and its critic; the choices are the agents module's own types.
 * {@code type} picks the recurrent model (the keys above {@code critic_trunk}) or the transformer
 * ({@code transformer}); the critic keys apply to both. {@code graph} names a user's SameDiff graph, which
 * then replaces the model the other keys describe.
 */
public record ModelConfig(CellType cell, int embedding, int hidden, int encoderLayers, boolean bidirectional,
                          double dropout, double embeddingDropout, double outputDropout, Attention attention, int attentionSize, CriticTrunk criticTrunk,
                          InitScheme init, double initScale, double forgetBias,
                          int decoderLayers, LayerConnections layerConnections, int skipDistance,
                          SkipCarries skipCarries, double normStabilizer,
                          NormStabilized normStabilizerOn, double initStateMeanRatio, boolean carryCellState,
                          MemoryConfig memory,
                          Engine engine,
                          ModelType type, TransformerConfig transformer, GraphConfig graph, OutputOrder outputOrder) {
  /**
   * The order in which the decoder writes a target: left to right (the default), or from the last token to
   * the first (a model to rescore a left-to-right one with; {@code seqrl eval} given checkpoints of both
   * orders). Whatever the order, every sequence outside the model reads left to right.
   */
  public enum OutputOrder { LEFT_TO_RIGHT, RIGHT_TO_LEFT }

  /** The cells whose state has a c beside h (an NTM's is its LSTM controller's), which model.carry_cell_state carries. */
  private static final Set<CellType> WITH_CELL_STATE =
      EnumSet.of(CellType.LSTM, CellType.LSTM_PEEPHOLE, CellType.NTM);

  public ModelConfig {
    Checks.required("model.cell", cell);
    Checks.between("model.embedding", embedding, 1, 4096);
    Checks.between("model.hidden", hidden, 1, 8192);
    Checks.between("model.encoder_layers", encoderLayers, 1, 16);
    Checks.fraction("model.dropout", dropout, false);
    Checks.between("model.decoder_layers", decoderLayers, 1, 16);
    Checks.fraction("model.embedding_dropout", embeddingDropout, false);
    Checks.fraction("model.output_dropout", outputDropout, false);
    if (dropout > 0 && encoderLayers < 2 && decoderLayers < 2) {
      // The engine applies dropout between stacked layers only; one layer has no such place.
      throw InvalidConfigException.conflict("model.dropout", dropout + " has no effect with model.encoder_layers "
          + encoderLayers + " and model.decoder_layers " + decoderLayers + " (dropout applies between stacked layers); "
          + "expected 0, or model.encoder_layers or model.decoder_layers >= 2");
    }
    Checks.required("model.layer_connections", layerConnections);
    if (layerConnections != LayerConnections.NONE && encoderLayers < 2 && decoderLayers < 2) {
      throw InvalidConfigException.conflict("model.layer_connections", ConfigChoice.spelling(layerConnections)
          + " has no effect with model.encoder_layers " + encoderLayers + " and model.decoder_layers " + decoderLayers
          + " (connections join stacked layers); expected none, or model.encoder_layers or model.decoder_layers >= 2");
    }
    Checks.between("model.skip_distance", skipDistance, 2, 15);
    Checks.required("model.skip_carries", skipCarries);
    Init.Conflict skip = org.seqrl.agents.Seq2SeqConfig.skipConflict(layerConnections, skipDistance, skipCarries, cell,
        encoderLayers, decoderLayers);
    if (skip != null) {
      throw InvalidConfigException.conflict(skip.key(), skip.problem());
    }
    Checks.nonNegative("model.norm_stabilizer", normStabilizer);
    Checks.required("model.norm_stabilizer_on", normStabilizerOn);
    if (normStabilizerOn != NormStabilized.HIDDEN && normStabilizer == 0) {
      throw InvalidConfigException.conflict("model.norm_stabilizer_on", ConfigChoice.spelling(normStabilizerOn)
          + " has no effect with model.norm_stabilizer 0; expected hidden (the default), or model.norm_stabilizer > 0");
    }
    if (!(initStateMeanRatio >= 0 && initStateMeanRatio <= 1)) {
      throw new InvalidConfigException("model.init_state_mean_ratio", initStateMeanRatio + " is invalid; expected a number "
          + "in [0, 1] (0: the decoder starts from the encoder's final states, 1: from the mean of its outputs)");
    }
    Checks.required("model.attention", attention);
    Checks.between("model.attention_size", attentionSize, 0, 8192);
    if (attentionSize > 0 && attention != Attention.ADDITIVE && attention != Attention.LOCATION) {
      throw InvalidConfigException.conflict("model.attention_size", attentionSize + " has no effect with model.attention "
          + ConfigChoice.spelling(attention) + " (it sizes additive attention's scoring layer); expected 0, or "
          + "model.attention additive or location");
    }
    Checks.required("model.critic_trunk", criticTrunk);
    Checks.required("model.type", type);
    Checks.required("model.transformer", transformer);
    if (type == ModelType.TRANSFORMER && normStabilizer > 0 && normStabilizerOn != NormStabilized.LOGITS) {
      throw InvalidConfigException.conflict("model.norm_stabilizer_on", "'" + ConfigChoice.spelling(normStabilizerOn)
          + "' reads the recurrent " + (normStabilizerOn == NormStabilized.HIDDEN ? "decoder's" : "encoder's and decoder's")
          + " states; with model.type transformer expected logits");
    }
    Checks.required("model.engine", engine);
    trainingOnlyDropout("model.embedding_dropout", embeddingDropout, type, engine);
    trainingOnlyDropout("model.output_dropout", outputDropout, type, engine);
    Checks.required("model.graph_names", graph);
    if (graph.file() != null && engine != Engine.SAMEDIFF) {
      throw InvalidConfigException.conflict("model.graph", "'" + graph.file() + "' is a SameDiff graph, which model.engine "
          + ConfigChoice.spelling(engine) + " cannot run; expected model.engine samediff");
    }
    Checks.required("model.memory", memory);
    Checks.required("model.output_order", outputOrder);
    if (outputOrder == OutputOrder.RIGHT_TO_LEFT && engine != Engine.FAST) {
      throw InvalidConfigException.conflict("model.output_order", "right-to-left is built by model.engine fast only;"
          + " expected left-to-right, or model.engine fast");
    }
    if (cell == CellType.NTM && decoderLayers > 1) {
      throw new InvalidConfigException("model.decoder_layers", decoderLayers + " with model.cell ntm; an NTM decoder is one"
          + " layer (it starts from the encoder's final memory); expected 1");
    }
    if (carryCellState && cell == CellType.NTM && memory.controller() != org.seqrl.agents.NtmSpec.Controller.LSTM) {
      throw InvalidConfigException.conflict("model.carry_cell_state", "true with model.cell ntm and model.memory.controller "
          + ConfigChoice.spelling(memory.controller()) + " (a feed-forward controller has no cell state c to carry; the"
          + " memory passes to the decoder anyway); expected false, or model.memory.controller lstm");
    }
    if (carryCellState && type == ModelType.RECURRENT && !WITH_CELL_STATE.contains(cell)) {
      // the decoder would start from the encoder's h alone, as without the key: refused rather than ignored
      throw InvalidConfigException.conflict("model.carry_cell_state", "true has no effect with model.cell "
          + ConfigChoice.spelling(cell) + " (its state is h alone, which the bridge passes anyway; there is no cell state c"
          + " to carry); expected false, or model.cell lstm, lstm-peephole or ntm");
    }
    if (carryCellState && decoderLayers > 1) {
      throw InvalidConfigException.conflict("model.carry_cell_state", "true with model.decoder_layers " + decoderLayers
          + " (the top encoder layer's cell state goes to one decoder layer); expected false, or model.decoder_layers 1");
    }
    Checks.required("model.init", init);
    if (!(initScale > 0 && initScale <= 10)) {
      throw new InvalidConfigException("model.init_scale", initScale + " is out of range; expected a number > 0 and at most 10");
    }
    if (!Double.isFinite(forgetBias)) {
      throw new InvalidConfigException("model.forget_bias", forgetBias + " is not a finite number");
    }
    Init.Conflict conflict = new Init(init, initScale, forgetBias).conflict(cell); // fields are not set yet here
    if (conflict != null) {
      throw InvalidConfigException.conflict(conflict.key(), conflict.problem());
    }
  }

  /**
   * Embedding and output dropout are parts of the fast engine's recurrent model: the transformer drops
   * out with its own key, and the SameDiff graphs build no dropout.
   */
  private static void trainingOnlyDropout(String key, double rate, ModelType type, Engine engine) {
    if (rate > 0 && type == ModelType.TRANSFORMER) {
      throw InvalidConfigException.conflict(key, rate + " applies to the recurrent model, not model.type transformer (which "
          + "drops out with model.transformer.dropout); expected 0, or model.transformer.dropout for the transformer");
    }
    if (rate > 0 && engine == Engine.SAMEDIFF) {
      throw InvalidConfigException.conflict(key, rate + " is not built by model.engine samediff (its graphs have no dropout);"
          + " expected 0, or model.engine fast");
    }
  }

  /** The engine's form of the init settings. */
  public Init initialisation() {
    return new Init(init, initScale, forgetBias);
  }

  public static ModelConfig defaults() {
    // attention_size 0: the scoring layer of additive attention is as wide as the hidden state
    return new ModelConfig(CellType.GRU, 64, 256, 1, false, 0.0, 0.0, 0.0, Attention.NONE, 0, CriticTrunk.SHARED,
        Init.DEFAULT.scheme(), Init.DEFAULT.scale(), Init.DEFAULT.forgetBias(),
        1, LayerConnections.NONE, org.seqrl.agents.Seq2SeqConfig.DEFAULT_SKIP_DISTANCE, SkipCarries.OUTPUT, 0.0, NormStabilized.HIDDEN, 0.0,
        false, MemoryConfig.defaults(),
        Engine.FAST,
        ModelType.RECURRENT, TransformerConfig.defaults(), GraphConfig.defaults(), OutputOrder.LEFT_TO_RIGHT);
  }
}
