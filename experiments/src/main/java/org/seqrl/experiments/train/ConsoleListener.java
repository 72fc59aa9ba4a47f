package org.seqrl.experiments.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.seqrl.rl.EvaluationEvent;
import org.seqrl.rl.MetricNames;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.StepEvent;

/**
 * Progress on the console: a bar with ETA and the current reward on a terminal; plain periodic
 * lines when output is redirected (CI logs, files), so logs stay readable.
 */
final class ConsoleListener implements RunListener, AutoCloseable {
  private final PrintStream out;
  private final String rewardKey;
  private final long totalSteps;
  private final int lineEvery;
  private final boolean terminal;
  private ProgressBar bar;
  private long startNanos = System.nanoTime();
  private long startStep = -1;

  /** @param rewardName the run's reward ({@link org.seqrl.rl.Reward#name()}), whose mean heads each RL line */
  ConsoleListener(PrintStream out, long totalSteps, int lineEvery, boolean terminal, String rewardName) {
    this.rewardKey = MetricNames.rlReward(rewardName);
    this.out = out;
    this.totalSteps = totalSteps;
    this.lineEvery = Math.max(1, lineEvery);
    this.terminal = terminal;
  }

  @Override
  public void onStep(StepEvent e) {
    if (startStep < 0) {
      startStep = e.step() - 1;
      startNanos = System.nanoTime();
    }
    Map<String, Double> m = e.metrics();
    String phase = e.phase().name().toLowerCase(Locale.ROOT);
    String prefix = e.phase() == org.seqrl.rl.Phase.RL ? MetricNames.RL : MetricNames.PRETRAIN;
    String headline = e.phase() == org.seqrl.rl.Phase.RL
        ? String.format(Locale.ROOT, "reward %.3f", m.getOrDefault(rewardKey, Double.NaN))
        : String.format(Locale.ROOT, "nll %.3f", m.getOrDefault("pretrain/loss", Double.NaN));
    if (terminal) {
      if (bar == null) {
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps)
            .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
            .startsFrom(e.step() - 1, java.time.Duration.ZERO).build();
      }
      bar.stepTo(e.step());
      bar.setExtraMessage(phase + " " + headline);
    } else if (e.step() % lineEvery == 0 || e.step() == totalSteps) {
      double elapsed = (System.nanoTime() - startNanos) / 1e9;
      double rate = (e.step() - startStep) / Math.max(elapsed, 1e-9);
      long etaS = Math.round((totalSteps - e.step()) / Math.max(rate, 1e-9));
      out.printf(Locale.ROOT, "step %d/%d [%s] %s  entropy %.3f  grad %.2f  %.1f steps/s  eta %dm%02ds%n",
          e.step(), totalSteps, phase, headline, m.getOrDefault(prefix + "entropy", Double.NaN),
          m.getOrDefault(prefix + "grad_norm", Double.NaN), rate, etaS / 60, etaS % 60);
    }
  }

  @Override
  public void onEvaluation(EvaluationEvent e) {
    Map<String, Double> m = e.metrics();
    String line = String.format(Locale.ROOT,
        "eval @ %d (%s): bleu %.4f  levenshtein %.3f  rate %.4f  exact %.3f  symbol error %.4f  chrf %.2f",
        e.step(), e.split(), m.getOrDefault("eval/bleu", Double.NaN), m.getOrDefault("eval/levenshtein", Double.NaN),
        m.getOrDefault("eval/levenshtein_rate", Double.NaN), m.getOrDefault("eval/exact_match", Double.NaN),
        m.getOrDefault("eval/symbol_error", Double.NaN), m.getOrDefault("eval/chrf", Double.NaN));
    if (m.containsKey("curriculum/max_length")) {
      line += String.format(Locale.ROOT, "  curriculum: lengths <= %.0f", m.get("curriculum/max_length"));
    }
    if (!m.containsKey("eval/bleu")) {
      // The fixed test lengths (test/len<L>/...): exact match and symbol error per length.
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "eval @ %d (%s):", e.step(), e.split()));
      m.forEach((k, v) -> {
        if (k.endsWith("/exact_match") || k.endsWith("/symbol_error")) {
          b.append(String.format(Locale.ROOT, "  %s %.4f", k, v));
        }
      });
      line = b.toString();
    }
    if (bar != null) {
      // Keep the bar intact: print below it.
      out.println();
    }
    out.println(line);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
