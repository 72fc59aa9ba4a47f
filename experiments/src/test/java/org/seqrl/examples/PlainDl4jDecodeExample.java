package org.seqrl.examples;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Serving a SeqRL model from a plain DL4J application: a copyable example that uses only ND4J's
 * SameDiff and the JDK, no SeqRL class. It loads the folder that
 * {@code seqrl export --checkpoint RUN --format samediff --output DIR} writes and decodes sources greedily,
 * the way {@code seqrl eval} does.
 *
 * <pre>
 *   java ... org.seqrl.examples.PlainDl4jDecodeExample EXPORT_DIR SOURCES_FILE [OUTPUT_FILE]
 * </pre>
 *
 * SOURCES_FILE holds one source a line, its tokens separated by single spaces (a line's text after a
 * tab is ignored, so {@code seqrl eval --predictions} files can be fed as they are). Each output line
 * holds the decoded tokens, separated by single spaces.
 *
 * <p>How the graph is fed ({@code export.properties} names everything): {@code source_ids [R, S]}
 * (int ids, padded with PAD), {@code source_mask [R, S]} (float, 1 on real tokens, 0 on padding) and
 * {@code decoder_input [R, T]} (int: START, then the tokens decoded so far, padded with PAD), where S
 * and T are the lengths the graph was unrolled to. Output {@code logits [R, T, V]}: position t scores
 * the token after the t-th input. Greedy decoding takes the largest logit among the actions (every id
 * but PAD and START; the first id on ties) and stops a row at END or after {@code max_length} steps.
 * When the manifest names a step graph ({@code step.*}: the recurrent models have one), the encoder
 * runs once and each step runs only the decoder's step, its states fed back ({@link #greedyByStep});
 * otherwise each step runs the whole graph on the growing prefix ({@link #greedyByPrefix}).
 */
public final class PlainDl4jDecodeExample {
  private final SameDiff graph;
  private final Properties manifest;
  private final List<String> sourceVocab;
  private final List<String> targetVocab;
  private final Map<String, Integer> sourceIds = new HashMap<>();

  public PlainDl4jDecodeExample(Path exportDir) throws IOException {
    manifest = new Properties();
    try (Reader r = Files.newBufferedReader(exportDir.resolve("export.properties"), StandardCharsets.UTF_8)) {
      manifest.load(r);
    }
    if (!"seqrl-samediff-export-1".equals(manifest.getProperty("format"))) {
      throw new IOException(exportDir + ": not an export this program reads (format " + manifest.getProperty("format") + ")");
    }
    graph = SameDiff.load(exportDir.resolve(manifest.getProperty("graph")).toFile(), false);
    sourceVocab = lines(exportDir.resolve(manifest.getProperty("source_vocab")));
    targetVocab = lines(exportDir.resolve(manifest.getProperty("target_vocab")));
    for (int i = 0; i < sourceVocab.size(); i++) {
      sourceIds.put(sourceVocab.get(i), i);
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: PlainDl4jDecodeExample EXPORT_DIR SOURCES_FILE [OUTPUT_FILE]");
      System.exit(2);
    }
    PlainDl4jDecodeExample model = new PlainDl4jDecodeExample(Path.of(args[0]));
    List<String> out = model.decodeLines(Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8));
    if (args.length > 2) {
      Files.write(Path.of(args[2]), out, StandardCharsets.UTF_8);
    } else {
      out.forEach(System.out::println);
    }
  }

  /** Decodes each line's source, in batches of 64; returns one line of output tokens per source. */
  public List<String> decodeLines(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (int from = 0; from < lines.size(); from += 64) {
      List<String> batch = lines.subList(from, Math.min(lines.size(), from + 64));
      int[][] sources = new int[batch.size()][];
      for (int i = 0; i < sources.length; i++) {
        sources[i] = encode(batch.get(i));
      }
      for (int[] hyp : greedy(sources)) {
        List<String> tokens = new ArrayList<>();
        for (int id : hyp) {
          tokens.add(targetVocab.get(id));
        }
        out.add(String.join(" ", tokens));
      }
    }
    return out;
  }

  /** Greedy outputs (ids before END) for sources given as ids: with the step graph when the export has one. */
  public int[][] greedy(int[][] sources) {
    return manifest.getProperty("step.previous") != null ? greedyByStep(sources) : greedyByPrefix(sources);
  }

  /** The source placeholders for {@code sources}: ids padded with PAD to the graph's source positions, and the mask. */
  private Map<String, INDArray> sourceFeed(int[][] sources) {
    int s = id("source_positions");
    int r = sources.length;
    int[][] ids = new int[r][s];
    float[][] mask = new float[r][s];
    for (int i = 0; i < r; i++) {
      if (sources[i].length > s) {
        throw new IllegalArgumentException("source " + i + " has " + sources[i].length + " tokens; the graph takes at most " + s);
      }
      Arrays.fill(ids[i], id("token.pad"));
      System.arraycopy(sources[i], 0, ids[i], 0, sources[i].length);
      Arrays.fill(mask[i], 0, sources[i].length, 1f);
    }
    Map<String, INDArray> feed = new HashMap<>();
    feed.put(manifest.getProperty("input.source_ids"), Nd4j.createFromArray(ids));
    feed.put(manifest.getProperty("input.source_mask"), Nd4j.createFromArray(mask));
    return feed;
  }

  /** The action with the largest logit in row {@code i} of {@code logits} [R, V] (every id but PAD and START; the first on ties). */
  private int argmax(INDArray logits, int i) {
    int best = -1;
    float bestLogit = Float.NEGATIVE_INFINITY;
    for (int k = 0; k < logits.size(1); k++) {
      if (k == id("token.pad") || k == id("token.start")) {
        continue; // never actions
      }
      float x = logits.getFloat(i, k);
      if (best < 0 || x > bestLogit) {
        best = k;
        bestLogit = x;
      }
    }
    return best;
  }

  /**
   * Greedy decoding with the export's step graph: the states' initial values from one run on the
   * sources (the encoder), then per step the previous tokens and the states in, the step's logits and
   * the next states out. A state without a next output (encoder outputs, attention keys) stays as it was.
   */
  public int[][] greedyByStep(int[][] sources) {
    int r = sources.length;
    int maxLength = Math.min(id("max_length"), id("decoder_positions"));
    Map<String, INDArray> src = sourceFeed(sources);
    List<String> states = Arrays.asList(manifest.getProperty("step.states").split(","));
    List<String> initial = new ArrayList<>();
    for (String st : states) {
      initial.add(manifest.getProperty("step.state." + st + ".initial"));
    }
    Map<String, INDArray> encoded = graph.output(src, initial);
    Map<String, INDArray> state = new HashMap<>();
    for (String st : states) {
      state.put(st, encoded.get(manifest.getProperty("step.state." + st + ".initial")));
    }
    String logitsName = manifest.getProperty("step.logits");
    List<String> wanted = new ArrayList<>(List.of(logitsName));
    for (String st : states) {
      if (manifest.getProperty("step.state." + st + ".next") != null) {
        wanted.add(manifest.getProperty("step.state." + st + ".next"));
      }
    }
    int[] previous = new int[r];
    Arrays.fill(previous, id("token.start"));
    List<List<Integer>> out = new ArrayList<>();
    boolean[] done = new boolean[r];
    for (int i = 0; i < r; i++) {
      out.add(new ArrayList<>());
    }
    for (int step = 0, live = r; step < maxLength && live > 0; step++) {
      Map<String, INDArray> feed = new HashMap<>(src);
      feed.put(manifest.getProperty("step.previous"), Nd4j.createFromArray(previous));
      feed.putAll(state);
      Map<String, INDArray> res = graph.output(feed, wanted);
      INDArray logits = res.get(logitsName).castTo(DataType.FLOAT); // [R, V]
      for (String st : states) {
        String next = manifest.getProperty("step.state." + st + ".next");
        if (next != null) {
          state.put(st, res.get(next).dup()); // the graph may reuse its output arrays in the next run
        }
      }
      for (int i = 0; i < r; i++) {
        if (done[i]) {
          continue;
        }
        int best = argmax(logits, i);
        if (best == id("token.end")) {
          done[i] = true;
          live--;
        } else {
          out.get(i).add(best);
        }
        previous[i] = best;
      }
    }
    return toArrays(out);
  }

  /** Greedy decoding that runs the whole graph on the growing prefix (for graphs without a step graph). */
  public int[][] greedyByPrefix(int[][] sources) {
    int pad = id("token.pad");
    int end = id("token.end");
    int t = id("decoder_positions");
    int maxLength = Math.min(id("max_length"), t);
    int r = sources.length;
    Map<String, INDArray> src = sourceFeed(sources);
    int[][] input = new int[r][t];
    for (int[] row : input) {
      Arrays.fill(row, pad);
      row[0] = id("token.start");
    }
    List<List<Integer>> out = new ArrayList<>();
    boolean[] done = new boolean[r];
    for (int i = 0; i < r; i++) {
      out.add(new ArrayList<>());
    }
    String logitsName = manifest.getProperty("output.logits");
    for (int step = 0, live = r; step < maxLength && live > 0; step++) {
      Map<String, INDArray> feed = new HashMap<>(src);
      feed.put(manifest.getProperty("input.decoder_input"), Nd4j.createFromArray(input));
      INDArray all = graph.output(feed, logitsName).get(logitsName).castTo(DataType.FLOAT); // [R, T, V]
      INDArray logits = all.get(NDArrayIndex.all(), NDArrayIndex.point(step), NDArrayIndex.all()); // [R, V]
      for (int i = 0; i < r; i++) {
        if (done[i]) {
          continue;
        }
        int best = argmax(logits, i);
        if (best == end) {
          done[i] = true;
          live--;
        } else {
          out.get(i).add(best);
        }
        if (step + 1 < t) {
          input[i][step + 1] = best;
        }
      }
    }
    return toArrays(out);
  }

  private static int[][] toArrays(List<List<Integer>> rows) {
    int[][] result = new int[rows.size()][];
    for (int i = 0; i < result.length; i++) {
      result[i] = rows.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    return result;
  }

  /** Ids of a line's tokens (the text before a tab, split on single spaces); unknown tokens get the unknown id. */
  public int[] encode(String line) {
    int tab = line.indexOf('\t');
    String text = tab >= 0 ? line.substring(0, tab) : line;
    if (text.isEmpty()) {
      return new int[0];
    }
    String[] tokens = text.split(" ", -1);
    int[] ids = new int[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      ids[i] = sourceIds.getOrDefault(tokens[i], id("token.unknown"));
    }
    return ids;
  }

  private int id(String key) {
    return Integer.parseInt(manifest.getProperty(key).trim());
  }

  /** A vocabulary file: one token a line, line n holding id n - 1 (split on \n only: a token may be whitespace). */
  private static List<String> lines(Path file) throws IOException {
    List<String> tokens = new ArrayList<>(Arrays.asList(Files.readString(file, StandardCharsets.UTF_8).split("\n", -1)));
    if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).isEmpty()) {
      tokens.remove(tokens.size() - 1);
    }
    return tokens;
  }
}
