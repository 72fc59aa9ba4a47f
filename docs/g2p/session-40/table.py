#!/usr/bin/env python3
"""Session 40's test table: each left-to-right proposer with the channel model (the dev-chosen setting) against
its own beam-5 output, from the test proposal files (the own output is the row its beam ranked first; the
chosen one is the `chosen` column) and the eval JSONs. Run with the project's .venv python from the root."""
import importlib.util, json, os, statistics as st, sys
O = sys.argv[1] if len(sys.argv) > 1 else "/work/runs/s40"
spec = importlib.util.spec_from_file_location("g2p_score", "scripts/g2p-score.py")
g = importlib.util.module_from_spec(spec)
spec.loader.exec_module(g)
prons = g.dictionary(True)

def rates(path, search, pick):
    """PER and WER (%) of the rows pick(columns, header) selects, one per word, for the given search."""
    edits = length = wrong = words = 0
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            c = line.rstrip("\n").split("\t")
            if c[0] != search or not pick(c, header):
                continue
            d, n = g.closest(c[2].split(), prons[c[1].replace(" ", "")])
            edits += d; length += n; wrong += d > 0; words += 1
    return 100.0 * edits / length, 100.0 * wrong / words, words

own = lambda c, h: c[h.index("rank_1")] == "1"
chosen = lambda c, h: c[-1] == "1"
rows = []
for l in (10, 3, 4, 5, 6, 8):
    p = f"{O}/ch-s{l}-test-proposals.tsv"
    if not os.path.exists(p):
        print(f"| {l} | (missing) |"); continue
    m = json.load(open(f"{O}/ch-s{l}-test.json"))["metrics"]
    b_own, b_ch = rates(p, "beam", own), rates(p, "beam", chosen)
    g_own, g_ch = rates(p, "greedy", own), rates(p, "greedy", chosen)
    assert abs(b_ch[0] - 100 * m["eval/beam/per"]) < 1e-6 and abs(b_ch[1] - 100 * m["eval/beam/wer"]) < 1e-6, (l, b_ch, m)
    assert abs(g_ch[0] - 100 * m["eval/per"]) < 1e-6, (l, g_ch, m)
    rows.append((l, g_own, g_ch, b_own, b_ch))
    print(f"| {l} | greedy {g_own[0]:.2f} % / {g_own[1]:.2f} %, beam {b_own[0]:.2f} % / {b_own[1]:.2f} % |"
          f" greedy {g_ch[0]:.2f} % / {g_ch[1]:.2f} %, beam **{b_ch[0]:.2f} % / {b_ch[1]:.2f} %** | ({b_ch[2]} words)")
def ms(xs):
    return f"{st.mean(xs):.2f} ± {st.stdev(xs):.2f} % [{min(xs):.2f}-{max(xs):.2f}]"
if len(rows) > 1:
    for i, name in ((3, "own beam"), (4, "with the channel")):
        print(f"{name}, {len(rows)} proposers: PER {ms([r[i][0] for r in rows])}, WER {ms([r[i][1] for r in rows])}")
    for i, name in ((0, "PER"), (1, "WER")):
        d = [r[4][i] - r[3][i] for r in rows]
        print(f"paired (channel - own beam) beam {name}: {st.mean(d):+.3f} ± {st.stdev(d):.3f} points, {sum(x < 0 for x in d)} of {len(d)} lower")
        d = [r[2][i] - r[1][i] for r in rows]
        print(f"paired (channel - own greedy) greedy {name}: {st.mean(d):+.3f} ± {st.stdev(d):.3f} points")
    print("proposers with beam PER <= 7.00 with the channel:", sum(r[4][0] <= 7.0 for r in rows), "of", len(rows))
