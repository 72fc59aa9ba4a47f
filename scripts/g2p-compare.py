#!/usr/bin/env python3
"""Where two G2P systems disagree, and what choosing between them can give.

Reads two `seqrl eval --predictions` files of the same words (A and B; e.g. a left-to-right and a
right-to-left model) and, optionally, a third (C) whose every output is A's or B's (their rescoring), and
prints, against the CMU dictionary of the project's .venv (scripts/g2p-score.py's references and
distances): how many words A and B disagree on; PER and WER of A, B and C; the oracle that takes, for
each word, whichever of A and B is closer to a reference (the most any choice between the two can give);
and, where they disagree and one is closer, how often C took the closer one. Usage:

  .venv/bin/python scripts/g2p-compare.py A B [C] [--keep-stress]
"""
import argparse
import importlib.util
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("g2p_score", os.path.join(_here, "g2p-score.py"))
g2p_score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(g2p_score)


def read(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            source, _, output = line.rstrip("\n").partition("\t")
            rows.append((source.replace(" ", ""), output.split()))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("c", nargs="?")
    ap.add_argument("--keep-stress", action="store_true")
    args = ap.parse_args()
    prons = g2p_score.dictionary(not args.keep_stress)
    files = [args.a, args.b] + ([args.c] if args.c else [])
    rows = [read(p) for p in files]
    for p, r in zip(files[1:], rows[1:]):
        if [w for w, _ in r] != [w for w, _ in rows[0]]:
            sys.exit(f"{p}: not the words of {args.a} in the same order")
    names = ["A", "B", "C"][: len(files)]
    edits = {n: 0 for n in names + ["oracle"]}
    wrong = {n: 0 for n in names + ["oracle"]}
    length = {n: 0 for n in names + ["oracle"]}
    disagree = closer_taken = closer_exists = not_theirs = 0
    for i, (word, _) in enumerate(rows[0]):
        refs = prons[word]
        scored = {}
        for n, r in zip(names, rows):
            scored[n] = g2p_score.closest(r[i][1], refs)
        hyps = {n: r[i][1] for n, r in zip(names, rows)}
        scored["oracle"] = min(scored["A"], scored["B"], key=lambda s: s[0])
        for n, (d, ln) in scored.items():
            edits[n] += d
            wrong[n] += d > 0
            length[n] += ln
        if hyps["A"] != hyps["B"]:
            disagree += 1
            if "C" in hyps:
                if hyps["C"] not in (hyps["A"], hyps["B"]):
                    not_theirs += 1
                if scored["A"][0] != scored["B"][0]:
                    closer_exists += 1
                    better = "A" if scored["A"][0] < scored["B"][0] else "B"
                    closer_taken += hyps["C"] == hyps[better]
    words = len(rows[0])
    print(f"{words} words; A and B disagree on {disagree} ({100 * disagree / words:.2f} %)")
    for n in names + ["oracle"]:
        label = {"A": args.a, "B": args.b, "C": args.c or "", "oracle": "oracle (the closer of A and B per word)"}[n]
        print(f"{n:7s} PER {100 * edits[n] / length[n]:6.2f} %  WER {100 * wrong[n] / words:6.2f} %  {label}")
    if args.c:
        print(f"where A and B disagree and one is closer ({closer_exists} words), C took the closer one on"
              f" {closer_taken} ({100 * closer_taken / max(1, closer_exists):.1f} %); C is neither on {not_theirs}")


if __name__ == "__main__":
    main()
