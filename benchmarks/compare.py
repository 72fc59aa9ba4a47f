"""Joins SeqRL's and the PyTorch peer's JSON-lines results into one table.

Writes the table to stdout, the joined rows as JSON, and appends a section to BENCHMARKS.md.
ratio = peer time / SeqRL time: above 1 means SeqRL is faster. The lower bound is the case's
matrix-multiply work (a rough count, below) divided by this CPU's measured float32 matmul rate.
"""
import argparse
import datetime
import json
import os
import platform
import statistics

B, S, E, H, V, A = 32, 25, 64, 256, 30, 256


def sizes(batch=B, hidden=H, length=20, target_vocab=V):
    """The FLOP counts' sizes for ModelBenchmark's --batch/--hidden/--length/--target-vocab: sources of
    length L to 1.5 L (mean S = 1.25 L), attention width = hidden. The defaults give the reference setup."""
    return {"B": batch, "S": 1.25 * length, "E": E, "H": hidden, "V": target_vocab, "A": hidden}


REFERENCE = sizes()


def encoder_flops(z=REFERENCE):
    b, s, e, h = z["B"], z["S"], z["E"], z["H"]
    per_step = 2 * b * (e * 3 * h + h * 3 * h)
    return s * per_step + 2 * b * h * h  # recurrence + bridge


def decoder_flops(steps, attention, rows=None, z=REFERENCE):
    b, s, e, h, v, a = z["B"], z["S"], z["E"], z["H"], z["V"], z["A"]
    rows = b if rows is None else rows
    ctx = h if attention == "additive" else 0
    per_step = 2 * rows * ((e + ctx) * 3 * h + h * 3 * h + h * v)
    if attention == "additive":
        per_step += 2 * rows * (h * a + s * a + s * h)  # query projection, scores, context
    keys = 2 * b * s * h * a if attention == "additive" else 0
    return steps * per_step + keys


# The transformer of `run.sh --model transformer` (Seq2SeqConfig.Transformer.defaults()): width D,
# feed-forward F, L_E encoder and L_D decoder layers, the tied output over V; S source tokens (the
# mean length), a multiply-add is 2 FLOPs, the number of heads changes no count.
D, F, L_E, L_D = 256, 1024, 2, 2


def transformer_encoder_flops():
    """B*S*L_E*(8D^2 + 4DF + 4SD): per source token and layer, the q/k/v projection (2*D*3D), the
    output projection (2*D*D), the feed-forward (2*2*D*F), and attention over the S keys (scores
    2*S*D, weighted values 2*S*D); plus the cross-attention keys and values of every decoder layer,
    once per source token (2*D*2D each): B*S*L_D*4D^2."""
    return B * S * L_E * (8 * D * D + 4 * D * F + 4 * S * D) + B * S * L_D * 4 * D * D


def transformer_decoder_flops(steps, rows=B):
    """rows*steps*(L_D*(12D^2 + 4DF + 4SD) + 2DV) + rows*L_D*4D*steps(steps+1)/2: per decoded
    position and layer, the self-attention q/k/v and output projections (8D^2), the cross-attention
    query and output projections (4D^2), the feed-forward (4DF) and cross-attention over the S
    source keys (4SD); the tied output layer (2DV); and causal self-attention, which at position t
    (1-based) reads t cached keys and values (4tD)."""
    per_step = L_D * (12 * D * D + 4 * D * F + 4 * S * D) + 2 * D * V
    return rows * steps * per_step + rows * L_D * 4 * D * steps * (steps + 1) // 2


def transformer_case_flops(case, steps):
    """Training counts forward + backward as 3x the forward. SCST: the encoder pass and the sample
    trained (3x), the greedy baseline forward only (1x), both `steps` long."""
    if case == "mle_step":
        return 3 * (transformer_encoder_flops() + transformer_decoder_flops(S + 1))
    steps = steps or 35  # without a measurement: the length cap
    if case == "scst_step":
        return 3 * transformer_encoder_flops() + 3 * transformer_decoder_flops(steps) + transformer_decoder_flops(steps)
    if case == "greedy_batch":
        return transformer_encoder_flops() + transformer_decoder_flops(steps)
    if case == "beam5_batch":
        return transformer_encoder_flops() + transformer_decoder_flops(steps, rows=5 * B)
    return None


