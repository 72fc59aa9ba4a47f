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
 * the token after the t-th input. Greedy decoding runs the graph on the growing prefix, takes the
 * largest logit among the actions (every id but PAD and START; the first id on ties) and stops a row at
 * END or after {@code max_length} steps.
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

  /** Greedy outputs (ids before END) for sources given as ids. */
  public int[][] greedy(int[][] sources) {
    int pad = id("token.pad");
    int start = id("token.start");
    int end = id("token.end");
    int s = id("source_positions");
    int t = id("decoder_positions");
    int maxLength = Math.min(id("max_length"), t);
    int r = sources.length;
    int[][] ids = new int[r][s];
    float[][] mask = new float[r][s];
    for (int i = 0; i < r; i++) {
      if (sources[i].length > s) {
        throw new IllegalArgumentException("source " + i + " has " + sources[i].length + " tokens; the graph takes at most " + s);
      }
      Arrays.fill(ids[i], pad);
      System.arraycopy(sources[i], 0, ids[i], 0, sources[i].length);
      Arrays.fill(mask[i], 0, sources[i].length, 1f);
    }
    int[][] input = new int[r][t];
    for (int[] row : input) {
      Arrays.fill(row, pad);
      row[0] = start;
    }
    List<List<Integer>> out = new ArrayList<>();
    boolean[] done = new boolean[r];
    for (int i = 0; i < r; i++) {
      out.add(new ArrayList<>());
    }
    String logitsName = manifest.getProperty("output.logits");
    for (int step = 0, live = r; step < maxLength && live > 0; step++) {
      Map<String, INDArray> feed = new HashMap<>();
      feed.put(manifest.getProperty("input.source_ids"), Nd4j.createFromArray(ids));
      feed.put(manifest.getProperty("input.source_mask"), Nd4j.createFromArray(mask));
      feed.put(manifest.getProperty("input.decoder_input"), Nd4j.createFromArray(input));
      INDArray logits = graph.output(feed, logitsName).get(logitsName).castTo(DataType.FLOAT); // [R, T, V]
      long v = logits.size(2);
      for (int i = 0; i < r; i++) {
        if (done[i]) {
          continue;
        }
        int best = -1;
        float bestLogit = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < v; k++) {
          if (k == pad || k == start) {
            continue; // never actions
          }
          float x = logits.getFloat(i, step, k);
          if (best < 0 || x > bestLogit) {
            best = k;
            bestLogit = x;
          }
        }
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
    int[][] result = new int[r][];
    for (int i = 0; i < r; i++) {
      result[i] = out.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    return result;
  }

  /** Ids of a line's tokens (the text before a tab, split on single spaces); unknown tokens get the unknown id. */
  private int[] encode(String line) {
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
