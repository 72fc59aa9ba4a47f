#!/usr/bin/env python3
"""Summarises a finished sweep directory from its cells' summary.json files (no server needed).

For every cell group (the cell name without its seed) prints mean ± std over seeds of the dev
metrics at the start of RL (the shared MLE model) and at the end, and the change. Markdown.
Usage: scripts/sweep-summary.py runs/study [metric ...]
"""
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def mean_std(xs):
    if not xs:
        return "n/a"
    if len(xs) == 1:
        return f"{xs[0]:.4f}"
    return f"{statistics.mean(xs):.4f} ± {statistics.stdev(xs):.4f}"


def main():
    sweep = Path(sys.argv[1])
    metrics = sys.argv[2:] or ["levenshtein_rate", "exact_match", "bleu"]
    groups = defaultdict(list)
    for summary in sorted(sweep.glob("cells/*/summary.json")):
        name = summary.parent.name
        key = ",".join(p for p in name.split(",") if not p.startswith("seed="))
        groups[key].append(json.loads(summary.read_text()))
    # Which way each metric improves comes from the runs themselves (summary.json "directions",
    # written from the evaluator's one definition); marked as (↑) or (↓) in the header.
    directions = {}
    for runs in groups.values():
        for r in runs:
            directions.update(r.get("directions", {}))
    arrow = {"max": " (↑ better)", "min": " (↓ better)"}

    def label(m):
        return m + arrow.get(directions.get(m), "")

    header = "| cell (n seeds) | " + " | ".join(
        f"{label(m)} at RL start | {m} final | Δ {m}" for m in metrics) + " |"
    print(header)
    print("|" + "---|" * (1 + 3 * len(metrics)))
    for key, runs in groups.items():
        cols = []
        for m in metrics:
            before = [r["before_rl"][m] for r in runs if m in r["before_rl"]]
            after = [r["final"][m] for r in runs if m in r["final"]]
            delta = [r["final"][m] - r["before_rl"][m] for r in runs if m in r["final"] and m in r["before_rl"]]
            cols += [mean_std(before), mean_std(after), mean_std(delta)]
        print(f"| {key} ({len(runs)}) | " + " | ".join(cols) + " |")


if __name__ == "__main__":
    main()
