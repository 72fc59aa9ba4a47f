package org.seqrl.experiments.config;

import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.CriticTrunk;
import org.seqrl.agents.Seq2SeqConfig.ModelType;

/**
 * The encoder-decoder policy and its critic; the choices are the agents module's own types.
 * {@code type} picks the recurrent model (the keys above {@code critic_trunk}) or the transformer
 * ({@code transformer}); the critic keys apply to both.
 */
public record ModelConfig(CellType cell, int embedding, int hidden, int encoderLayers, boolean bidirectional,
                          double dropout, Attention attention, int attentionSize, CriticTrunk criticTrunk,
                          ModelType type, TransformerConfig transformer) {
  public ModelConfig {
    Checks.required("model.cell", cell);
    Checks.between("model.embedding", embedding, 1, 4096);
    Checks.between("model.hidden", hidden, 1, 8192);
    Checks.between("model.encoder_layers", encoderLayers, 1, 16);
    Checks.fraction("model.dropout", dropout, false);
    if (dropout > 0 && encoderLayers < 2) {
      // The engine applies dropout between stacked encoder layers only; one layer has no such place.
      throw InvalidConfigException.conflict("model.dropout", dropout + " has no effect with model.encoder_layers "
          + encoderLayers + " (dropout applies between encoder layers); expected 0, or model.encoder_layers >= 2");
    }
    Checks.required("model.attention", attention);
    Checks.between("model.attention_size", attentionSize, 0, 8192);
    if (attentionSize > 0 && attention != Attention.ADDITIVE) {
      throw InvalidConfigException.conflict("model.attention_size", attentionSize + " has no effect with model.attention "
          + ConfigChoice.spelling(attention) + " (it sizes additive attention's scoring layer); expected 0, or "
          + "model.attention additive");
    }
    Checks.required("model.critic_trunk", criticTrunk);
    Checks.required("model.type", type);
    Checks.required("model.transformer", transformer);
  }

  public static ModelConfig defaults() {
    // attention_size 0: the scoring layer of additive attention is as wide as the hidden state
    return new ModelConfig(CellType.GRU, 64, 256, 1, false, 0.0, Attention.NONE, 0, CriticTrunk.SHARED,
        ModelType.RECURRENT, TransformerConfig.defaults());
  }
}
