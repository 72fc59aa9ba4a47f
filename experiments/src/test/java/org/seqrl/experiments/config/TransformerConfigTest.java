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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.agents.Seq2SeqConfig;
import org.seqrl.agents.Seq2SeqConfig.ModelType;
import org.seqrl.agents.Seq2SeqConfig.Norm;
import org.seqrl.agents.Seq2SeqConfig.PositionKind;
import org.seqrl.experiments.cli.UserInputException;

/** {@code model.type} and the {@code model.transformer.*} block: read, validated with file:line errors, and sweepable. */
class TransformerConfigTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private String error(String yaml) throws IOException {
    Path file = write(yaml);
    UserInputException e = assertThrows(UserInputException.class, () -> ConfigLoader.load(file, List.of()));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void recurrentIsTheDefault() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write(""), List.of());
    assertEquals(ModelType.RECURRENT, c.model().type());
    assertEquals(TransformerConfig.defaults(), c.model().transformer());
  }

  @Test
  void readsEveryTransformerKey() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("""
        model:
          type: transformer
          transformer:
            encoder_layers: 3
            decoder_layers: 1
            heads: 8
            width: 64
            feed_forward: 128
            dropout: 0.1
            norm: post
            positions: learned
            tied_embeddings: false
        """), List.of());
    assertEquals(ModelType.TRANSFORMER, c.model().type());
    assertEquals(new Seq2SeqConfig.Transformer(3, 1, 8, 64, 128, 0.1, Norm.POST, PositionKind.LEARNED, false),
        c.model().transformer().shape());
    SeqrlConfig again = ConfigLoader.load(write(ConfigLoader.toYaml(c)), List.of());
    assertEquals(c.model(), again.model(), "the resolved YAML reads back the same");
  }

  @Test
  void badValuesNameTheFileLineAndWhatIsAllowed() throws IOException {
    String heads = error("model:\n  type: transformer\n  transformer:\n    width: 30\n    heads: 4\n");
    assertTrue(heads.contains("config.yaml:4: model.transformer.width: 30 is not a multiple of model.transformer.heads 4"),
        heads);
    String norm = error("model:\n  transformer:\n    norm: middle\n");
    assertTrue(norm.endsWith("config.yaml:3: model.transformer.norm: 'middle' is not a layer-norm placement; expected one of "
        + "pre, post"), norm);
    String type = error("model:\n  type: transfomer\n");
    assertTrue(type.contains("config.yaml:2: model.type: 'transfomer' is not a model type; expected one of recurrent, "
        + "transformer"), type);
    String key = error("model:\n  transformer:\n    layers: 2\n");
    assertTrue(key.contains("config.yaml:3") && key.contains("model.transformer.layers: unknown key"), key);
    String drop = error("model:\n  transformer:\n    dropout: 1.5\n");
    assertTrue(drop.contains("config.yaml:3: model.transformer.dropout: 1.5"), drop);
  }

  @Test
  void aSweepVariesTransformerKeysAndTheModelType() throws IOException {
    SeqrlConfig c = ConfigLoader.load(write("""
        sweep:
          grid:
            model.type: [recurrent, transformer]
            model.transformer.heads: [2, 4]
        """), List.of());
    List<SweepCell> cells = c.sweep().cells();
    assertEquals(4, cells.size());
    SeqrlConfig last = ConfigLoader.withOverrides(c, cells.get(3).overrides());
    assertEquals(ModelType.TRANSFORMER, last.model().type());
    assertEquals(4, last.model().transformer().heads());
    String bad = error("sweep:\n  grid:\n    model.transformer.heads: [4, 3]\n");
    assertTrue(bad.contains("sweep.grid") && bad.contains("model.transformer"), bad);
    assertNull(Seq2SeqConfig.builder(10, 10).build().transformer());
  }
}
