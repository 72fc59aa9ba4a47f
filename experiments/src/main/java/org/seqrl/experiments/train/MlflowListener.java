package org.seqrl.experiments.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.seqrl.experiments.data.Dataset;
import org.seqrl.experiments.data.Vocabulary;
import org.seqrl.experiments.report.HeatmapPlot;
import org.seqrl.experiments.tracking.RunRecorder;
import org.seqrl.rl.EvaluationEvent;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.Sample;
import org.seqrl.rl.StepEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each evaluation's samples (Markdown) and attention heatmaps (PNG) into the run
 * directory and, when a {@link RunRecorder} is given, sends them with every step and evaluation
 * metric to MLflow (the recorder journals first, so a missing server never stops training).
 */
final class MlflowListener implements RunListener {
  private static final Logger LOG = LoggerFactory.getLogger(MlflowListener.class);
  private final RunRecorder recorder;
  private final Path runDir;
  private final Vocabulary sourceVocab;
  private final Vocabulary targetVocab;
  private final int heatmaps;
  private final Dataset dataset;
  /** The memory trace of a source and its greedy output (an NTM's weightings), or null: none drawn. */
  private final MemoryTracer memory;

  /** What an NTM policy's memory did on one example (issue 17); null when the model has no memory. */
  interface MemoryTracer {
    org.seqrl.agents.Seq2SeqPolicy.MemoryTrace trace(int[] source, int[] output);
  }

  /** @param recorder where to send everything, or null to only write the files */
  MlflowListener(RunRecorder recorder, Path runDir, Dataset dataset, int heatmaps) {
    this(recorder, runDir, dataset, heatmaps, null);
  }

  /** @param memory draws an NTM's write and read weightings next to the attention heatmaps, or null */
  MlflowListener(RunRecorder recorder, Path runDir, Dataset dataset, int heatmaps, MemoryTracer memory) {
    this.memory = memory;
    this.recorder = recorder;
    this.runDir = runDir;
    this.sourceVocab = dataset.sourceVocab();
    this.targetVocab = dataset.targetVocab();
    this.dataset = dataset;
    this.heatmaps = heatmaps;
  }

  @Override
  public void onStep(StepEvent event) {
    if (recorder != null) {
      recorder.logMetrics(event.metrics(), event.step());
    }
  }

  @Override
  public void onEvaluation(EvaluationEvent event) {
    if (recorder != null) {
      recorder.logMetrics(event.metrics(), event.step());
    }
    String stepName = String.format(Locale.ROOT, "step-%07d", event.step());
    try {
      Path samples = runDir.resolve("samples").resolve(event.split() + "-" + stepName + ".md");
      Files.createDirectories(samples.getParent());
      Files.writeString(samples, samplesMarkdown(event), StandardCharsets.UTF_8);
      if (recorder != null) {
        recorder.logArtifact(samples, "samples");
      }
      Path heatDir = runDir.resolve("heatmaps").resolve(stepName);
      int drawn = 0;
      List<Sample> list = event.samples();
      for (int i = 0; i < list.size() && drawn < heatmaps; i++) {
        Sample s = list.get(i);
        boolean any = false;
        if (s.attention() != null && s.attention().length > 0) {
          Files.createDirectories(heatDir);
          Path png = heatDir.resolve("example-" + i + ".png");
          String title = String.format(Locale.ROOT, "Attention: %s sample %d \"%s\", step %d (greedy decode)",
              event.split(), i, shorten(sourceText(s.source())), event.step());
          HeatmapPlot.write(trimRows(s.attention(), s.greedy().length + 1), tokens(sourceVocab, s.source()),
              withEnd(tokens(targetVocab, s.greedy())), title, png);
          any = true;
        }
        var trace = memory == null ? null : memory.trace(s.source(), s.greedy());
        if (trace != null) {
          Files.createDirectories(heatDir);
          writeMemory(trace, true, s, i, event, heatDir.resolve("memory-write-" + i + ".png"));
          writeMemory(trace, false, s, i, event, heatDir.resolve("memory-read-" + i + ".png"));
          any = true;
        }
        if (any) {
          drawn++;
        }
      }
      if (drawn > 0 && recorder != null) {
        recorder.logArtifacts(heatDir, "heatmaps/" + stepName);
      }
    } catch (IOException | RuntimeException e) {
      // Plots and samples are for people; a failure to draw them must not stop training.
      LOG.warn("could not write samples or heatmaps at step {}: {}", event.step(), e.toString());
    }
  }