def case_flops(case, attention, steps, model="recurrent", *, z=REFERENCE):
    """Rough forward+backward matmul FLOPs (backward counted as twice the forward) for `steps` decoder steps.
    `z` (sizes(...)) is keyword-only: passed in `model`'s place it used to be taken as a model name and the
    count fell back to the reference sizes at every point of a scaling run."""
    if model not in ("recurrent", "transformer"):
        raise ValueError(f"model {model!r}: expected recurrent or transformer")
    if model == "transformer":
        return transformer_case_flops(case, steps)
    if case == "mle_step":
        return 3 * (encoder_flops(z) + decoder_flops(z["S"] + 1, attention, z=z))
    steps = steps or (z["S"] * 1.2 + 5)  # without a measurement: the length cap (35 at the reference sizes)
    if case == "scst_step":
        # sample (forward, then forward + backward in the update) and greedy, both about `steps` long
        return 4 * encoder_flops(z) + 3 * decoder_flops(steps, attention, z=z) + decoder_flops(steps, attention, z=z)
    if case == "greedy_batch":
        return encoder_flops(z) + decoder_flops(steps, attention, z=z)
    if case == "beam5_batch":
        return encoder_flops(z) + decoder_flops(steps, attention, rows=5 * z["B"], z=z)
    return None


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    return rows


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_count():
    """How many logical CPUs the run could use and how many the machine has, e.g. "1 of 2 logical CPUs
    usable by the run". The first is this process's CPU affinity, which it shares with the run.sh that
    started it: taskset narrows it. (nproc, which this replaced, printed that count alone as "N cores",
    and lowers it further to OMP_NUM_THREADS when that is set.)"""
    total = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else total
    return f"{usable} of {total} logical CPU{'' if total == 1 else 's'} usable by the run (its CPU affinity, as taskset sets it)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", nargs="+", required=True)
    ap.add_argument("--peer", nargs="+", required=True)
    ap.add_argument("--json-out", required=True)
    ap.add_argument("--markdown", default=None, help="append the section to this file")
    ap.add_argument("--command", default="benchmarks/run.sh")
    args = ap.parse_args()
    ours = [r for p in args.ours for r in load(p)]
    peer = [r for p in args.peer for r in load(p)]
    rate = {}
    for r in ours:
        if r["case"] == "matmul_1024":
            rate.setdefault(str(r["threads"]), []).append(r["gflops"])
    rate = {k: statistics.median(v) for k, v in rate.items()}
    blas = next((r.get("blas", "?") for r in ours if r["case"] == "matmul_1024"), "?")
    memory = [r for r in ours if r["case"] == "memory"]
    # parameter counts per model and side, where the peer reports its count too (the transformer's): they must agree
    counts = {}
    for r in ours + peer:
        if r["case"] == "parameters" and r.get("parameters", -1) >= 0:
            counts.setdefault(f"{r.get('model', 'recurrent')}/{r['attention']}", {})[r.get("side", "?")] = r["parameters"]
    counts = {k: v for k, v in counts.items() if len(v) > 1}
    timing = lambda r: r["case"] not in ("matmul_1024", "memory", "parameters", "peak_rss")
    # One row per case, attention and thread count; each side may have several rounds (run.sh runs
    # the two sides interleaved, A B A B), paired in file order: round k of SeqRL with round k of
    # each peer, so that a per-round ratio compares two runs made minutes apart.
    key = lambda r: (r.get("model", "recurrent"), r["case"], r["attention"], str(r["threads"]))
    groups = {}
    for r in ours:
        if timing(r):
            g = groups.setdefault(key(r), {"ours": [], "pytorch": [], "pytorch-compile": [], "samediff": []})
            # the SameDiff engine's rows (run.sh --samediff) go beside the fast engine's, not into its rounds
            (g["samediff"] if r.get("side") == "seqrl-samediff" else g["ours"]).append(r)
    for p in peer:
        if timing(p) and key(p) in groups:
            groups[key(p)].setdefault(p.get("side", "pytorch"), []).append(p)
    joined = []
    for (model, case, attention, threads), g in groups.items():
        o, pt = g["ours"], g["pytorch"]
        if not pt or not o:
            continue
        steps = statistics.mean(r["decoder_steps"] for r in o) if "decoder_steps" in o[0] else None
        flops = case_flops(case, attention, steps, model)
        gf = rate.get(threads)
        bound = flops / (gf * 1e9) if flops and gf else None
        row = {
            "model": model, "case": case, "attention": attention, "threads": o[0]["threads"], "rounds": min(len(o), len(pt)),
            "ours_round_medians_s": [r["median_s"] for r in o], "ours_s": statistics.median(r["median_s"] for r in o),
            "ours_q1_s": o[0]["q1_s"], "ours_q3_s": o[0]["q3_s"],
            "peer": "pytorch " + pt[0].get("version", ""), "peer_round_medians_s": [p["median_s"] for p in pt],
            "peer_s": statistics.median(p["median_s"] for p in pt), "peer_q1_s": pt[0]["q1_s"], "peer_q3_s": pt[0]["q3_s"],
            "round_ratios": [p["median_s"] / r["median_s"] for r, p in zip(o, pt)],
            "lower_bound_s": bound, "gflop": flops / 1e9 if flops else None,
            "ours_decoder_steps": steps,
            "peer_decoder_steps": statistics.mean(p["decoder_steps"] for p in pt) if "decoder_steps" in pt[0] else None,
            "peer_loop_steps": statistics.mean(p["loop_steps"] for p in pt) if "loop_steps" in pt[0] else None,
            "scst_update": pt[0].get("scst_update"),
        }
        row["ratio"] = statistics.median(row["round_ratios"])
        # CPU time of the timing thread, where both sides report it (the transformer's): on a loaded
        # machine it moves much less with other processes than wall time does; at 1 thread it is the work
        if all("cpu_median_s" in r for r in o) and all("cpu_median_s" in p for p in pt):
            row["ours_cpu_s"] = statistics.median(r["cpu_median_s"] for r in o)
            row["peer_cpu_s"] = statistics.median(p["cpu_median_s"] for p in pt)
            row["cpu_round_ratios"] = [p["cpu_median_s"] / r["cpu_median_s"] for r, p in zip(o, pt)]
            row["cpu_ratio"] = statistics.median(row["cpu_round_ratios"])
        pc = g.get("pytorch-compile") or []
        if pc:
            row["compiled_round_medians_s"] = [p["median_s"] for p in pc]
            row["compiled_s"] = statistics.median(row["compiled_round_medians_s"])
            row["compiled_round_ratios"] = [p["median_s"] / r["median_s"] for r, p in zip(o, pc)]
            row["compiled_ratio"] = statistics.median(row["compiled_round_ratios"])
        sd = g.get("samediff") or []
        if sd:
            row["samediff_round_medians_s"] = [r["median_s"] for r in sd]
            row["samediff_s"] = statistics.median(row["samediff_round_medians_s"])
            row["samediff_round_cost"] = [s["median_s"] / r["median_s"] for r, s in zip(o, sd)]
            row["samediff_cost"] = statistics.median(row["samediff_round_cost"])
            row["samediff_decoder_steps"] = (statistics.mean(r["decoder_steps"] for r in sd)
                                             if "decoder_steps" in sd[0] else None)
        joined.append(row)
    with open(args.json_out, "w") as f:
        json.dump({"date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "cpu": cpu_model(),
                   "matmul_gflops": rate, "parameters": counts, "rows": joined, "memory": memory}, f, indent=2)
    ms = lambda s: f"{s * 1000:.1f}"
    spread = lambda xs, f: f(statistics.median(xs)) + (f" [{f(min(xs))}-{f(max(xs))}]" if len(xs) > 1 else "")
    compiled = any("compiled_s" in j for j in joined)
    samediff = any("samediff_s" in j for j in joined)
    rounds = max((j["rounds"] for j in joined), default=1)
    cpu = any("cpu_ratio" in j for j in joined)
    models = sorted({j["model"] for j in joined})
    title = "Transformer steps" if models == ["transformer"] else "Model steps"
    lines = [
        f"### {title} vs PyTorch ({datetime.date.today().isoformat()})",
        "",
        f"Command: `{args.command}`. CPU: {cpu_model()}, {cpu_count()}. "
        f"Measured float32 matmul rate (SeqRL's BLAS path, 1024^3): " + ", ".join(f"{v:.1f} GFLOP/s at {k} thread(s)" for k, v in rate.items())
        + f"; BLAS: {blas}. Load average at the end: {load_average()}.",
        f"{rounds} round(s), the two sides interleaved (SeqRL, PyTorch{', PyTorch compiled' if compiled else ''}, SeqRL, ...); "
        "each side's time is the median over rounds of its per-round median, [min-max] of the per-round medians;",
        "ratio = PyTorch time / SeqRL time (above 1: SeqRL faster), the median of the per-round ratios [their min-max];",
        "lower bound = rough matmul FLOPs of the case / the measured matmul rate; steps = decoder steps per call (SeqRL / PyTorch),",
        "counted alike on both sides (longest decoded row with its end token; beam search: longest returned hypothesis + 1).",
    ] + ([
        "Parameters: " + "; ".join(f"{m}: " + ", ".join(f"{side} {n:,}" for side, n in sides.items())
                                   + (" (THEY DIFFER: not the same model)" if len(set(sides.values())) > 1 else "")
                                   for m, sides in counts.items()) + ".",
    ] if counts else []) + ([
        "CPU ms: the median CPU time of the timing thread (SeqRL / PyTorch) and its ratio; at 1 thread it is the work",
        "done, which other processes' load moves much less than the wall time.",
    ] if cpu else []) + ([
        "SameDiff ms: the same model and step on the SameDiff engine (model.engine: samediff, run in each round after",
        "SeqRL's fast engine); cost = SameDiff time / fast-engine time (above 1: SameDiff slower), per-round median [min-max].",
    ] if samediff else []) + [
        "",
        "| case | attention | threads | SeqRL ms | PyTorch ms | ratio |" + (" PyTorch compiled ms | ratio |" if compiled else "")
        + (" SameDiff ms | cost |" if samediff else "") + (" CPU ms | CPU ratio |" if cpu else "") + " lower bound ms | GFLOP | steps |",
        "|---|---|---|---|---|---|" + ("---|---|" if compiled else "") + ("---|---|" if samediff else "")
        + ("---|---|" if cpu else "") + "---|---|---|",
    ]
    fmt = lambda v: "" if v is None else f"{v:.1f}"
    for j in joined:
        lb = "" if j["lower_bound_s"] is None else ms(j["lower_bound_s"])
        steps = "" if j["ours_decoder_steps"] is None else f"{fmt(j['ours_decoder_steps'])} / {fmt(j['peer_decoder_steps'])}"
        comp = ""
        if compiled:
            comp = (f" {spread(j['compiled_round_medians_s'], ms)} | {spread(j['compiled_round_ratios'], lambda v: f'{v:.2f}')} |"
                    if "compiled_s" in j else " | |")
        sdc = ""
        if samediff:
            sdc = (f" {spread(j['samediff_round_medians_s'], ms)} | {spread(j['samediff_round_cost'], lambda v: f'{v:.1f}')} |"
                   if "samediff_s" in j else " | |")
        cpc = ""
        if cpu:
            cpc = (f" {ms(j['ours_cpu_s'])} / {ms(j['peer_cpu_s'])} | {spread(j['cpu_round_ratios'], lambda v: f'{v:.2f}')} |"
                   if "cpu_ratio" in j else " | |")
        lines.append(f"| {j['case']} | {j['attention']} | {j['threads']} | {spread(j['ours_round_medians_s'], ms)} "
                     f"| {spread(j['peer_round_medians_s'], ms)} | {spread(j['round_ratios'], lambda v: f'{v:.2f}')} |{comp}{sdc}{cpc} {lb} | {j['gflop']:.2f} | {steps} |")
    for m in memory:
        rss = m["rss_mb"]
        warm = rss[min(2, len(rss) - 1)][1]
        growth = (rss[-1][1] - warm) / warm * 100 if warm else float("nan")
        lines += ["", f"Memory, {m['steps']} SCST steps (attention {m['attention']}, {m['threads']} thread(s)): RSS MB by step "
                  + ", ".join(f"{s}: {mb}" for s, mb, _ in rss) + f". Growth after warm-up (from step {rss[min(2, len(rss) - 1)][0]}): {growth:+.1f} %."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
