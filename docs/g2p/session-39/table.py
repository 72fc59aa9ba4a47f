#!/usr/bin/env python3
"""Session 39's test table: tuned rescoring of the ten pairs against session 38's untuned one, and the new pair."""
import json, os, statistics as st
O = "/work/runs/s39"
P = "/work/runs/s38"
def m(path):
    if not os.path.exists(path):
        return None
    d = json.load(open(path))["metrics"]
    return [100 * d[k] for k in ("eval/per", "eval/wer", "eval/beam/per", "eval/beam/wer")]
def fmt(x):
    return "%.2f %% / %.2f %% | %.2f %% / %.2f %%" % tuple(x) if x else "(missing)"
pairs = [(l, r) for r in (7, 9) for l in (8, 3, 4, 5, 6)]
tuned, plain = [], []
for l, r in pairs:
    t = m(f"{O}/tuned-s{l}-r{r}-test.json")
    p = m(f"{P}/rescore-s{l}-r{r}-test.json")
    print(f"| left-to-right {l} + right-to-left {r} | {fmt(p)} | {fmt(t)} |")
    if t and p:
        tuned.append(t); plain.append(p)
def ms(rows, i):
    xs = [x[i] for x in rows]
    return "%.2f ± %.2f %% [%.2f-%.2f]" % (st.mean(xs), st.stdev(xs), min(xs), max(xs)) if len(xs) > 1 else "-"
if len(tuned) > 1:
    for name, rows in (("untuned (session 38)", plain), ("tuned", tuned)):
        print(f"| {name}: mean ± sd [range], {len(rows)} pairs | greedy PER {ms(rows,0)} WER {ms(rows,1)} | beam PER {ms(rows,2)} WER {ms(rows,3)} |")
    for i, what in ((0, "greedy PER"), (1, "greedy WER"), (2, "beam PER"), (3, "beam WER")):
        d = [t[i] - p[i] for t, p in zip(tuned, plain)]
        print(f"paired tuned - untuned, {what}: {st.mean(d):+.3f} ± {st.stdev(d):.3f} points (n={len(d)}, {sum(x < 0 for x in d)} lower)")
    print("pairs with beam PER <= 7.00:", sum(t[2] <= 7.0 for t in tuned), "of", len(tuned))
for name in ("single-s10", "single-s11", "plain-s10-r11", "tuned-s10-r11"):
    print(f"| {name} | {fmt(m(f'{O}/{name}-test.json'))} |")
