package org.seqrl.agents;

import java.util.EnumSet;
import java.util.Properties;
import java.util.Set;
import org.seqrl.rl.CriticHead;

/**
 * Shape and options of a {@link Seq2SeqPolicy}. Immutable; validated when built.
 *
 * @param sourceVocab source vocabulary size including the reserved ids of {@code Tokens}
 * @param targetVocab target vocabulary size including the reserved ids
 * @param embedding token embedding size (source and target)
 * @param hidden hidden size of every recurrent cell
 * @param cell the recurrent cell kind, for encoder and decoder
 * @param encoderLayers stacked encoder layers, >= 1
 * @param bidirectional whether each encoder layer also reads the source right to left
 * @param dropout inverted-dropout rate between encoder layers while training, in [0, 1)
 * @param attention none, additive (Bahdanau) or dot (Luong)
 * @param attentionSize width of the additive attention's scoring layer; 0 means the hidden size
 * @param criticHeads critic heads the policy carries
 * @param criticTrunk whether critic gradients reach the encoder/decoder
 * @param criticHidden hidden units of each critic head's tanh layer
 * @param seed seed of the parameter initialisation and of the policy's random generator
 * @param transformer the transformer's shape when the model is a transformer, null for the
 *     recurrent model (then {@code embedding}, {@code hidden}, {@code cell}, ... describe it)
 */
