"""Tabulates a benchmarks/sweep-throughput.sh run and projects it to machines with more cores.

Reads the run's folder: one r<round>-p<P>-t<T>/ per sweep (meta.json from the harness: wall and CPU time
of the whole process tree, the largest process's peak RSS, the machine's CPU time meanwhile; sweep.log;
cells/*/summary.json and metrics.jsonl). A sweep counts only if it exited 0, ran every cell, and every
cell ran with T BLAS threads (its summary's openblas_num_threads).

Measured, per configuration (median over rounds [min-max]):
  cells/hour       = cells * 3600 / the sweep's wall time (start of ./seqrl to its end: JVM starts,
                     data, evaluations, checkpoints and the last cells' tail included);
  CPU utilisation  = CPU time (user + sys) of the sweep and its cells / (wall time * cores);
  per-cell rates   = the median over cells of each cell's median perf/pretrain_steps_per_s and
                     perf/rl_steps_per_s (one optimizer step, evaluation excluded);
  other load       = the machine's busy CPU time meanwhile minus the sweep's, over wall * CPUs: near 0 on a
                     quiet machine; more means something else ran and the row is not clean.

The projection (printed as such: it is a model, not a measurement) for N cores and a grid of G cells:
  slot(T)     = the time a cell holds its slot at T threads, measured with one cell at a time: the wall
                time of the (1, T) sweep / its cells;
  k           = slot at (P = cores here, T = 1) / slot at (1, 1): how much slower a cell runs when every core
                here runs one (memory bandwidth, shared L3, JIT and GC threads, the OS), the only contention
                evidence there is;
  s(T)        = slot(1) / slot(T), measured for the thread counts run here; beyond them Amdahl's law fitted
                to the largest measured one, s(T) = 1 / ((1 - f) + f / T), marked "extrapolated";
  sweep time  = ceil(G / P) * slot(T) * (k if P >= 2 else 1), with P = min(G, N // T) cells at once;
  cells/hour  = G * 3600 / sweep time.
It assumes that P cells on N cores contend as 2 cells on 2 cores do here. It cannot know a bigger
machine's memory bandwidth per core, its L3 per core and how its L3 is split (one per 8-core CCD on an
EPYC), its NUMA nodes, its clock under all-core load, nor BLAS threading beyond the thread counts run
here; the memory column (P * the largest process's peak RSS here) says whether the cells fit in RAM.
"""
import argparse
import datetime
import glob
import json
import math
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (benchmarks/compare.py: CPU model, load average)


def median_of_cell(path, key):
    values = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    v = json.loads(line).get("metrics", {}).get(key)
                    if v is not None:
                        values.append(v)
    return statistics.median(values) if values else None


