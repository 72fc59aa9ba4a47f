"""Plots and tabulates a benchmarks/scaling.sh run: step time and peak memory against size, per axis.

Reads the run's folder (matmul.jsonl, seqrl-*.jsonl, pytorch-*.jsonl: ModelBenchmark's and the peer's
JSON lines with their sizes), writes one PNG with a column per axis (batch, hidden, length, target
vocabulary) and three rows (MLE step time, SCST step time, peak RSS), log-log, SeqRL against PyTorch,
with the matmul FLOP lower bound (compare.case_flops at the point's sizes over the measured sgemm rate;
for SCST at the decoder steps SeqRL's sample ran, counted for every row: where rows end early, as
after little pre-training at a small vocabulary, SeqRL, which drops ended rows, can come in under it). A point's time is the median over rounds of the
per-round medians; the error bars span the per-round medians. Prints a Markdown section (and appends
it to --markdown) with the table and the picture.

--time cpu plots the timing thread's CPU time (both sides report it at one thread) and puts the bound at
the matmul rate per CPU second: on a loaded machine, where wall times say more about the other
processes than about either side, these still compare the two.
"""
import argparse
import datetime
import glob
import json
import os
import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402

import compare  # noqa: E402  (benchmarks/compare.py: the FLOP counts, CPU model, load average)

REFERENCE = {"batch": 32, "hidden": 256, "length": 20, "target_vocab": 30}
AXES = [("batch", "batch"), ("hidden", "hidden size"), ("length", "source length L (L to 1.5 L)"),
        ("target_vocab", "target vocabulary")]
CASES = [("mle_step", "MLE step"), ("scst_step", "SCST step")]
SIDES = [("seqrl", "SeqRL", "C0", "o"), ("pytorch", "PyTorch", "C1", "s")]


def load(folder):
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "*.jsonl"))):
        with open(path) as f:
            rows += [json.loads(line) for line in f if line.startswith("{")]
    return rows


def on_axis(row, axis):
    """The row's value on `axis` if every other size is the reference's, else None."""
    if any(row.get(k) != v for k, v in REFERENCE.items() if k != axis):
        return None
    return row.get(axis)


def summarize(rows, field):
    """{(side, case, sizes): {"rounds": [per-round median of `field`], "steps": [...]}}."""
    out = {}
    for r in rows:
        if "batch" not in r:
            continue
        sizes = tuple(r[k] for k in REFERENCE)
        side = r["side"]
        if r["case"] == "peak_rss":
            out.setdefault((side, "peak_rss", sizes), {"rounds": []})["rounds"].append(r["peak_rss_mb"])
        elif r["case"] in dict(CASES) and field in r:
            e = out.setdefault((side, r["case"], sizes), {"rounds": [], "steps": []})
            e["rounds"].append(r[field])
            if "decoder_steps" in r:
                e["steps"].append(r["decoder_steps"])
    return out


def bound_s(case, sizes, steps, gflops, attention):
    """The matmul FLOP lower bound in seconds at `sizes` (batch, hidden, length, target vocabulary)."""
    z = compare.sizes(*sizes)
    flops = compare.case_flops(case, attention, steps, z=z)
    return flops / (gflops * 1e9) if flops and gflops else None


