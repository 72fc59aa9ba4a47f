package org.seqrl.agents;

import java.util.EnumSet;
import java.util.Properties;
import java.util.Set;
import org.seqrl.agents.Seq2SeqConfig.Attention;
import org.seqrl.agents.Seq2SeqConfig.CellType;
import org.seqrl.agents.Seq2SeqConfig.CriticTrunk;
import org.seqrl.agents.Seq2SeqConfig.Init;
import org.seqrl.agents.Seq2SeqConfig.InitScheme;
import org.seqrl.agents.Seq2SeqConfig.LayerConnections;
import org.seqrl.agents.Seq2SeqConfig.NormStabilized;
import org.seqrl.agents.Seq2SeqConfig.Norm;
import org.seqrl.agents.Seq2SeqConfig.PositionKind;
import org.seqrl.agents.Seq2SeqConfig.SkipCarries;
import org.seqrl.agents.Seq2SeqConfig.Transformer;
import org.seqrl.rl.CriticHead;

/**
 * A {@link Seq2SeqConfig} as the flat key=value file a checkpoint keeps next to its weights
 * ({@code model.properties}), and back. Keys added after the first checkpoints were written are
 * optional on reading and take the value that reproduces the model those checkpoints hold.
 */
final class ConfigProperties {
  private ConfigProperties() {}

  static Properties write(Seq2SeqConfig c) {
    Properties p = new Properties();
    p.setProperty("sourceVocab", Integer.toString(c.sourceVocab()));
    p.setProperty("targetVocab", Integer.toString(c.targetVocab()));
    p.setProperty("embedding", Integer.toString(c.embedding()));
    p.setProperty("hidden", Integer.toString(c.hidden()));
    p.setProperty("cell", c.cell().name());
    p.setProperty("encoderLayers", Integer.toString(c.encoderLayers()));
    p.setProperty("bidirectional", Boolean.toString(c.bidirectional()));
    p.setProperty("dropout", Double.toString(c.dropout()));
    p.setProperty("embeddingDropout", Double.toString(c.embeddingDropout()));
    p.setProperty("outputDropout", Double.toString(c.outputDropout()));
    p.setProperty("attention", c.attention().name());
    p.setProperty("attentionSize", Integer.toString(c.attentionSize()));
    p.setProperty("criticHeads", String.join(",", c.criticHeads().stream().map(Enum::name).sorted().toList()));
    p.setProperty("criticTrunk", c.criticTrunk().name());
    p.setProperty("criticHidden", Integer.toString(c.criticHidden()));
    p.setProperty("decoderLayers", Integer.toString(c.decoderLayers()));
    p.setProperty("layerConnections", c.layerConnections().name());
    p.setProperty("skipDistance", Integer.toString(c.skipDistance()));
    p.setProperty("skipCarries", c.skipCarries().name());
    p.setProperty("normStabilizer", Double.toString(c.normStabilizer()));
    p.setProperty("normStabilizerOn", c.normStabilizerOn().name());
    p.setProperty("labelSmoothing", Double.toString(c.labelSmoothing()));
    p.setProperty("initStateMeanRatio", Double.toString(c.initStateMeanRatio()));
    p.setProperty("carryCellState", Boolean.toString(c.carryCellState()));
    p.setProperty("seed", Long.toString(c.seed()));
    p.setProperty("init", c.init().scheme().name());
    p.setProperty("initScale", Double.toString(c.init().scale()));
    p.setProperty("forgetBias", Double.toString(c.init().forgetBias()));
    NtmSpec memory = c.memory();
    p.setProperty("memory.slots", Integer.toString(memory.slots()));
    p.setProperty("memory.width", Integer.toString(memory.width()));
    p.setProperty("memory.readHeads", Integer.toString(memory.readHeads()));
    p.setProperty("memory.writeHeads", Integer.toString(memory.writeHeads()));
    p.setProperty("memory.shiftRange", Integer.toString(memory.shiftRange()));
    p.setProperty("memory.controller", memory.controller().name());
    p.setProperty("memory.init", Double.toString(memory.init()));
    Transformer transformer = c.transformer();
    if (transformer != null) {
      p.setProperty("transformer.encoderLayers", Integer.toString(transformer.encoderLayers()));
      p.setProperty("transformer.decoderLayers", Integer.toString(transformer.decoderLayers()));
      p.setProperty("transformer.heads", Integer.toString(transformer.heads()));
      p.setProperty("transformer.width", Integer.toString(transformer.width()));
      p.setProperty("transformer.feedForward", Integer.toString(transformer.feedForward()));
      p.setProperty("transformer.dropout", Double.toString(transformer.dropout()));
      p.setProperty("transformer.norm", transformer.norm().name());
      p.setProperty("transformer.positions", transformer.positions().name());
      p.setProperty("transformer.tiedEmbeddings", Boolean.toString(transformer.tiedEmbeddings()));
    }
    return p;
  }