def load_run(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        run = json.load(f)
    run["dir"] = folder
    run["cells"] = []
    log = ""
    if os.path.exists(os.path.join(folder, "sweep.log")):
        with open(os.path.join(folder, "sweep.log"), errors="replace") as f:
            log = f.read()
    m = re.search(r": (\d+) cells, (\d+) at a time", log)
    run["grid_cells"] = int(m.group(1)) if m else None
    for path in sorted(glob.glob(os.path.join(folder, "cells", "*", "summary.json"))):
        with open(path) as f:
            s = json.load(f)
        cell_dir = os.path.dirname(path)
        metrics = os.path.join(cell_dir, "metrics.jsonl")
        run["cells"].append({
            "name": os.path.basename(cell_dir),
            "wall_s": s.get("wall_time_s"),
            "steps": s.get("steps", {}).get("total"),
            "threads": s.get("versions", {}).get("openblas_num_threads"),
            "pretrain_rate": median_of_cell(metrics, "perf/pretrain_steps_per_s"),
            "rl_rate": median_of_cell(metrics, "perf/rl_steps_per_s"),
        })
    problems = []
    if run["exit_code"] != 0:
        problems.append(f"exit code {run['exit_code']}")
    if run["grid_cells"] is None or len(run["cells"]) != run["grid_cells"]:
        problems.append(f"{len(run['cells'])} finished cells of {run['grid_cells']}")
    wrong = [c["name"] for c in run["cells"] if str(c["threads"]) != str(run["threads"])]
    if wrong:
        problems.append(f"{len(wrong)} cell(s) ran with other than {run['threads']} BLAS thread(s)")
    if run.get("wall_s") is None:
        problems.append("no time measured")
    run["problems"] = problems
    if not problems:
        g, wall = run["grid_cells"], run["wall_s"]
        cpu = run["user_s"] + run["sys_s"]
        run["cells_per_hour"] = g * 3600 / wall
        run["utilisation"] = cpu / (wall * run["usable_cores"])
        run["slot_s"] = wall * min(run["parallel"], g) / g
        run["cell_wall_s"] = statistics.median(c["wall_s"] for c in run["cells"])
        rates = [c["pretrain_rate"] for c in run["cells"] if c["pretrain_rate"]]
        run["pretrain_rate"] = statistics.median(rates) if rates else None
        rates = [c["rl_rate"] for c in run["cells"] if c["rl_rate"]]
        run["rl_rate"] = statistics.median(rates) if rates else None
        run["other_load"] = max(0.0, run["machine_busy_s"] - cpu) / (wall * run["machine_cpus"])
    return run


def spread(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return ""
    text = fmt.format(statistics.median(values))
    if len(values) > 1:
        text += " [" + fmt.format(min(values)) + "-" + fmt.format(max(values)) + "]"
    return text


def default_config(cores, grid):
    """What `seqrl sweep` picks without --parallel, sweep.parallel or SEQRL_CELL_THREADS (SweepConfig, SweepCommand)."""
    p = max(1, cores)  # one cell per core (memory permitting: SweepConfig.defaultParallel, not modelled here)
    return p, max(1, cores // max(1, min(p, grid)))


class Model:
    """The projection's inputs, from the measured sweeps; None where a configuration it needs is missing."""

    def __init__(self, by_config, cores):
        med = lambda key, field: statistics.median(r[field] for r in by_config[key]) if by_config.get(key) else None
        self.slot = {t: med((1, t), "slot_s") for p, t in by_config if p == 1}
        self.slot = {t: v for t, v in self.slot.items() if v}
        self.contention_p = max((p for p, t in by_config if t == 1 and p >= 2 and p <= cores), default=None)
        self.k = None
        self.step_ratio = {}
        if 1 in self.slot and self.contention_p:
            self.k = med((self.contention_p, 1), "slot_s") / self.slot[1]
            for field in ("pretrain_rate", "rl_rate"):
                alone, busy = med((1, 1), field), med((self.contention_p, 1), field)
                if alone and busy:
                    self.step_ratio[field] = alone / busy
        self.t_max = max(self.slot, default=None)
        self.f = None
        if 1 in self.slot and self.t_max and self.t_max > 1:
            s = self.slot[1] / self.slot[self.t_max]
            self.f = min(1.0, max(0.0, (1 - 1 / s) / (1 - 1 / self.t_max)))

    def ready(self):
        return 1 in self.slot and self.k is not None

    def slot_at(self, t):
        """(seconds, how it is known) for a cell alone at t threads."""
        if t in self.slot:
            return self.slot[t], "measured"
        if self.f is None:
            return None, None
        return self.slot[1] * ((1 - self.f) + self.f / t), "extrapolated"

    def sweep(self, cores, grid, p, t):
        slot, basis = self.slot_at(t)
        if slot is None:
            return None
        p = min(p, grid, cores // t)
        seconds = math.ceil(grid / p) * slot * (self.k if p >= 2 else 1.0)
        return {"p": p, "t": t, "slot": slot, "seconds": seconds, "cells_per_hour": grid * 3600 / seconds, "basis": basis}


def projection(model, cores, grid):
    rows = []
    t = 1
    while t <= cores:
        row = model.sweep(cores, grid, cores // t, t)
        if row:
            rows.append(row)
        t *= 2
    d = model.sweep(cores, grid, *default_config(cores, grid))
    return rows, d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="a benchmarks/results/sweep-throughput-<time> folder")
    ap.add_argument("--project", default="16,64", help="core counts to project to, e.g. 16,64")
    ap.add_argument("--grids", default="", help="grid sizes for the projection (default: this sweep's and 256)")
    ap.add_argument("--label", default="full")
    ap.add_argument("--command", default="")
    ap.add_argument("--png", default=None)
    ap.add_argument("--markdown", default=None, help="append the section to this file")
    args = ap.parse_args()

    runs = [load_run(os.path.dirname(p)) for p in sorted(glob.glob(os.path.join(args.dir, "r*-p*-t*", "meta.json")))]
    if not runs:
        sys.exit(f"sweep_throughput.py: no r<round>-p<P>-t<T>/meta.json in {args.dir}")
    cores = runs[0]["cores"]
    usable = runs[0]["usable_cores"]
    good = [r for r in runs if not r["problems"]]
    by_config = {}
    for r in good:
        by_config.setdefault((r["parallel"], r["threads"]), []).append(r)
    grid = next((r["grid_cells"] for r in good), None) or 8
    rounds = max((r["round"] for r in runs), default=0)
    d_p, d_t = default_config(cores, grid)

    lines = [
        f"### Sweep throughput, {args.label} ({datetime.date.today().isoformat()})",
        "",
        f"Command: `{args.command}`. CPU: {compare.cpu_model()}; configurations for {cores} cores, the process may use "
        f"{usable}; {rounds} round(s), every configuration once per round (order reversed every other round); load "
        f"average at the end: {compare.load_average()}. The sweep: `benchmarks/sweep-throughput.yaml`, {grid} cells, "
        "with `--no-tracking`. Median over rounds [min-max]; P = cells at once (`--parallel`), T = BLAS threads per "
        "cell (`SEQRL_CELL_THREADS`); CPU = user + sys of the sweep and its cells over wall time x cores; step rates are "
        "one cell's median steps/s (evaluation excluded); RSS = the largest process's peak; other load = the rest of "
        "the machine's busy CPU time over wall x CPUs (near 0: quiet).",
        "",
        "| P | T | cores used | rounds | sweep wall s | cells/hour | CPU utilisation | cell wall s | MLE steps/s per cell "
        "| RL steps/s per cell | peak RSS MB | other load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (p, t), rs in sorted(by_config.items()):
        mark = " (default)" if (p, t) == (d_p, d_t) else ""
        lines.append(
            f"| {p}{mark} | {t} | {p * t} | {len(rs)} | {spread([r['wall_s'] for r in rs], '{:.0f}')} "
            f"| {spread([r['cells_per_hour'] for r in rs], '{:.0f}')} | {spread([r['utilisation'] * 100 for r in rs], '{:.0f} %')} "
            f"| {spread([r['cell_wall_s'] for r in rs], '{:.1f}')} | {spread([r['pretrain_rate'] for r in rs], '{:.1f}')} "
            f"| {spread([r['rl_rate'] for r in rs], '{:.1f}')} | {spread([r['max_rss_kb'] / 1024 for r in rs], '{:.0f}')} "
            f"| {spread([r['other_load'] * 100 for r in rs], '{:.0f} %')} |")
    for r in runs:
        if r["problems"]:
            lines.append(f"\nLeft out: {os.path.basename(r['dir'])}: {'; '.join(r['problems'])} (see its sweep.log).")
    lines.append("")

    # Does the measurement say the default should change?
    cph = lambda key: [r["cells_per_hour"] for r in by_config.get(key, [])]
    best = max(by_config, key=lambda k: statistics.median(cph(k)), default=None)
    if best is None:
        lines.append("No sweep finished cleanly: nothing to compare.")
    elif (d_p, d_t) not in by_config:
        lines.append(f"The default here (P = {d_p}, T = {d_t}) was not run: no verdict on it.")
    elif best == (d_p, d_t):
        lines.append(f"**The default (`sweep.parallel: 0` = one cell per core = {d_p} cell(s) at once, {d_t} thread(s) "
                     "each) is the fastest configuration measured here.**")
    else:
        gain = statistics.median(cph(best)) / statistics.median(cph((d_p, d_t)))
        if min(len(cph(best)), len(cph((d_p, d_t)))) < 2:
            verdict = "one round of each: no spread to judge a change by; run 2 rounds or more.**"
        elif min(cph(best)) > max(cph((d_p, d_t))):
            verdict = "every round of it beat every round of the default: the measurement says the default should change.**"
        else:
            verdict = "the rounds overlap: within this run's spread, no measured reason to change the default.**"
        lines.append(f"**Best measured: P = {best[0]}, T = {best[1]}: {gain:.2f}x the cells/hour of the default "
                     f"(P = {d_p}, T = {d_t}); " + verdict)
    lines.append("")

    model = Model(by_config, cores)
    if not model.ready():
        lines.append("No projection: it needs the (1, 1) sweep and one with every core busy at one thread each.")
    else:
        thread_text = ", ".join(f"s({t}) = {model.slot[1] / model.slot[t]:.2f}" for t in sorted(model.slot) if t > 1)
        steps = ", ".join(f"{'MLE' if k == 'pretrain_rate' else 'RL'} steps {v:.2f}x slower"
                          for k, v in model.step_ratio.items())
        lines += [
            "**Projection (a model, not a measurement).** A cell's slot time alone: "
            + ", ".join(f"{model.slot[t]:.1f} s at {t} thread(s)" for t in sorted(model.slot))
            + (f" ({thread_text}; Amdahl fit to it: parallel fraction f = {model.f:.2f}, used for thread counts not run "
               "here)" if model.f is not None else " (no thread speed-up measured: one thread only)")
            + f". Contention with all {model.contention_p} cores busy at one thread per cell: k = {model.k:.2f}"
            + (f" ({steps} than alone)" if steps else "")
            + f"; the model takes that k for every P >= 2 on any machine. Sweep time = ceil(G / P) x slot(T) x k, "
            "P = min(G, N / T); cells/hour = G x 3600 / sweep time. It cannot know a bigger machine's memory bandwidth "
            "and L3 per core (on a Zen 3/4 EPYC each 8-core CCD shares one L3), NUMA, all-core clock, or BLAS threading past "
            f"{model.t_max} thread(s); memory = P x the largest process's peak RSS here.",
            "",
            *([f"Under this model, on 2 cores one cell per core (2, 1) beats one cell on both (1, 2) when k < 2 / s(2); here "
               f"k = {model.k:.2f} and 2 / s(2) = {2 * model.slot[2] / model.slot[1]:.2f}. On N cores with a grid of at "
               "least N cells, N cells at 1 thread beat N / 2 cells at 2 threads when s(2) < 2 (both pay k).", ""]
              if 2 in model.slot else []),
            "| cores N | grid G | P | T | cores busy | slot(T) s | basis | sweep min | cells/hour | memory GB |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        rss_gb = statistics.median(r["max_rss_kb"] for r in good) / 1024 / 1024
        grids = [int(g) for g in args.grids.split(",") if g] or sorted({grid, 256})
        targets = sorted({cores} | {int(n) for n in args.project.split(",")})
        summary = []
        for n in targets:
            for g in grids:
                rows, d = projection(model, n, g)
                best_row = max(rows, key=lambda r: r["cells_per_hour"])
                for r in rows + ([d] if d and all((d["p"], d["t"]) != (r["p"], r["t"]) for r in rows) else []):
                    notes = []
                    if r is best_row:
                        notes.append("best")
                    if d and (r["p"], r["t"]) == (d["p"], d["t"]):
                        notes.append("default")
                    lines.append(
                        f"| {n} | {g} | {r['p']} | {r['t']} | {r['p'] * r['t']} | {r['slot']:.1f} "
                        f"| {r['basis']} | {r['seconds'] / 60:.1f} | {r['cells_per_hour']:.0f}"
                        + (f" ({', '.join(notes)})" if notes else "") + f" | {r['p'] * rss_gb:.1f} |")
                summary.append((n, g, best_row, d))
        lines.append("")
        for n, g, b, d in summary:
            if d:
                lines.append(f"- {n} cores, {g} cells: best P = {b['p']}, T = {b['t']} ({b['cells_per_hour']:.0f} cells/h); "
                             f"the default P = {d['p']}, T = {d['t']}: {d['cells_per_hour']:.0f} cells/h "
                             f"(the best makes {b['cells_per_hour'] / d['cells_per_hour']:.2f}x as many)"
                             if (b["p"], b["t"]) != (d["p"], d["t"]) else
                             f"- {n} cores, {g} cells: the default P = {d['p']}, T = {d['t']} is the model's best "
                             f"({d['cells_per_hour']:.0f} cells/h)")
    lines.append("")

    if args.png:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("sweep_throughput.py: no matplotlib here, so no plot", file=sys.stderr)
        else:
            keys = sorted(by_config)
            if keys:
                fig, ax = plt.subplots(figsize=(max(4, 1.3 * len(keys) + 2), 3.5))
                meds = [statistics.median(cph(k)) for k in keys]
                lo = [m - min(cph(k)) for m, k in zip(meds, keys)]
                hi = [max(cph(k)) - m for m, k in zip(meds, keys)]
                ax.bar([f"P={p}, T={t}" for p, t in keys], meds, yerr=[lo, hi], capsize=4,
                       color=["C1" if k == (d_p, d_t) else "C0" for k in keys])
                ax.set_ylabel("cells / hour")
                ax.set_title(f"Sweep throughput, {args.label}: {grid} cells on {cores} cores (orange: the default)",
                             fontsize=9)
                fig.tight_layout()
                fig.savefig(args.png, dpi=110)
                png = os.path.relpath(args.png, os.path.dirname(os.path.abspath(args.markdown)) if args.markdown
                                      else os.getcwd())
                lines += [f"![sweep throughput]({png})", ""]

    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
