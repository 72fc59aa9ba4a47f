package org.seqrl.experiments.config;

/** The encoder-decoder policy and its critic. */
public record ModelConfig(Cell cell, int embedding, int hidden, int encoderLayers, boolean bidirectional,
                          double dropout, Attention attention, int attentionSize, CriticTrunk criticTrunk) {
  public ModelConfig {
    Checks.required("model.cell", cell);
    Checks.between("model.embedding", embedding, 1, 4096);
    Checks.between("model.hidden", hidden, 1, 8192);
    Checks.between("model.encoder_layers", encoderLayers, 1, 16);
    Checks.fraction("model.dropout", dropout, false);
    Checks.required("model.attention", attention);
    Checks.between("model.attention_size", attentionSize, 0, 8192);
    Checks.required("model.critic_trunk", criticTrunk);
  }

  public static ModelConfig defaults() {
    // attention_size 0: the scoring layer of additive attention is as wide as the hidden state
    return new ModelConfig(Cell.GRU, 64, 256, 1, false, 0.0, Attention.NONE, 0, CriticTrunk.SHARED);
  }
}
