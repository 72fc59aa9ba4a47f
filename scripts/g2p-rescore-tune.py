#!/usr/bin/env python3
"""Tries rescoring choosers on `seqrl eval --proposals` files, without decoding again.

Each FILE is what `seqrl eval --checkpoint L --checkpoint R --nbest K --proposals FILE` wrote for a
left-to-right model L and a right-to-left model R (logprob_1 is L's, logprob_2 is R's). For every
setting of the grid

  n-best  k: a proposal counts if it is among the k best of either model's beam
  weight  w: score = (1 - w) * logprob_1 + w * logprob_2 + bonus * (output tokens)
  bonus   b

it chooses, per word, the highest score (the first of equal ones, in the file's order, as `seqrl eval`
does) and prints PER and WER (scripts/g2p-score.py's definitions and CMU dictionary) averaged over the
files, best settings first, with the untuned rule (k=1, w=0.5, b=0) for comparison, and the oracle of each
k (the closest proposal per word: the most any chooser could give). It first checks that
at the setting the files were written with (--setting) its choices are the file's `chosen` column.
Usage:

  .venv/bin/python scripts/g2p-rescore-tune.py FILE... [--setting K,W,B] [--top N] [--json OUT]
"""
import argparse
import importlib.util
import itertools
import json
import os
import statistics
import sys

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("g2p_score", os.path.join(_here, "g2p-score.py"))
g2p_score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(g2p_score)

NBEST = (1, 2, 3, 5)
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7)
BONUSES = (-0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0)


def read(path, prons):
    """Per word of the beam rows: a list of (best rank, logprob_1, logprob_2, length, distance, ref length, chosen)."""
    words = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        want = ["search", "source", "proposal", "rank_1", "rank_2", "logprob_1", "logprob_2", "score", "chosen"]
        if header != want:
            sys.exit(f"{path}: header {header}; expected {want} (two checkpoints, left to right first)")
        for n, line in enumerate(f, start=2):
            c = line.rstrip("\n").split("\t")
            if c[0] != "beam":
                continue
            word = c[1].replace(" ", "")
            if word not in prons:
                sys.exit(f"{path}:{n}: '{word}' is not in the CMU dictionary of .venv")
            hyp = c[2].split()
            ranks = [int(r) for r in c[3:5] if int(r) > 0]
            best, ref_len = g2p_score.closest(hyp, prons[word])
            words.setdefault(word, []).append(
                (min(ranks), float(c[5]), float(c[6]), len(hyp), best, ref_len, c[8] == "1"))
    return words


def choose(cands, k, w, b):
    best = None
    best_score = None
    for cand in cands:
        rank, lp1, lp2, length = cand[:4]
        if rank > k:
            continue
        # the order of operations of RescoringPolicy.scored: 0 + w1*lp1 + w2*lp2, then the bonus
        score = 0.0 + (1 - w) * lp1 + w * lp2 + b * length
        if best is None or score > best_score:
            best, best_score = cand, score
    return best


def rates(words, k, w, b):
    edits = length = wrong = 0
    for cands in words.values():
        c = choose(cands, k, w, b)
        edits += c[4]
        length += c[5]
        wrong += c[4] > 0
    return 100.0 * edits / length, 100.0 * wrong / len(words)


def oracle_rates(words, k):
    """PER and WER if the closest of the k-best proposals were always chosen, and the proposals per word."""
    edits = length = wrong = count = 0
    for cands in words.values():
        pool = [c for c in cands if c[0] <= k]
        c = min(pool, key=lambda x: (x[4], -x[5]))
        edits += c[4]
        length += c[5]
        wrong += c[4] > 0
        count += len(pool)
    return 100.0 * edits / length, 100.0 * wrong / len(words), count / len(words)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--setting", default="5,0.5,0", help="k,w,b the files were written with (default 5,0.5,0)")
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--json", help="also write every setting's per-file PER and WER here")
    args = ap.parse_args()
    prons = g2p_score.dictionary(True)
    data = {p: read(p, prons) for p in args.files}
    k0, w0, b0 = args.setting.split(",")
    k0, w0, b0 = int(k0), float(w0), float(b0)
    for p, words in data.items():
        differ = sum(not choose(c, k0, w0, b0)[6] for c in words.values())
        if differ:
            sys.exit(f"{p}: at k={k0}, w={w0}, b={b0} the script chooses otherwise than seqrl eval on {differ} words")
    print(f"checked: at k={k0}, w={w0}, b={b0} every choice is the file's ({sum(len(d) for d in data.values())} words"
          f" in {len(data)} files)")
    rows = []
    for k, w, b in itertools.product(NBEST, WEIGHTS, BONUSES):
        per_file = {p: rates(words, k, w, b) for p, words in data.items()}
        pers = [x[0] for x in per_file.values()]
        wers = [x[1] for x in per_file.values()]
        rows.append({"k": k, "w": w, "b": b, "per": statistics.mean(pers), "wer": statistics.mean(wers),
                     "per_std": statistics.stdev(pers) if len(pers) > 1 else 0.0,
                     "wer_std": statistics.stdev(wers) if len(wers) > 1 else 0.0, "files": per_file})
    # the plan's order: mean PER, then mean WER, then the smaller k, then the bonus nearer 0
    rows.sort(key=lambda r: (round(r["per"], 9), round(r["wer"], 9), r["k"], abs(r["b"])))
    base = next(r for r in rows if r["k"] == 1 and r["w"] == 0.5 and r["b"] == 0.0)
    print(f"{'k':>2} {'w_R2L':>6} {'bonus':>6} {'PER %':>14} {'WER %':>14}  (mean +- std over {len(data)} files)")
    for r in rows[: args.top] + [base]:
        mark = "  <- untuned (session 38)" if r is base else ""
        print(f"{r['k']:>2} {r['w']:>6.2f} {r['b']:>6.2f} {r['per']:>7.3f} +- {r['per_std']:.3f} "
              f"{r['wer']:>7.3f} +- {r['wer_std']:.3f}{mark}")
    for k in NBEST:
        oracle = [oracle_rates(words, k) for words in data.values()]
        print(f"oracle of the {k}-best proposals (the closest per word): PER {statistics.mean(o[0] for o in oracle):.3f} %,"
              f" WER {statistics.mean(o[1] for o in oracle):.3f} %, {statistics.mean(o[2] for o in oracle):.2f} proposals a word")
    print(f"chosen: --nbest {rows[0]['k']} --ensemble-weights {1 - rows[0]['w']:g},{rows[0]['w']:g}"
          f" --length-bonus {rows[0]['b']:g}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