def self_check():
    """The bound at the reference point is compare.py's (the benchmark harness's, run.sh's sizes), and it
    follows every axis: the plotted MLE bound was once the reference's at every point (issue 20)."""
    ref = tuple(REFERENCE.values())
    for case, steps in (("mle_step", None), ("scst_step", 33.0)):
        for attention in ("none", "additive"):
            harness = compare.case_flops(case, attention, steps) / 1e9
            assert abs(bound_s(case, ref, steps, 1.0, attention) - harness) < 1e-12 * harness, (case, attention)
    mle = lambda **kw: bound_s("mle_step", tuple({**REFERENCE, **kw}.values()), None, 1.0, "none")
    base = mle()
    # the count is linear in the batch, and grows with each of the other sizes
    assert abs(mle(batch=2 * REFERENCE["batch"]) - 2 * base) < 1e-9 * base
    for axis in ("hidden", "length", "target_vocab"):
        assert mle(**{axis: 2 * REFERENCE[axis]}) > base, axis


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="a benchmarks/results/scaling-<time> folder")
    ap.add_argument("--png", required=True)
    ap.add_argument("--label", default="full", help="what run this is, in the title and the section")
    ap.add_argument("--markdown", default=None, help="append the section to this file")
    ap.add_argument("--command", default="benchmarks/scaling.sh")
    ap.add_argument("--time", choices=["wall", "cpu"], default="wall",
                    help="wall: median_s and the wall-time matmul rate; cpu: cpu_median_s and the per-CPU-second rate")
    ap.add_argument("--load-average", default=None,
                    help="the run's load average at its end, when replotting later (default: this machine's now)")
    args = ap.parse_args()
    self_check()
    load_avg = args.load_average or compare.load_average()
    field, rate_field = ("median_s", "gflops") if args.time == "wall" else ("cpu_median_s", "cpu_gflops")
    rows = load(args.dir)
    rates = [r[rate_field] for r in rows if r.get("case") == "matmul_1024" and rate_field in r]
    gflops = statistics.median(rates) if rates else None
    threads = next((r["threads"] for r in rows if r.get("case") == "mle_step"), "?")
    attention = next((r["attention"] for r in rows if r.get("case") == "mle_step"), "none")
    s = summarize(rows, field)
    axes = [(a, name) for a, name in AXES if len({on_axis(dict(zip(REFERENCE, k[2])), a) for k in s} - {None}) > 1]

    fig, grid = plt.subplots(3, len(axes), figsize=(4.2 * len(axes), 10), squeeze=False)
    table = []
    for col, (axis, name) in enumerate(axes):
        xs = sorted({on_axis(dict(zip(REFERENCE, k[2])), axis) for k in s} - {None})
        sizes_at = {x: tuple(x if k == axis else v for k, v in REFERENCE.items()) for x in xs}
        for row, (case, title) in enumerate(CASES + [("peak_rss", "peak RSS")]):
            ax = grid[row][col]
            for side, label, color, marker in SIDES:
                pts = [(x, s[(side, case, sizes_at[x])]["rounds"]) for x in xs if (side, case, sizes_at[x]) in s]
                if not pts:
                    continue
                scale = 1 if case == "peak_rss" else 1000
                med = [statistics.median(v) * scale for _, v in pts]
                lo = [m - min(v) * scale for m, (_, v) in zip(med, pts)]
                hi = [max(v) * scale - m for m, (_, v) in zip(med, pts)]
                ax.errorbar([x for x, _ in pts], med, yerr=[lo, hi], color=color, marker=marker, capsize=3, label=label)
            if case != "peak_rss" and gflops:
                bx, by = [], []
                for x in xs:
                    e = s.get(("seqrl", case, sizes_at[x]))
                    steps = statistics.mean(e["steps"]) if e and e.get("steps") else None
                    b = bound_s(case, sizes_at[x], steps, gflops, attention)
                    if b:
                        bx.append(x)
                        by.append(b * 1000)
                rate = f"{gflops:.0f} GFLOP/s" + (" per CPU second" if args.time == "cpu" else "")
                ax.plot(bx, by, color="0.5", linestyle="--", label=f"matmul FLOP lower bound ({rate})")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xticks(xs)
            ax.set_xticklabels([f"{x // 1000}k" if x >= 10000 and x % 1000 == 0 else str(x) for x in xs])
            ax.xaxis.set_minor_locator(ticker.NullLocator())
            # 1-2-5 steps with plain numbers: a panel often spans less than a decade
            ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            ax.yaxis.set_minor_locator(ticker.NullLocator())
            ax.grid(True, which="major", alpha=0.3)
            ax.set_xlabel(name)
            ax.set_ylabel("peak RSS, MB" if case == "peak_rss" else f"{title}, {args.time} ms")
            ax.set_title(f"{title} vs {name}", fontsize=10)
        for x in xs:
            cells = []
            for case, _ in CASES:
                o = s.get(("seqrl", case, sizes_at[x]))
                p = s.get(("pytorch", case, sizes_at[x]))
                steps = statistics.mean(o["steps"]) if o and o.get("steps") else None
                b = bound_s(case, sizes_at[x], steps, gflops, attention)
                cells.append((o, p, b))
            mem = [s.get((side, "peak_rss", sizes_at[x])) for side, *_ in SIDES]
            table.append((name, x, cells, mem))
    title = (f"SeqRL vs PyTorch, scaling from batch 32, hidden 256, L 20, vocabulary 30; {threads} thread(s), "
             f"attention {attention}; {args.time} time; {args.label}")
    fig.suptitle(title + f"\n{compare.cpu_model()}, load average at the end {load_avg}", fontsize=11)
    # one legend for all panels, under the title: inside a panel it would cover some panel's points
    handles = {}
    for ax in grid.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(handles.values(), handles.keys(), loc="upper center", ncol=len(handles), fontsize=9,
               bbox_to_anchor=(0.5, 0.945), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.955))
    fig.savefig(args.png, dpi=110)

    ms = lambda e: "" if not e else (f"{statistics.median(e['rounds']) * 1000:.1f}"
                                     + (f" [{min(e['rounds']) * 1000:.1f}-{max(e['rounds']) * 1000:.1f}]"
                                        if len(e["rounds"]) > 1 else ""))
    ratio = lambda o, p: "" if not (o and p) else f"{statistics.median(p['rounds']) / statistics.median(o['rounds']):.2f}"
    mb = lambda e: "" if not e else f"{statistics.median(e['rounds']):.0f}"
    rounds = max((len(v["rounds"]) for v in s.values()), default=0)
    png = os.path.relpath(args.png, os.path.dirname(os.path.abspath(args.markdown)) if args.markdown else os.getcwd())
    lines = [
        f"### Scaling curves, {args.label} ({datetime.date.today().isoformat()})",
        "",
        f"Command: `{args.command}`. CPU: {compare.cpu_model()}; {threads} thread(s); matmul rate "
        + (f"{gflops:.1f} GFLOP/s" if gflops else "not measured")
        + f"; load average at the end: {load_avg}. {rounds} round(s), SeqRL and PyTorch interleaved per point;",
        f"time = {args.time} time (" + ("the timing thread's CPU time, " if args.time == "cpu" else "")
        + "median over rounds of the per-round median [min-max of those]); ratio = PyTorch / SeqRL (above 1: SeqRL faster);",
        "bound = matmul FLOPs (benchmarks/compare.py's count at the point's sizes; SCST at SeqRL's decoder steps for every row,",
        "which overcounts where rows end early) / the matmul rate;",
        "RSS = the process's peak resident size (the JVM's includes its heap as G1 sized it, -Xmx6g).",
        "",
        f"![scaling curves]({png})",
        "",
        "| axis | value | SeqRL MLE ms | PyTorch MLE ms | ratio | bound ms | SeqRL SCST ms | PyTorch SCST ms | ratio | bound ms "
        "| SeqRL RSS MB | PyTorch RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, x, cells, mem in table:
        parts = []
        for o, p, b in cells:
            parts += [ms(o), ms(p), ratio(o, p), "" if b is None else f"{b * 1000:.1f}"]
        lines.append(f"| {name} | {x} | " + " | ".join(parts) + f" | {mb(mem[0])} | {mb(mem[1])} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
