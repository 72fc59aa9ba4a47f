#!/usr/bin/env python3
"""Tables of a finished cells sweep (examples/cells.yaml, docs/cells.md) from its cells' summary.json files.

Per task, one row per grid cell without its seed (cell kind, decoder layers, ...): mean ± std over seeds of the final dev metrics, the
wall time of a run (MLE steps plus evaluations, one process), and each seed's value of the first metric.
Then each cell against gru with the same other settings, paired by seed (mean difference and the seeds on
which the cell was better), so that "mutant >= GRU" claims can be read off. No server needed.
Usage: scripts/cells-table.py runs/cells [--plot FILE.png] [metric ...]   (default: levenshtein_rate exact_match)
--plot draws the first metric, one panel per task, a bar per cell and setting with its seeds as dots
(needs matplotlib: run it with .venv/bin/python).
"""
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def mean_std(xs, digits=3):
    if not xs:
        return "n/a"
    if len(xs) == 1:
        return f"{xs[0]:.{digits}f}"
    return f"{statistics.mean(xs):.{digits}f} ± {statistics.stdev(xs):.{digits}f}"


def params(name):
    return dict(p.split("=", 1) for p in name.split(","))


def main():
    args = sys.argv[1:]
    plot = None
    if "--plot" in args:
        i = args.index("--plot")
        plot = args[i + 1]
        del args[i:i + 2]
    sweep = Path(args[0])
    metrics = args[1:] or ["levenshtein_rate", "exact_match"]
    runs = defaultdict(dict)  # (task, cell, layers) -> seed -> summary
    order = []
    for summary in sorted(sweep.glob("cells/*/summary.json")):
        p = params(summary.parent.name)
        rest = ", ".join(f"{k}={v}" for k, v in p.items() if k not in ("data.task", "model.cell", "seed"))
        key = (p.get("data.task", "reverse"), p.get("model.cell", "gru"), rest)
        if key not in runs:
            order.append(key)
        runs[key][p.get("seed", "?")] = json.loads(summary.read_text())
    directions = {}
    for by_seed in runs.values():
        for s in by_seed.values():
            directions.update(s.get("directions", {}))
    arrow = {"max": " ↑", "min": " ↓"}
    first = metrics[0]
    for task in dict.fromkeys(k[0] for k in order):
        print(f"\n### {task}\n")
        print("| cell | other settings | seeds | " + " | ".join(m + arrow.get(directions.get(m), "") for m in metrics)
              + f" | {first} per seed | wall time per run, s |")
        print("|---|---|---|" + "---|" * (len(metrics) + 2))
        for key in order:
            if key[0] != task:
                continue
            by_seed = runs[key]
            cols = [mean_std([s["final"][m] for s in by_seed.values() if m in s["final"]]) for m in metrics]
            per_seed = ", ".join(f"{by_seed[k]['final'][first]:.3f}" for k in sorted(by_seed))
            wall = mean_std([s["wall_time_s"] for s in by_seed.values() if "wall_time_s" in s], 1)
            print(f"| {key[1]} | {key[2]} | {len(by_seed)} | " + " | ".join(cols) + f" | {per_seed} | {wall} |")
        better = directions.get(first, "min")
        print(f"\nAgainst gru with the same other settings, paired by seed ({first}; a cell 'wins' a seed when it is"
              f" {'lower' if better == 'min' else 'higher'}):\n")
        print(f"| cell | other settings | mean difference (cell − gru) | seeds won |")
        print("|---|---|---|---|")
        for key in order:
            if key[0] != task or key[1] == "gru":
                continue
            gru = runs.get((task, "gru", key[2]), {})
            seeds = sorted(set(gru) & set(runs[key]))
            if not seeds:
                continue
            diffs = [runs[key][s]["final"][first] - gru[s]["final"][first] for s in seeds]
            won = sum(1 for d in diffs if (d < 0 if better == "min" else d > 0))
            print(f"| {key[1]} | {key[2]} | {statistics.mean(diffs):+.3f} | {won} of {len(seeds)} |")
    if plot:
        draw(plot, runs, order, first, directions.get(first, "min"))


def draw(path, runs, order, metric, direction):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    tasks = list(dict.fromkeys(k[0] for k in order))
    settings = list(dict.fromkeys(k[2] for k in order))
    cells = list(dict.fromkeys(k[1] for k in order))
    fig, axes = plt.subplots(1, len(tasks), figsize=(6.5 * len(tasks), 4.2), squeeze=False)
    width = 0.8 / len(settings)
    for ax, task in zip(axes[0], tasks):
        for j, setting in enumerate(settings):
            xs, means, stds = [], [], []
            for i, cell in enumerate(cells):
                by_seed = runs.get((task, cell, setting))
                if not by_seed:
                    continue
                values = [s["final"][metric] for s in by_seed.values()]
                x = i + (j - (len(settings) - 1) / 2) * width
                xs.append(x)
                means.append(statistics.mean(values))
                stds.append(statistics.stdev(values) if len(values) > 1 else 0.0)
                ax.plot([x] * len(values), values, "k.", markersize=3, zorder=3)
            ax.bar(xs, means, width, yerr=stds, capsize=2, label=setting or "default", alpha=0.85)
        ax.set_xticks(range(len(cells)))
        ax.set_xticklabels(cells, rotation=30, ha="right")
        ax.set_title(task)
        ax.set_ylabel(f"dev {metric} ({'lower' if direction == 'min' else 'higher'} is better)")
        ax.grid(axis="y", alpha=0.3)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.45)  # room for the legend above the bars
    axes[0][0].legend(fontsize=8, title="bars: mean ± std over seeds; dots: seeds", title_fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"\nplot: {path}")


if __name__ == "__main__":
    main()