public record Seq2SeqConfig(
    int sourceVocab,
    int targetVocab,
    int embedding,
    int hidden,
    CellType cell,
    int encoderLayers,
    boolean bidirectional,
    double dropout,
    Attention attention,
    int attentionSize,
    Set<CriticHead> criticHeads,
    CriticTrunk criticTrunk,
    int criticHidden,
    long seed,
    Transformer transformer) {

  /** Recurrent cell kinds; each is one class ({@link RecurrentCell#create}). */
  public enum CellType { GRU, LSTM, LSTM_PEEPHOLE, RNN_TANH, IRNN }

  public enum Attention { NONE, ADDITIVE, DOT }

  /** SHARED: critic gradients flow into the trunk; SEPARATE: the heads read a detached copy of the states. */
  public enum CriticTrunk { SHARED, SEPARATE }

  /** The model families; the recurrent one is the default. */
  public enum ModelType { RECURRENT, TRANSFORMER }

  /** Where a transformer sublayer's layer norm sits: before it (inside the residual branch) or after the residual sum. */
  public enum Norm { PRE, POST }

  /** Sinusoidal (fixed) or learned position embeddings. */
  public enum PositionKind { SINUSOIDAL, LEARNED }

  /**
   * Shape of a transformer encoder-decoder (Vaswani et al.). Token embeddings are {@code width} wide.
   *
   * @param encoderLayers encoder layers, >= 1
   * @param decoderLayers decoder layers, >= 1
   * @param heads attention heads; {@code width} must be a multiple
   * @param width model width
   * @param feedForward hidden width of the position-wise feed-forward sublayers
   * @param dropout inverted dropout on every sublayer's output while training, in [0, 1)
   * @param norm pre- or post-layer-norm
   * @param positions sinusoidal or learned positions
   * @param tiedEmbeddings whether the output layer is the target embedding (transposed) plus a bias
   */
  public record Transformer(int encoderLayers, int decoderLayers, int heads, int width, int feedForward, double dropout,
      Norm norm, PositionKind positions, boolean tiedEmbeddings) {
    public Transformer {
      require(encoderLayers >= 1, "transformer.encoderLayers", encoderLayers, ">= 1");
      require(decoderLayers >= 1, "transformer.decoderLayers", decoderLayers, ">= 1");
      require(heads >= 1, "transformer.heads", heads, ">= 1");
      require(width >= 1 && width % heads == 0, "transformer.width", width, "a positive multiple of heads (" + heads + ")");
      require(feedForward >= 1, "transformer.feedForward", feedForward, ">= 1");
      require(dropout >= 0 && dropout < 1, "transformer.dropout", dropout, "in [0, 1)");
      if (norm == null || positions == null) {
        throw new IllegalArgumentException("transformer norm and positions must not be null");
      }
    }

    /** The sizes issue 16 names: 2+2 layers, width 256, 4 heads, feed-forward 1024, pre-norm, sinusoids, tied. */
    public static Transformer defaults() {
      return new Transformer(2, 2, 4, 256, 1024, 0.0, Norm.PRE, PositionKind.SINUSOIDAL, true);
    }
  }

  public Seq2SeqConfig {
    require(sourceVocab > org.seqrl.rl.Tokens.FIRST_REGULAR, "sourceVocab", sourceVocab, "> 4 (reserved ids 0-3 plus real tokens)");
    require(targetVocab > org.seqrl.rl.Tokens.FIRST_REGULAR, "targetVocab", targetVocab, "> 4 (reserved ids 0-3 plus real tokens)");
    require(embedding >= 1, "embedding", embedding, ">= 1");
    require(hidden >= 1, "hidden", hidden, ">= 1");
    require(encoderLayers >= 1, "encoderLayers", encoderLayers, ">= 1");
    require(dropout >= 0 && dropout < 1, "dropout", dropout, "in [0, 1)");
    require(attentionSize >= 0, "attentionSize", attentionSize, ">= 0 (0 = the hidden size)");
    require(criticHidden >= 1, "criticHidden", criticHidden, ">= 1");
    if (cell == null || attention == null || criticTrunk == null || criticHeads == null) {
      throw new IllegalArgumentException("cell, attention, criticHeads and criticTrunk must not be null");
    }
    criticHeads = criticHeads.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(criticHeads));
  }

  private static void require(boolean ok, String field, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException("model." + field + ": " + value + " is invalid; expected " + expected);
    }
  }

  public ModelType type() {
    return transformer == null ? ModelType.RECURRENT : ModelType.TRANSFORMER;
  }

  public int directions() {
    return bidirectional ? 2 : 1;
  }

  /** Width of an encoder output: hidden times directions. */
  public int encoderWidth() {
    return hidden * directions();
  }

  public static Builder builder(int sourceVocab, int targetVocab) {
    return new Builder(sourceVocab, targetVocab);
  }

  public Builder toBuilder() {
    return new Builder(sourceVocab, targetVocab).embedding(embedding).hidden(hidden).cell(cell)
        .encoderLayers(encoderLayers).bidirectional(bidirectional).dropout(dropout).attention(attention).attentionSize(attentionSize)
        .criticHeads(criticHeads).criticTrunk(criticTrunk).criticHidden(criticHidden).seed(seed).transformer(transformer);
  }

  /** Flat key=value form, saved next to a checkpoint so that a shape mismatch is caught on restore. */
  public Properties toProperties() {
    Properties p = new Properties();
    p.setProperty("sourceVocab", Integer.toString(sourceVocab));
    p.setProperty("targetVocab", Integer.toString(targetVocab));
    p.setProperty("embedding", Integer.toString(embedding));
    p.setProperty("hidden", Integer.toString(hidden));
    p.setProperty("cell", cell.name());
    p.setProperty("encoderLayers", Integer.toString(encoderLayers));
    p.setProperty("bidirectional", Boolean.toString(bidirectional));
    p.setProperty("dropout", Double.toString(dropout));
    p.setProperty("attention", attention.name());
    p.setProperty("attentionSize", Integer.toString(attentionSize));
    p.setProperty("criticHeads", String.join(",", criticHeads.stream().map(Enum::name).sorted().toList()));
    p.setProperty("criticTrunk", criticTrunk.name());
    p.setProperty("criticHidden", Integer.toString(criticHidden));
    p.setProperty("seed", Long.toString(seed));
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

  public static Seq2SeqConfig fromProperties(Properties p) {
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
        Attention.valueOf(p.getProperty("attention")), Integer.parseInt(p.getProperty("attentionSize", "0")), heads, CriticTrunk.valueOf(p.getProperty("criticTrunk")),
        Integer.parseInt(p.getProperty("criticHidden")), Long.parseLong(p.getProperty("seed")), transformerFrom(p));
  }

  /** Null when the properties describe a recurrent model (checkpoints written before transformers have no such keys). */
  private static Transformer transformerFrom(Properties p) {
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

  /** Defaults follow the reference setup: embedding 64, GRU, hidden 256, one unidirectional layer. */
  public static final class Builder {
    private final int sourceVocab;
    private final int targetVocab;
    private int embedding = 64;
    private int hidden = 256;
    private CellType cell = CellType.GRU;
    private int encoderLayers = 1;
    private boolean bidirectional = false;
    private double dropout = 0.0;
    private Attention attention = Attention.NONE;
    private int attentionSize = 0;
    private Set<CriticHead> criticHeads = Set.of();
    private CriticTrunk criticTrunk = CriticTrunk.SHARED;
    private int criticHidden = 64;
    private long seed = 1L;
    private Transformer transformer = null;

    private Builder(int sourceVocab, int targetVocab) {
      this.sourceVocab = sourceVocab;
      this.targetVocab = targetVocab;
    }

    public Builder embedding(int v) { embedding = v; return this; }
    public Builder hidden(int v) { hidden = v; return this; }
    public Builder cell(CellType v) { cell = v; return this; }
    public Builder encoderLayers(int v) { encoderLayers = v; return this; }
    public Builder bidirectional(boolean v) { bidirectional = v; return this; }
    public Builder dropout(double v) { dropout = v; return this; }
    public Builder attention(Attention v) { attention = v; return this; }
    public Builder attentionSize(int v) { attentionSize = v; return this; }
    public Builder criticHeads(Set<CriticHead> v) { criticHeads = v; return this; }
    public Builder criticTrunk(CriticTrunk v) { criticTrunk = v; return this; }
    public Builder criticHidden(int v) { criticHidden = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    /** A transformer of that shape instead of the recurrent model; null for the recurrent model. */
    public Builder transformer(Transformer v) { transformer = v; return this; }

    public Seq2SeqConfig build() {
      return new Seq2SeqConfig(sourceVocab, targetVocab, embedding, hidden, cell, encoderLayers, bidirectional,
          dropout, attention, attentionSize, criticHeads, criticTrunk, criticHidden, seed, transformer);
    }
  }
}
