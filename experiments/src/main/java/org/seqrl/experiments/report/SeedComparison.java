package org.seqrl.experiments.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import org.mlflow.api.proto.Service.Metric;
import org.seqrl.experiments.report.SweepReport.Group;
import org.seqrl.experiments.report.SweepReport.RunData;
import org.seqrl.rl.MetricDirection;

/**
 * The part of a report that decides comparisons: per group, the final value of one metric with a
 * 95 % bootstrap interval over seeds, its sample efficiency (area under the curve over RL steps,
 * and steps to a threshold), the gradient-variance diagnostics when runs logged them; and, for
 * every two groups that differ in one param only, the paired-by-seed difference with its
 * interval, a paired t-test and a sign-flip test, Holm-adjusted over the whole table.
 */
final class SeedComparison {
  static final double LEVEL = 0.95;
  static final double ALPHA = 0.05;
  /** Fixed so that the same runs give the same intervals. */
  static final long BOOTSTRAP_SEED = 20_151_201L;
  static final String GRAD_VARIANCE = "diag/grad_variance";
  static final String GRAD_SNR = "diag/grad_snr";

  private final String metric;
  private final MetricDirection direction;
  private final Map<RunData, Long> origins;
  private final OptionalDouble threshold;

  SeedComparison(String metric, Map<RunData, Long> origins, OptionalDouble threshold) {
    this.metric = metric;
    this.direction = SweepReport.direction(metric);
    this.origins = origins;
    this.threshold = threshold;
  }

  /** One difference between two groups, paired by seed; {@code difference} is a − b. */
  record Pair(Group a, Group b, String differsIn, double[] differences, double[] interval, double tP,
      double signFlipP, double holmP) {}

  /** The value of the metric at each of the run's points since its origin: x = step − origin, later value of a step kept. */
  SortedMap<Long, Double> curve(RunData run) {
    long origin = origins.getOrDefault(run, 0L);
    SortedMap<Long, Metric> last = new TreeMap<>();
    for (Metric m : run.histories().getOrDefault(metric, List.of())) {
      Metric prev = last.get(m.getStep());
      if (m.getStep() >= origin && Double.isFinite(m.getValue()) && (prev == null || m.getTimestamp() >= prev.getTimestamp())) {
        last.put(m.getStep(), m);
      }
    }
    SortedMap<Long, Double> out = new TreeMap<>();
    last.forEach((step, m) -> out.put(step - origin, m.getValue()));
    return out;
  }

  /**
   * Area under the curve divided by its span (trapezoids between evaluations): the mean level of
   * the metric over the RL steps, so that a cell that gets good early scores better than one that
   * gets there late. A single point is its own value; NaN without points.
   */
  static double normalisedArea(SortedMap<Long, Double> curve) {
    if (curve.isEmpty()) {
      return Double.NaN;
    }
    if (curve.size() == 1) {
      return curve.get(curve.firstKey());
    }
    double area = 0;
    Long px = null;
    double py = 0;
    for (var e : curve.entrySet()) {
      if (px != null) {
        area += (e.getKey() - px) * (py + e.getValue()) / 2;
      }
      px = e.getKey();
      py = e.getValue();
    }
    return area / (curve.lastKey() - curve.firstKey());
  }

  /** The first x at which the curve is at least as good as the threshold, or empty if it never is. */
  static OptionalDouble stepsToThreshold(SortedMap<Long, Double> curve, double threshold, MetricDirection direction) {
    for (var e : curve.entrySet()) {
      if (!direction.isBetter(threshold, e.getValue())) {
        return OptionalDouble.of(e.getKey());
      }
    }
    return OptionalDouble.empty();
  }

  private static double meanOfRun(RunData run, String key) {
    double[] v = run.histories().getOrDefault(key, List.of()).stream().mapToDouble(Metric::getValue)
        .filter(Double::isFinite).toArray();
    return Stats.mean(v);
  }

  private double finalOf(RunData run) {
    SortedMap<Long, Double> c = curve(run);
    return c.isEmpty() ? Double.NaN : c.get(c.lastKey());
  }