  static Seq2SeqConfig read(Properties p) {
    Set<CriticHead> heads = EnumSet.noneOf(CriticHead.class);
    String h = p.getProperty("criticHeads", "");
    for (String s : h.split(",")) {
      if (!s.isBlank()) {
        heads.add(CriticHead.valueOf(s.trim()));
      }
    }
    return new Seq2SeqConfig(
        Integer.parseInt(p.getProperty("sourceVocab")), Integer.parseInt(p.getProperty("targetVocab")),
        Integer.parseInt(p.getProperty("embedding")), Integer.parseInt(p.getProperty("hidden")),
        CellType.valueOf(p.getProperty("cell")), Integer.parseInt(p.getProperty("encoderLayers")),
        Boolean.parseBoolean(p.getProperty("bidirectional")), Double.parseDouble(p.getProperty("dropout")),
        // checkpoints written before these two keys existed were trained without either
        Double.parseDouble(p.getProperty("embeddingDropout", "0")), Double.parseDouble(p.getProperty("outputDropout", "0")),
        Attention.valueOf(p.getProperty("attention")), Integer.parseInt(p.getProperty("attentionSize", "0")), heads, CriticTrunk.valueOf(p.getProperty("criticTrunk")),
        Integer.parseInt(p.getProperty("criticHidden")),
        // checkpoints written before decoder stacks and regularisers existed have none of them
        Integer.parseInt(p.getProperty("decoderLayers", "1")),
        LayerConnections.valueOf(p.getProperty("layerConnections", "NONE")),
        // nor skip connections
        Integer.parseInt(p.getProperty("skipDistance", Integer.toString(Seq2SeqConfig.DEFAULT_SKIP_DISTANCE))),
        SkipCarries.valueOf(p.getProperty("skipCarries", SkipCarries.OUTPUT.name())),
        Double.parseDouble(p.getProperty("normStabilizer", "0")),
        NormStabilized.valueOf(p.getProperty("normStabilizerOn", "HIDDEN")),
        // checkpoints written before the key existed were trained on plain likelihood
        Double.parseDouble(p.getProperty("labelSmoothing", "0")),
        Double.parseDouble(p.getProperty("initStateMeanRatio", "0")),
        // checkpoints written before the key existed started the decoder's c at zero
        Boolean.parseBoolean(p.getProperty("carryCellState", "false")),
        Long.parseLong(p.getProperty("seed")),
        // checkpoints written before these keys existed had the default init
        new Init(InitScheme.valueOf(p.getProperty("init", Init.DEFAULT.scheme().name())),
            Double.parseDouble(p.getProperty("initScale", Double.toString(Init.DEFAULT.scale()))),
            Double.parseDouble(p.getProperty("forgetBias", Double.toString(Init.DEFAULT.forgetBias())))),
        memory(p), transformer(p));
  }

  /** Null when the properties describe a recurrent model (checkpoints written before transformers have no such keys). */
  private static Transformer transformer(Properties p) {
    if (p.getProperty("transformer.width") == null) {
      return null;
    }
    return new Transformer(Integer.parseInt(p.getProperty("transformer.encoderLayers")),
        Integer.parseInt(p.getProperty("transformer.decoderLayers")), Integer.parseInt(p.getProperty("transformer.heads")),
        Integer.parseInt(p.getProperty("transformer.width")), Integer.parseInt(p.getProperty("transformer.feedForward")),
        Double.parseDouble(p.getProperty("transformer.dropout")), Norm.valueOf(p.getProperty("transformer.norm")),
        PositionKind.valueOf(p.getProperty("transformer.positions")),
        Boolean.parseBoolean(p.getProperty("transformer.tiedEmbeddings")));
  }

  /** The memory shape of a saved config; checkpoints written before the NTM carry none and get the default. */
  private static NtmSpec memory(Properties p) {
    if (p.getProperty("memory.slots") == null) {
      return NtmSpec.DEFAULT;
    }
    return new NtmSpec(Integer.parseInt(p.getProperty("memory.slots")), Integer.parseInt(p.getProperty("memory.width")),
        Integer.parseInt(p.getProperty("memory.readHeads")), Integer.parseInt(p.getProperty("memory.writeHeads")),
        Integer.parseInt(p.getProperty("memory.shiftRange")), NtmSpec.Controller.valueOf(p.getProperty("memory.controller")),
        Double.parseDouble(p.getProperty("memory.init")));
  }
}
