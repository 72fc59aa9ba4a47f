package org.seqrl.experiments.config;

import org.seqrl.agents.Seq2SeqConfig.Norm;
import org.seqrl.agents.Seq2SeqConfig.PositionKind;
import org.seqrl.agents.Seq2SeqConfig.Transformer;

/** {@code model.transformer}: the shape of the transformer that {@code model.type: transformer} trains. */
public record TransformerConfig(int encoderLayers, int decoderLayers, int heads, int width, int feedForward,
                                double dropout, Norm norm, PositionKind positions, boolean tiedEmbeddings) {
  public TransformerConfig {
    Checks.between("model.transformer.encoder_layers", encoderLayers, 1, 48);
    Checks.between("model.transformer.decoder_layers", decoderLayers, 1, 48);
    Checks.between("model.transformer.heads", heads, 1, 256);
    Checks.between("model.transformer.width", width, 1, 16384);
    if (width % heads != 0) {
      throw InvalidConfigException.conflict("model.transformer.width", width + " is not a multiple of "
          + "model.transformer.heads " + heads + " (each head gets width / heads columns); expected a multiple of " + heads);
    }
    Checks.between("model.transformer.feed_forward", feedForward, 1, 65536);
    Checks.fraction("model.transformer.dropout", dropout, false);
    Checks.required("model.transformer.norm", norm);
    Checks.required("model.transformer.positions", positions);
  }

  /** The agents module's shape, the defaults of which this mirrors. */
  public Transformer shape() {
    return new Transformer(encoderLayers, decoderLayers, heads, width, feedForward, dropout, norm, positions, tiedEmbeddings);
  }

  public static TransformerConfig defaults() {
    Transformer t = Transformer.defaults();
    return new TransformerConfig(t.encoderLayers(), t.decoderLayers(), t.heads(), t.width(), t.feedForward(), t.dropout(),
        t.norm(), t.positions(), t.tiedEmbeddings());
  }
}
