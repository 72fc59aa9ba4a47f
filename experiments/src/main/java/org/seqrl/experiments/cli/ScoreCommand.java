package org.seqrl.experiments.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.seqrl.metrics.Chrf;
import org.seqrl.metrics.Levenshtein;
import org.seqrl.metrics.NltkBleu;
import org.seqrl.metrics.NltkSmoothing;
import org.seqrl.metrics.PyText;
import org.seqrl.metrics.SacreBleu;
import org.seqrl.metrics.SacreSmoothing;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seqrl score}: scores hypotheses against references with one metric, per sentence
 * (one value a line) or for the corpus (one line).
 */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
        "Score hypotheses against references.",
        "bleu: nltk sentence_bleu / corpus_bleu on whitespace tokens (0-1);",
        "sacrebleu, chrf: sacrebleu 2.6.0 (13a tokenizer, 0-100); levenshtein: smallest character",
        "edit distance to any reference (the mean over sentences with --corpus)."})
public final class ScoreCommand implements Callable<Integer> {

  /** The metrics the command knows. */
  enum Metric {
    BLEU, SACREBLEU, CHRF, LEVENSHTEIN;

    static Metric parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("'" + text + "' is not a metric; expected one of bleu, sacrebleu, chrf, levenshtein");
      }
    }
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--metric", required = true, converter = MetricConverter.class,
      description = "bleu, sacrebleu, chrf or levenshtein")
  Metric metric;

  @Option(names = "--hyps", required = true, paramLabel = "FILE", description = "one hypothesis a line (an empty line is an empty hypothesis)")
  Path hyps;

  @Option(names = "--refs", required = true, paramLabel = "FILE", description = "one line per hypothesis: its references separated by tabs")
  Path refs;

  @Option(names = "--corpus", description = "print one corpus-level score instead of one score per sentence")
  boolean corpus;

  @Option(names = "--smoothing", converter = SmoothingConverter.class, paramLabel = "METHOD",
      description = "bleu only: nltk smoothing method0..method7 (default: method0, nltk's default)")
  NltkSmoothing smoothing;

  @Option(names = "--weights", paramLabel = "W1,W2,...", description = "bleu only: n-gram weights (default: 0.25,0.25,0.25,0.25)")
  String weights;

  @Option(names = "--smooth-method", converter = SacreSmoothingConverter.class, paramLabel = "METHOD",
      description = "sacrebleu only: exp, floor, add-k or none (default: exp)")
  SacreSmoothing smoothMethod;

  @Option(names = "--signature", description = "sacrebleu only: print sacrebleu's signature on a second line")
  boolean signature;

  @Option(names = "--threads", paramLabel = "N", description = "threads that score sentences in parallel (output order"
      + " is kept); 0: one per core (default: ${DEFAULT-VALUE})", defaultValue = "0")
  int threads;

  /** Lines per parallel task: its overhead is noise next to scoring them, and the cores stay balanced. */
  static final int CHUNK = 4096;
  /** Fewer lines than this are scored on one thread: a pool would cost more than it saves. */
  static final int PARALLEL_FROM = 3 * CHUNK;

  /** Appends the score line of sentence {@code i}, newline included. */
  @FunctionalInterface
  interface SentenceScorer {
    void append(int i, StringBuilder out);
  }

  static final class MetricConverter implements CommandLine.ITypeConverter<Metric> {
    @Override
    public Metric convert(String value) {
      return Metric.parse(value);
    }
  }

  static final class SmoothingConverter implements CommandLine.ITypeConverter<NltkSmoothing> {
    @Override
    public NltkSmoothing convert(String value) {
      try {
        return NltkSmoothing.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class SacreSmoothingConverter implements CommandLine.ITypeConverter<SacreSmoothing> {
    @Override
    public SacreSmoothing convert(String value) {
      try {
        return SacreSmoothing.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Override
  public Integer call() {
    checkOptionsFitMetric();
    if (threads < 0) {
      throw new UserInputException("--threads: " + threads + " is not a thread count; expected 0 (one per core) or more");
    }
    double[] bleuWeights = parseWeights(weights);
    List<String> hypLines = readLines(hyps, "--hyps");
    List<String> refLines = readLines(refs, "--refs");
    if (hypLines.size() != refLines.size()) {
      throw new UserInputException("--hyps " + hyps + " has " + hypLines.size() + " lines but --refs " + refs + " has "
          + refLines.size() + "; expected one line of tab-separated references per hypothesis");
    }
    // Split into references where they are scored (on the scoring threads), not all up front.
    List<List<String>> references = new java.util.AbstractList<>() {
      @Override
      public List<String> get(int i) {
        return Arrays.asList(refLines.get(i).split("\t", -1));
      }

      @Override
      public int size() {
        return refLines.size();
      }
    };
    // picocli's writer flushes on every println; one score a line over 500k lines made printing
    // cost more than scoring, so the lines go through one buffer, written out in large blocks
    PrintWriter out = new PrintWriter(new BufferedWriter(spec.commandLine().getOut(), 1 << 16), false);
    switch (metric) {
      case BLEU -> scoreBleu(hypLines, references, bleuWeights, out);
      case SACREBLEU -> scoreSacreBleu(hypLines, references, out);
      case CHRF -> {
        if (corpus) {
          out.println(PythonFloat.repr(Chrf.corpusScore(hypLines, references)));
        } else {
          perSentence(hypLines.size(), (i, line) -> score(line, Chrf.sentenceScore(hypLines.get(i), references.get(i))),
              out);
        }
      }
      case LEVENSHTEIN -> {
        if (corpus) {
          long sum = 0;
          for (int i = 0; i < hypLines.size(); i++) {
            sum += Levenshtein.minDistance(hypLines.get(i), references.get(i));
          }
          out.println(PythonFloat.repr(hypLines.isEmpty() ? 0.0 : (double) sum / hypLines.size()));
        } else {
          perSentence(hypLines.size(), (i, line) -> line.append(Levenshtein.minDistance(hypLines.get(i),
              references.get(i))).append(System.lineSeparator()), out);
        }
      }
      default -> throw new AssertionError(metric);
    }
    out.flush();
    spec.commandLine().getOut().flush();
    return 0;
  }

  private void checkOptionsFitMetric() {
    if (metric != Metric.BLEU && (smoothing != null || weights != null)) {
      throw new UserInputException("--smoothing and --weights apply to --metric bleu only (got --metric "
          + metric.name().toLowerCase(Locale.ROOT) + "); for sacrebleu use --smooth-method");
    }
    if (metric != Metric.SACREBLEU && (smoothMethod != null || signature)) {
      throw new UserInputException("--smooth-method and --signature apply to --metric sacrebleu only (got --metric "
          + metric.name().toLowerCase(Locale.ROOT) + ")");
    }
  }

  private void scoreBleu(List<String> hypLines, List<List<String>> references, double[] w, PrintWriter out) {
    NltkSmoothing s = smoothing == null ? NltkSmoothing.METHOD0 : smoothing;
    if (!corpus) {
      // one sentence at a time: holding every token of a 500k-line corpus (tens of millions of
      // strings) made the garbage collector's copying cost more than the scoring
      perSentence(hypLines.size(), (i, line) -> score(line, NltkBleu.sentenceBleu(hypLines.get(i), references.get(i), w, s)),
          out);
      return;
    }
    List<String[]> hypTokens = new ArrayList<>();
    List<List<String[]>> refTokens = new ArrayList<>();
    for (int i = 0; i < hypLines.size(); i++) {
      hypTokens.add(PyText.split(hypLines.get(i)));
      refTokens.add(tokens(references.get(i)));
    }
    out.println(PythonFloat.repr(NltkBleu.corpusBleu(hypTokens, refTokens, w, s)));
  }

  private static List<String[]> tokens(List<String> references) {
    List<String[]> rs = new ArrayList<>(references.size());
    for (String r : references) {
      rs.add(PyText.split(r));
    }
    return rs;
  }

  private void scoreSacreBleu(List<String> hypLines, List<List<String>> references, PrintWriter out) {
    SacreBleu bleu = new SacreBleu(smoothMethod == null ? SacreSmoothing.EXP : smoothMethod);
    if (corpus) {
      out.println(PythonFloat.repr(bleu.corpusScore(hypLines, references)));
    } else {
      perSentence(hypLines.size(), (i, line) -> score(line, bleu.sentenceScore(hypLines.get(i), references.get(i))),
          out);
    }
    if (signature) {
      out.println(bleu.signature(SacreBleu.nrefs(references), !corpus));
    }
  }

  /** One score a line, as Python prints it. */
  private static void score(StringBuilder out, double score) {
    PythonFloat.append(score, out);
    out.append(System.lineSeparator());
  }

  /**
   * Scores sentences 0..n-1 and writes their lines in order. A large input is cut into chunks that the
   * threads of a pool score (the metrics keep their scratch space per thread) into a text block each;
   * the blocks are written in input order, so the output is the same for any thread count.
   */
  private void perSentence(int n, SentenceScorer scorer, PrintWriter out) {
    int pool = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    if (pool == 1 || n < PARALLEL_FROM) {
      StringBuilder block = new StringBuilder(CHUNK * 24);
      for (int start = 0; start < n; start += CHUNK) {
        block.setLength(0);
        for (int i = start; i < Math.min(n, start + CHUNK); i++) {
          scorer.append(i, block);
        }
        out.append(block);
      }
      return;
    }
    ExecutorService executor = Executors.newFixedThreadPool(pool, r -> {
      Thread t = new Thread(r, "seqrl-score");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<StringBuilder>> blocks = new ArrayList<>();
      for (int start = 0; start < n; start += CHUNK) {
        int from = start;
        int to = Math.min(n, start + CHUNK);
        blocks.add(executor.submit(() -> {
          StringBuilder block = new StringBuilder((to - from) * 24);
          for (int i = from; i < to; i++) {
            scorer.append(i, block);
          }
          return block;
        }));
      }
      for (int b = 0; b < blocks.size(); b++) {
        out.append(blocks.get(b).get());
        blocks.set(b, null); // written: let it go
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scoring", e);
    } finally {
      executor.shutdownNow();
    }
  }

  static double[] parseWeights(String text) {
    if (text == null) {
      return NltkBleu.uniformWeights(4);
    }
    String[] parts = text.split(",", -1);
    double[] w = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        w[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        w[i] = Double.NaN;
      }
      if (!(w[i] >= 0) || Double.isInfinite(w[i])) {
        throw new UserInputException("--weights: '" + parts[i].trim() + "' (item " + (i + 1) + " of '" + text
            + "') is not a weight; expected comma-separated non-negative numbers such as 0.25,0.25,0.25,0.25");
      }
    }
    return w;
  }

  private static List<String> readLines(Path file, String option) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      // lines end at \n or \r\n; a final newline ends the last line rather than starting an empty
      // one (a scan, not a regex split: the split took seconds on 500k-line files)
      List<String> lines = new ArrayList<>();
      int start = 0;
      while (start < text.length()) {
        int nl = text.indexOf('\n', start);
        int end = nl < 0 ? text.length() : nl;
        lines.add(text.substring(start, nl > start && text.charAt(nl - 1) == '\r' ? end - 1 : end));
        if (nl < 0) {
          break;
        }
        start = nl + 1;
      }
      return lines;
    } catch (NoSuchFileException e) {
      throw new UserInputException(option + ": file " + file + " does not exist; expected a UTF-8 text file, one line per hypothesis");
    } catch (CharacterCodingException e) {
      throw new UserInputException(option + ": file " + file + " is not valid UTF-8; expected a UTF-8 text file");
    } catch (IOException e) {
      throw new UserInputException(option + ": cannot read " + file + " (" + e.getMessage() + "); expected a readable UTF-8 text file", e);
    }
  }
}