  private static String seedOf(RunData run) {
    return run.params().entrySet().stream().filter(e -> SweepReport.isSeed(e.getKey()) && !e.getKey().equals("rl.init_checkpoint"))
        .map(Map.Entry::getValue).findFirst().orElse(run.id());
  }

  /** Every two groups that differ in exactly one varying param, paired by seed (seeds both have). */
  List<Pair> pairs(List<Group> groups, List<String> varying) {
    List<Pair> raw = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      for (int j = i + 1; j < groups.size(); j++) {
        Group a = groups.get(i);
        Group b = groups.get(j);
        List<String> differ = varying.stream().filter(k -> !Objects.equals(param(a, k), param(b, k))).toList();
        if (differ.size() != 1) {
          continue;
        }
        Map<String, Double> fa = finalsBySeed(a);
        Map<String, Double> fb = finalsBySeed(b);
        double[] d = fa.keySet().stream().filter(fb::containsKey).mapToDouble(s -> fa.get(s) - fb.get(s)).toArray();
        raw.add(new Pair(a, b, differ.get(0), d, Stats.bootstrapMeanInterval(d, LEVEL, BOOTSTRAP_SEED),
            Stats.pairedTTestP(d), Stats.signFlipP(d, BOOTSTRAP_SEED), Double.NaN));
      }
    }
    double[] adjusted = Stats.holm(raw.stream().mapToDouble(Pair::tP).toArray());
    List<Pair> out = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      Pair p = raw.get(i);
      out.add(new Pair(p.a(), p.b(), p.differsIn(), p.differences(), p.interval(), p.tP(), p.signFlipP(), adjusted[i]));
    }
    return out;
  }

  private static String param(Group g, String key) {
    return g.runs().get(0).params().getOrDefault(key, "-");
  }

  private Map<String, Double> finalsBySeed(Group g) {
    Map<String, Double> out = new TreeMap<>();
    for (RunData r : g.runs()) {
      double f = finalOf(r);
      if (Double.isFinite(f)) {
        out.put(seedOf(r), f);
      }
    }
    return out;
  }

  /** The ranking and the pairwise table as Markdown. */
  String markdown(List<Group> groups, List<String> varying) {
    StringBuilder md = new StringBuilder();
    String better = direction == MetricDirection.MIN ? "lower is better" : "higher is better";
    md.append("\n## Ranking by ").append(metric).append(" (").append(better).append(")\n\n")
        .append("Final value per group: mean over seeds with a 95 % percentile-bootstrap interval (")
        .append(Stats.BOOTSTRAP_RESAMPLES).append(" resamples; with 3-5 seeds such intervals are too narrow rather than too wide). ")
        .append("AUC is the area under the curve over RL steps divided by its span (the mean level over RL; ")
        .append(better).append(").");
    threshold.ifPresent(t -> md.append(" Steps to ").append(fmt(t)).append(": the first evaluation at or past it, median over the seeds that reached it."));
    md.append("\n\n| rank | group | seeds | final mean | 95 % CI | AUC mean | AUC 95 % CI |");
    threshold.ifPresent(t -> md.append(" steps to ").append(fmt(t)).append(" (reached) |"));
    boolean diag = groups.stream().flatMap(g -> g.runs().stream()).anyMatch(r -> r.histories().containsKey(GRAD_VARIANCE));
    if (diag) {
      md.append(" grad variance | grad SNR |");
    }
    md.append("\n|---|---|---|---|---|---|---|").append(threshold.isPresent() ? "---|" : "").append(diag ? "---|---|" : "").append('\n');
    record Row(Group g, double[] finals, double[] aucs) {}
    List<Row> rows = new ArrayList<>();
    for (Group g : groups) {
      double[] finals = g.runs().stream().mapToDouble(this::finalOf).filter(Double::isFinite).toArray();
      double[] aucs = g.runs().stream().mapToDouble(r -> normalisedArea(curve(r))).filter(Double::isFinite).toArray();
      if (finals.length > 0) {
        rows.add(new Row(g, finals, aucs));
      }
    }
    Comparator<Row> byMean = Comparator.comparingDouble(r -> Stats.mean(r.finals()));
    rows.sort(direction == MetricDirection.MIN ? byMean : byMean.reversed());
    int rank = 1;
    for (Row r : rows) {
      md.append("| ").append(rank++).append(" | ").append(r.g().label()).append(" | ").append(r.finals().length)
          .append(" | ").append(fmt(Stats.mean(r.finals()))).append(" | ").append(interval(Stats.bootstrapMeanInterval(r.finals(), LEVEL, BOOTSTRAP_SEED)))
          .append(" | ").append(fmt(Stats.mean(r.aucs()))).append(" | ").append(interval(Stats.bootstrapMeanInterval(r.aucs(), LEVEL, BOOTSTRAP_SEED)))
          .append(" |");
      threshold.ifPresent(t -> {
        double[] reached = r.g().runs().stream().map(run -> stepsToThreshold(curve(run), t, direction))
            .filter(OptionalDouble::isPresent).mapToDouble(OptionalDouble::getAsDouble).sorted().toArray();
        md.append(' ').append(reached.length == 0 ? "-" : fmt0(Stats.quantile(reached, 0.5))).append(" (")
            .append(reached.length).append('/').append(r.g().runs().size()).append(") |");
      });
      if (diag) {
        md.append(' ').append(fmt(Stats.mean(r.g().runs().stream().mapToDouble(run -> meanOfRun(run, GRAD_VARIANCE)).filter(Double::isFinite).toArray())))
            .append(" | ").append(fmt(Stats.mean(r.g().runs().stream().mapToDouble(run -> meanOfRun(run, GRAD_SNR)).filter(Double::isFinite).toArray())))
            .append(" |");
      }
      md.append('\n');
    }
    if (diag) {
      md.append("\nGrad variance and SNR: each run's mean of `").append(GRAD_VARIANCE).append("` and `").append(GRAD_SNR)
          .append("` over its RL steps, then the mean over seeds.\n");
    }
    List<Pair> pairs = pairs(groups, varying);
    md.append("\n## Which differences are significant (paired by seed)\n\n");
    if (pairs.isEmpty()) {
      return md.append("No two groups differ in one param only; nothing to pair.\n").toString();
    }
    md.append("Every two groups that differ in one param only, compared on the final ").append(metric)
        .append(" of the seeds both have: mean difference (a − b) with its 95 % bootstrap interval, the paired t-test's two-sided p, ")
        .append("that p Holm-adjusted over all ").append(pairs.size()).append(" rows of this table, and the exact sign-flip test's p ")
        .append("(free of the t-test's normality assumption, but never below 2/2^n: 0.0625 with 5 seeds). ")
        .append("A verdict names the better group when the Holm-adjusted p is below ").append(fmt(ALPHA)).append(".\n\n")
        .append("| a | b | differs in | pairs | mean a − b | 95 % CI | t-test p | Holm p | sign-flip p | verdict |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Pair p : pairs) {
      double m = Stats.mean(p.differences());
      String verdict = !(p.holmP() < ALPHA) ? "not significant"
          : (direction == MetricDirection.MAX) == (m > 0) ? "a better" : "b better";
      md.append("| ").append(p.a().label()).append(" | ").append(p.b().label()).append(" | ").append(p.differsIn())
          .append(" | ").append(p.differences().length).append(" | ").append(fmt(m)).append(" | ").append(interval(p.interval()))
          .append(" | ").append(fmtP(p.tP())).append(" | ").append(fmtP(p.holmP())).append(" | ").append(fmtP(p.signFlipP()))
          .append(" | ").append(verdict).append(" |\n");
    }
    return md.toString();
  }

  static String fmt(double x) {
    return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.4f", x);
  }

  private static String fmt0(double x) {
    return String.format(Locale.ROOT, "%.0f", x);
  }

  static String fmtP(double p) {
    return Double.isNaN(p) ? "-" : p < 1e-4 ? "<0.0001" : String.format(Locale.ROOT, "%.4f", p);
  }

  static String interval(double[] ci) {
    return Double.isNaN(ci[0]) ? "-" : "[" + fmt(ci[0]) + ", " + fmt(ci[1]) + "]";
  }
}
