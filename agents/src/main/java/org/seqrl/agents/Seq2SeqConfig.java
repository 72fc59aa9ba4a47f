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
 * @param dropout inverted-dropout rate between stacked layers (encoder and decoder) while training, in [0, 1)
 * @param embeddingDropout inverted-dropout rate on the source and target embeddings' outputs while training, in [0, 1);
 *     recurrent models only (the transformer has its own {@link Transformer#dropout})
 * @param outputDropout inverted-dropout rate on what the output layer reads (the decoder's top output, or dot
 *     attention's attentional vector) while training, in [0, 1); recurrent models only
 * @param attention none, additive (Bahdanau) or dot (Luong)
 * @param attentionSize width of the additive attention's scoring layer; 0 means the hidden size
 * @param criticHeads critic heads the policy carries
 * @param criticTrunk whether critic gradients reach the encoder/decoder
 * @param criticHidden hidden units of each critic head's tanh layer
 * @param decoderLayers stacked decoder layers, >= 1 (dropout {@code dropout} between them while training)
 * @param layerConnections how stacked layers (encoder and decoder) pass their outputs upward
 * @param skipDistance k of {@link LayerConnections#SKIP}: layer l also reads what layer l − k carries; >= 2
 * @param skipCarries what a skip connection carries: layer l − k's output, or its output and its recurrent state
 * @param normStabilizer weight β of the norm-stabilizer (Krueger & Memisevic 2016), >= 0; 0 = off
 * @param normStabilizerOn which vectors the norm-stabilizer keeps steady
 * @param labelSmoothing ε in [0, 1) of the maximum-likelihood loss: the target of each token is 1 − ε on the
 *     reference token plus ε spread evenly over every action (PAD and START are none); 0 = plain likelihood.
 *     MLE steps and the MLE term of mixed RL updates only; policy-gradient terms never smooth
 * @param initStateMeanRatio ρ in [0, 1]: the bridge reads (1 − ρ) · the encoder's final states + ρ · the mean of its top outputs
 * @param carryCellState whether the decoder starts from the encoder's final cell state (an LSTM's c, beside the bridged h;
 *     an NTM's LSTM controller's c) instead of zero; one decoder layer; a cell with h alone has none and ignores it (the
 *     config file refuses it there); without it a no-attention LSTM learns copy ~10x slower
 * @param seed seed of the parameter initialisation and of the policy's random generator
 * @param init how the recurrent weights start and the LSTM forget-gate bias ({@link Init#DEFAULT}: as always)
 * @param memory the memory of an {@link CellType#NTM} cell (ignored by the other cells)
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
    double embeddingDropout,
    double outputDropout,
    Attention attention,
    int attentionSize,
    Set<CriticHead> criticHeads,
    CriticTrunk criticTrunk,
    int criticHidden,
    int decoderLayers,
    LayerConnections layerConnections,
    int skipDistance,
    SkipCarries skipCarries,
    double normStabilizer,
    NormStabilized normStabilizerOn,
    double labelSmoothing,
    double initStateMeanRatio,
    boolean carryCellState,
    long seed,
    Init init,
    NtmSpec memory,
    Transformer transformer) {

  /** Recurrent cell kinds; each is one class ({@link RecurrentCell#create}). */
  public enum CellType { GRU, LSTM, LSTM_PEEPHOLE, RNN_TANH, IRNN, JZS1, JZS2, JZS3, NTM }

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

  public ModelType type() {
    return transformer == null ? ModelType.RECURRENT : ModelType.TRANSFORMER;
  }

  /** LOCATION: additive attention that also reads the previous step's weights (Chorowski et al. 2015), fast engine only. */
  public enum Attention { NONE, ADDITIVE, DOT, LOCATION }

  /**
   * Vertical connections in a stack of layers (encoder and decoder). NONE: layer l >= 1 reads the
   * output of layer l − 1. RESIDUAL: layer l >= 1 reads {@code y(l−1)}, and passes up
   * {@code y(l) = h(l) + x(l)}, its cell output plus its (dropped-out) input, so every layer above the
   * first adds to a running sum (Wu et al. 2016, GNMT); the top y is what attention and the output
   * layer read. DENSE: layer l >= 1 reads the outputs of every layer below it side by side
   * ({@code [h(0), ..., h(l−1)]}, l times as wide: skip connections from each layer to every layer
   * above it, as in densely connected stacks); the top layer's own output goes on. SKIP: layer
   * l >= k reads, beside the output of layer l − 1, what layer l − k carries ({@link SkipCarries}),
   * side by side: {@code [h(l−1), h(l−k)]} or {@code [h(l−1), h(l−k), c(l−k)]}; layers below k read
   * as with NONE, and every layer passes up its own output. Final states (the bridge's input) and
   * recurrent states stay the cells' own.
   */
  public enum LayerConnections { NONE, RESIDUAL, DENSE, SKIP }

  /**
   * What a skip connection from layer l − k carries upward: its OUTPUT h, or its OUTPUT_AND_STATE,
   * h and the recurrent state the cell keeps beside h (an LSTM's memory cell c; cells whose only
   * state is h have none, so they take OUTPUT).
   */
  public enum SkipCarries { OUTPUT, OUTPUT_AND_STATE }

  /** The skip distance when none is given: the shortest skip that is not the layer below. */
  public static final int DEFAULT_SKIP_DISTANCE = 2;

  /**
   * Why the skip settings do not fit the stacks and the cell, or null when they do (one rule for the
   * config and the engine): a distance below 2, one that joins no two layers of either stack, a
   * state to carry with a cell whose only state is its output, skip settings without skip connections.
   */
  public static Init.Conflict skipConflict(LayerConnections connections, int distance, SkipCarries carries, CellType cell,
      int encoderLayers, int decoderLayers) {
    if (connections != LayerConnections.SKIP) {
      if (distance != DEFAULT_SKIP_DISTANCE) {
        return new Init.Conflict("model.skip_distance", distance + " has no effect with model.layer_connections "
            + Init.spelling(connections) + "; expected " + DEFAULT_SKIP_DISTANCE + " (the default), or model.layer_connections skip");
      }
      if (carries != SkipCarries.OUTPUT) {
        return new Init.Conflict("model.skip_carries", Init.spelling(carries) + " has no effect with model.layer_connections "
            + Init.spelling(connections) + "; expected output (the default), or model.layer_connections skip");
      }
      return null;
    }
    int layers = Math.max(encoderLayers, decoderLayers);
    if (distance < 2 || distance >= layers) {
      return new Init.Conflict("model.skip_distance", distance + (distance < 2
          ? " is too short: layer l - 1 is read by every layer already" : " joins no two layers: the deepest stack has "
          + layers + " (model.encoder_layers " + encoderLayers + ", model.decoder_layers " + decoderLayers + ")")
          + "; expected " + (layers > 2 ? "2.." + (layers - 1) : "2, with model.encoder_layers or model.decoder_layers >= 3"));
    }
    if (carries == SkipCarries.OUTPUT_AND_STATE && cell != CellType.LSTM && cell != CellType.LSTM_PEEPHOLE) {
      return new Init.Conflict("model.skip_carries", "output-and-state has no effect with model.cell " + Init.spelling(cell)
          + (cell == CellType.NTM ? " (its state beside h is its memory, which stays in its layer)"
              : " (its only recurrent state is its output h)") + "; expected output, or model.cell lstm or lstm-peephole");
    }
    return null;
  }

  /**
   * What the norm-stabilizer reads: every decoder layer's hidden state h, the logits, or every
   * encoder layer's (and direction's) h as well as every decoder layer's.
   */
  public enum NormStabilized { HIDDEN, LOGITS, ENCODER_AND_HIDDEN }

  /** SHARED: critic gradients flow into the trunk; SEPARATE: the heads read a detached copy of the states. */
  public enum CriticTrunk { SHARED, SEPARATE }

  /**
   * How every cell's recurrent weights Wh start, each [H, H] block (one per gate) on its own:
   * UNIFORM in ±scale/sqrt(H) (the engine's original init; the IRNN is the identity whatever the
   * scheme, since that is what makes it an IRNN); ORTHOGONAL, a random orthogonal matrix times the
   * gain {@code scale} (Saxe et al. 2014); IDENTITY, scale times the identity (Le et al. 2015), for
   * the ungated cells only. Input weights, biases, embeddings and every other layer start as always.
   */
  public enum InitScheme { UNIFORM, ORTHOGONAL, IDENTITY }

  /**
   * The initialisation choices; {@link #DEFAULT} is the engine's original, so that a seed gives the
   * model it always gave. They only choose initial values: a checkpoint replaces them.
   *
   * @param scheme the recurrent weights' scheme
   * @param scale their scale: the uniform range times it, the orthogonal gain, the identity's diagonal; in (0, 10]
   * @param forgetBias the LSTM kinds' forget-gate bias (1: a fresh cell remembers by default)
   */
  public record Init(InitScheme scheme, double scale, double forgetBias) {
    public static final Init DEFAULT = new Init(InitScheme.UNIFORM, 1.0, 1.0);

    public Init {
      if (scheme == null) {
        throw new IllegalArgumentException("model.init must not be null");
      }
      require(scale > 0 && scale <= 10, "init_scale", scale, "a number in (0, 10]");
      require(Double.isFinite(forgetBias), "forget_bias", forgetBias, "a finite number");
    }

    /** A setting that does not fit the cell: the config key to blame and why. */
    public record Conflict(String key, String problem) {
      @Override
      public String toString() {
        return key + ": " + problem;
      }
    }

    /** Why these choices do not fit {@code cell}, or null when they do (one rule for the config and the engine). */
    public Conflict conflict(CellType cell) {
      if (cell == CellType.NTM && (scheme != DEFAULT.scheme() || scale != DEFAULT.scale())) {
        return new Conflict("model.init", "'" + spelling(scheme) + "' with scale " + scale + " does not apply to"
            + " model.cell ntm (its controller, heads and memory start as docs/ntm.md says); expected uniform with"
            + " model.init_scale 1.0");
      }
      boolean ungated = cell == CellType.RNN_TANH || cell == CellType.IRNN;
      if (scheme == InitScheme.IDENTITY && !ungated) {
        return new Conflict("model.init", "'identity' does not fit model.cell " + spelling(cell) + " (the identity start"
            + " carries the state of an ungated recurrence; a gated cell carries it through its gates, and an identity"
            + " in every gate block would feed each gate h itself); expected uniform or orthogonal, or model.cell rnn-tanh"
            + " or irnn");
      }
      if (scheme == InitScheme.ORTHOGONAL && cell == CellType.IRNN) {
        return new Conflict("model.init", "'orthogonal' does not fit model.cell irnn (the IRNN is defined by its identity"
            + " start); expected identity or uniform (both start it at model.init_scale times the identity), or"
            + " model.cell rnn-tanh");
      }
      if (forgetBias != DEFAULT.forgetBias() && cell != CellType.LSTM && cell != CellType.LSTM_PEEPHOLE) {
        return new Conflict("model.forget_bias", forgetBias + " has no effect with model.cell " + spelling(cell)
            + " (it is the LSTM forget gate's bias); expected 1.0, or model.cell lstm or lstm-peephole");
      }
      return null;
    }

    static String spelling(Enum<?> e) {
      return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  public Seq2SeqConfig {
    require(sourceVocab > org.seqrl.rl.Tokens.FIRST_REGULAR, "sourceVocab", sourceVocab, "> 4 (reserved ids 0-3 plus real tokens)");
    require(targetVocab > org.seqrl.rl.Tokens.FIRST_REGULAR, "targetVocab", targetVocab, "> 4 (reserved ids 0-3 plus real tokens)");
    require(embedding >= 1, "embedding", embedding, ">= 1");
    require(hidden >= 1, "hidden", hidden, ">= 1");
    require(encoderLayers >= 1, "encoderLayers", encoderLayers, ">= 1");
    require(dropout >= 0 && dropout < 1, "dropout", dropout, "in [0, 1)");
    require(embeddingDropout >= 0 && embeddingDropout < 1, "embeddingDropout", embeddingDropout, "in [0, 1)");
    require(outputDropout >= 0 && outputDropout < 1, "outputDropout", outputDropout, "in [0, 1)");
    if (transformer != null && (embeddingDropout > 0 || outputDropout > 0)) {
      throw new IllegalArgumentException("model.embeddingDropout " + embeddingDropout + " and model.outputDropout " + outputDropout
          + " are the recurrent model's; a transformer drops out with transformer.dropout; expected 0 and 0");
    }
    require(attentionSize >= 0, "attentionSize", attentionSize, ">= 0 (0 = the hidden size)");
    require(criticHidden >= 1, "criticHidden", criticHidden, ">= 1");
    if (memory == null) {
      memory = NtmSpec.DEFAULT;
    }
    require(decoderLayers >= 1, "decoderLayers", decoderLayers, ">= 1");
    require(normStabilizer >= 0 && Double.isFinite(normStabilizer), "normStabilizer", normStabilizer, ">= 0");
    require(labelSmoothing >= 0 && labelSmoothing < 1, "labelSmoothing", labelSmoothing, "in [0, 1)");
    require(initStateMeanRatio >= 0 && initStateMeanRatio <= 1, "initStateMeanRatio", initStateMeanRatio, "in [0, 1]");
    if (cell == null || attention == null || criticTrunk == null || criticHeads == null || layerConnections == null
        || skipCarries == null || normStabilizerOn == null || init == null) {
      throw new IllegalArgumentException("cell, attention, criticHeads, criticTrunk, layerConnections, skipCarries, normStabilizerOn"
          + " and init must not be null");
    }
    Init.Conflict skip = skipConflict(layerConnections, skipDistance, skipCarries, cell, encoderLayers, decoderLayers);
    if (skip != null) {
      throw new IllegalArgumentException(skip.toString());
    }
    Init.Conflict initConflict = init.conflict(cell);
    if (initConflict != null) {
      throw new IllegalArgumentException(initConflict.toString());
    }
    if (cell == CellType.NTM && decoderLayers > 1) {
      throw new IllegalArgumentException("decoderLayers: an NTM decoder is one layer (its memory passes from the encoder), got "
          + decoderLayers);
    }
    if (carryCellState && cell == CellType.NTM && memory.controller() != NtmSpec.Controller.LSTM) {
      throw new IllegalArgumentException("model.carryCellState: true with cell NTM needs an LSTM controller (a "
          + memory.controller() + " controller has no c to carry; its memory passes anyway); expected false, or controller LSTM");
    }
    if (carryCellState && decoderLayers > 1) {
      throw new IllegalArgumentException("model.carryCellState: true needs decoderLayers 1 (the top encoder layer's c goes to the"
          + " one decoder layer), got decoderLayers " + decoderLayers);
    }
    criticHeads = criticHeads.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(criticHeads));
  }

  private static void require(boolean ok, String field, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException("model." + field + ": " + value + " is invalid; expected " + expected);
    }
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
        .encoderLayers(encoderLayers).bidirectional(bidirectional).dropout(dropout)
        .embeddingDropout(embeddingDropout).outputDropout(outputDropout).attention(attention).attentionSize(attentionSize)
        .criticHeads(criticHeads).criticTrunk(criticTrunk).criticHidden(criticHidden)
        .decoderLayers(decoderLayers).layerConnections(layerConnections).skipDistance(skipDistance).skipCarries(skipCarries)
        .normStabilizer(normStabilizer)
        .normStabilizerOn(normStabilizerOn).labelSmoothing(labelSmoothing).initStateMeanRatio(initStateMeanRatio)
        .carryCellState(carryCellState).seed(seed).init(init).memory(memory).transformer(transformer);
  }

  /** Flat key=value form, saved next to a checkpoint so that a shape mismatch is caught on restore ({@link ConfigProperties}). */
  public Properties toProperties() {
    return ConfigProperties.write(this);
  }

  /** The config of {@link #toProperties}; keys added later read as their defaults, so older checkpoints load. */
  public static Seq2SeqConfig fromProperties(Properties p) {
    return ConfigProperties.read(p);
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
    private double embeddingDropout = 0.0;
    private double outputDropout = 0.0;
    private Attention attention = Attention.NONE;
    private int attentionSize = 0;
    private Set<CriticHead> criticHeads = Set.of();
    private CriticTrunk criticTrunk = CriticTrunk.SHARED;
    private int criticHidden = 64;
    private int decoderLayers = 1;
    private LayerConnections layerConnections = LayerConnections.NONE;
    private int skipDistance = DEFAULT_SKIP_DISTANCE;
    private SkipCarries skipCarries = SkipCarries.OUTPUT;
    private double normStabilizer = 0.0;
    private NormStabilized normStabilizerOn = NormStabilized.HIDDEN;
    private double labelSmoothing = 0.0;
    private double initStateMeanRatio = 0.0;
    private boolean carryCellState = false;
    private long seed = 1L;
    private Init init = Init.DEFAULT;
    private NtmSpec memory = NtmSpec.DEFAULT;
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
    public Builder embeddingDropout(double v) { embeddingDropout = v; return this; }
    public Builder outputDropout(double v) { outputDropout = v; return this; }
    public Builder attention(Attention v) { attention = v; return this; }
    public Builder attentionSize(int v) { attentionSize = v; return this; }
    public Builder criticHeads(Set<CriticHead> v) { criticHeads = v; return this; }
    public Builder criticTrunk(CriticTrunk v) { criticTrunk = v; return this; }
    public Builder criticHidden(int v) { criticHidden = v; return this; }
    public Builder decoderLayers(int v) { decoderLayers = v; return this; }
    public Builder layerConnections(LayerConnections v) { layerConnections = v; return this; }
    public Builder skipDistance(int v) { skipDistance = v; return this; }
    public Builder skipCarries(SkipCarries v) { skipCarries = v; return this; }
    public Builder normStabilizer(double v) { normStabilizer = v; return this; }
    public Builder normStabilizerOn(NormStabilized v) { normStabilizerOn = v; return this; }
    public Builder labelSmoothing(double v) { labelSmoothing = v; return this; }
    public Builder initStateMeanRatio(double v) { initStateMeanRatio = v; return this; }
    public Builder carryCellState(boolean v) { carryCellState = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder init(Init v) { init = v; return this; }
    public Builder memory(NtmSpec v) { memory = v; return this; }
    /** A transformer of that shape instead of the recurrent model; null for the recurrent model. */
    public Builder transformer(Transformer v) { transformer = v; return this; }

    public Seq2SeqConfig build() {
      return new Seq2SeqConfig(sourceVocab, targetVocab, embedding, hidden, cell, encoderLayers, bidirectional,
          dropout, embeddingDropout, outputDropout, attention, attentionSize, criticHeads, criticTrunk, criticHidden, decoderLayers, layerConnections,
          skipDistance, skipCarries, normStabilizer, normStabilizerOn, labelSmoothing, initStateMeanRatio, carryCellState, seed, init,
          memory,
          transformer);
    }
  }
}