  /**
   * One heatmap of an NTM's first write (or read) head, drawn as the NTM paper draws it: a column per step
   * (encoder steps, labelled by the token read, then decoder steps, by the token produced), a row per slot.
   */
  private void writeMemory(org.seqrl.agents.Seq2SeqPolicy.MemoryTrace trace, boolean write, Sample s, int i,
      EvaluationEvent event, Path png) throws IOException {
    float[][] w = write ? trace.write() : trace.read();
    double[][] steps = new double[w.length][];
    for (int t = 0; t < w.length; t++) {
      steps[t] = new double[w[t].length];
      for (int k = 0; k < w[t].length; k++) {
        steps[t][k] = w[t][k];
      }
    }
    String[] src = tokens(sourceVocab, s.source());
    String[] out = withEnd(tokens(targetVocab, s.greedy()));
    String[] labels = new String[steps.length];
    for (int t = 0; t < labels.length; t++) {
      labels[t] = t < trace.sourceSteps() ? "in " + src[t] : "out " + out[t - trace.sourceSteps()];
    }
    String title = String.format(Locale.ROOT, "NTM memory %s weighting (head 1): %s sample %d \"%s\", step %d",
        write ? "write" : "read", event.split(), i, shorten(sourceText(s.source())), event.step());
    HeatmapPlot.writeOverTime(steps, labels, title, png);
  }

  private String samplesMarkdown(EvaluationEvent event) {
    StringBuilder b = new StringBuilder();
    b.append("# ").append(event.split()).append(" samples at step ").append(event.step()).append("\n\n");
    b.append("| # | source | references | greedy | reward | sampled | reward |\n|---|---|---|---|---|---|---|\n");
    int i = 0;
    for (Sample s : event.samples()) {
      b.append("| ").append(i++).append(" | `").append(sourceText(s.source())).append("` | ")
          .append(Arrays.stream(s.references()).map(r -> "`" + targetText(r) + "`")
              .collect(Collectors.joining("<br>")))
          .append(" | `").append(targetText(s.greedy())).append("` | ")
          .append(String.format(Locale.ROOT, "%.4f", s.greedyReward())).append(" | `")
          .append(s.sampled() == null ? "" : targetText(s.sampled())).append("` | ")
          .append(String.format(Locale.ROOT, "%.4f", s.sampledReward())).append(" |\n");
    }
    return b.toString();
  }

  // Spelled as the data file spells it (subwords detokenized); '|' escaped for the markdown table.
  private String sourceText(int[] ids) {
    return dataset.sourceText(ids).replace("|", "\\|");
  }

  private String targetText(int[] ids) {
    return dataset.targetText(ids).replace("|", "\\|");
  }

  private static String shorten(String text) {
    return text.length() <= 30 ? text : text.substring(0, 29) + "…";
  }

  private static String[] tokens(Vocabulary v, int[] ids) {
    return v.decode(ids).toArray(new String[0]);
  }

  private static String[] withEnd(String[] tokens) {
    String[] t = Arrays.copyOf(tokens, tokens.length + 1);
    t[tokens.length] = "</s>";
    return t;
  }

  private static double[][] trimRows(double[][] a, int rows) {
    return rows >= a.length ? a : Arrays.copyOf(a, rows);
  }
}
