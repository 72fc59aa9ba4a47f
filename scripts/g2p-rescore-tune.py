#!/usr/bin/env python3
"""Tries rescoring choosers on `seqrl eval --proposals` files, without decoding again.

Each FILE is what `seqrl eval --checkpoint L --checkpoint R --nbest K --proposals FILE` wrote for a
left-to-right model L and a right-to-left model R (logprob_1 is L's, logprob_2 is R's), or with
`--channel C` a channel model's log-probability of the word given each proposal too (channel_1), or
what `seqrl eval --checkpoint L --channel C --nbest K --proposals FILE` wrote (logprob_1 only). For
every setting of the grid

  n-best  k: a proposal counts if it is among the k best of either model's beam
  weight  w: score = (1 - w) * logprob_1 + w * logprob_2 + lam * channel_1 + bonus * (output tokens)
             (with one checkpoint: logprob_1 + lam * channel_1 + ...)
  channel lam: only where the files have a channel column
  bonus   b

it chooses, per word, the highest score (the first of equal ones, in the file's order, as `seqrl eval`
does) and prints PER and WER (scripts/g2p-score.py's definitions and CMU dictionary) averaged over the
files, best settings first, with the untuned rule (k=1, w=0.5, b=0) for comparison, and the oracle of each
k (the closest proposal per word: the most any chooser could give). It first checks that
at the setting the files were written with (--setting) its choices are the file's `chosen` column.
Usage:

  .venv/bin/python scripts/g2p-rescore-tune.py FILE... [--setting K,W,B or K,W,LAM,B] [--top N] [--json OUT]
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
CHANNEL_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5)


def columns(path, header):
    """(proposers, checkpoints, channels): how many rank_, logprob_ and channel_ columns the header has."""
    counts = [sum(1 for h in header if h.startswith(p)) for p in ("rank_", "logprob_", "channel_")]
    d, m, c = counts
    want = (["search", "source", "proposal"] + [f"rank_{i}" for i in range(1, d + 1)]
            + [f"logprob_{i}" for i in range(1, m + 1)] + [f"channel_{i}" for i in range(1, c + 1)] + ["score", "chosen"])
    if header != want or m not in (1, 2) or c > 1 or (m == 1 and c == 0):
        sys.exit(f"{path}: header {header}; expected two checkpoints (left to right first), with or without one channel"
                 f" column, or one checkpoint and one channel column")
    return d, m, c


def read(path, prons):
    """Per word of the beam rows: a list of (best rank, logprob_1, logprob_2 or None, length, distance, ref length,
    chosen, channel_1 or None)."""
    words = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        d, m, ch = columns(path, header)
        for n, line in enumerate(f, start=2):
            c = line.rstrip("\n").split("\t")
            if c[0] != "beam":
                continue
            word = c[1].replace(" ", "")
            if word not in prons:
                sys.exit(f"{path}:{n}: '{word}' is not in the CMU dictionary of .venv")
            hyp = c[2].split()
            ranks = [int(r) for r in c[3:3 + d] if int(r) > 0]
            lp = [float(x) for x in c[3 + d:3 + d + m]]
            channel = float(c[3 + d + m]) if ch else None
            best, ref_len = g2p_score.closest(hyp, prons[word])
            words.setdefault(word, []).append(
                (min(ranks), lp[0], lp[1] if m == 2 else None, len(hyp), best, ref_len, c[-1] == "1", channel))
    return words


def choose(cands, k, w, b, lam=0.0):
    best = None
    best_score = None
    for cand in cands:
        rank, lp1, lp2, length = cand[:4]
        channel = cand[7]
        if rank > k:
            continue
        # the order of operations of RescoringPolicy.scored: 0 + w1*lp1 + w2*lp2 (+ lam*channel), then the bonus
        score = 0.0 + lp1 if lp2 is None else 0.0 + (1 - w) * lp1 + w * lp2
        if channel is not None:
            score += lam * channel
        score += b * length
        if best is None or score > best_score:
            best, best_score = cand, score
    return best


def rates(words, k, w, b, lam=0.0):
    edits = length = wrong = 0
    for cands in words.values():
        c = choose(cands, k, w, b, lam)
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
    ap.add_argument("--setting", default="5,0.5,0",
                    help="k,w,b or k,w,lam,b the files were written with (default 5,0.5,0; w is ignored with one checkpoint)")
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--json", help="also write every setting's per-file PER and WER here")
    args = ap.parse_args()
    prons = g2p_score.dictionary(True)
    data = {p: read(p, prons) for p in args.files}
    setting = args.setting.split(",")
    k0, w0, b0 = int(setting[0]), float(setting[1]), float(setting[-1])
    lam0 = float(setting[2]) if len(setting) == 4 else 0.0
    any_cands = [c for words in data.values() for cands in words.values() for c in cands]
    two = any_cands[0][2] is not None
    channel = any_cands[0][7] is not None
    if any((c[2] is not None) != two or (c[7] is not None) != channel for c in any_cands):
        sys.exit("the files differ in their columns (checkpoints, channel); give files of one kind")
    for p, words in data.items():
        differ = sum(not choose(c, k0, w0, b0, lam0)[6] for c in words.values())
        if differ:
            sys.exit(f"{p}: at k={k0}, w={w0}, lam={lam0}, b={b0} the script chooses otherwise than seqrl eval on"
                     f" {differ} words")
    print(f"checked: at k={k0}, w={w0}{f', lam={lam0}' if channel else ''}, b={b0} every choice is the file's"
          f" ({sum(len(d) for d in data.values())} words in {len(data)} files)")
    rows = []
    for k, w, lam, b in itertools.product(NBEST, WEIGHTS if two else (0.5,), CHANNEL_WEIGHTS if channel else (0.0,),
                                          BONUSES):
        per_file = {p: rates(words, k, w, b, lam) for p, words in data.items()}
        pers = [x[0] for x in per_file.values()]
        wers = [x[1] for x in per_file.values()]
        rows.append({"k": k, "w": w, "lam": lam, "b": b, "per": statistics.mean(pers), "wer": statistics.mean(wers),
                     "per_std": statistics.stdev(pers) if len(pers) > 1 else 0.0,
                     "wer_std": statistics.stdev(wers) if len(wers) > 1 else 0.0, "files": per_file})
    # the plan's order: mean PER, then mean WER, then the smaller k, then the bonus nearer 0 (then the smaller lam)
    rows.sort(key=lambda r: (round(r["per"], 9), round(r["wer"], 9), r["k"], abs(r["b"]), r["lam"]))
    base = next(r for r in rows if r["k"] == 1 and r["w"] == 0.5 and r["b"] == 0.0 and r["lam"] == 0.0)
    lam_head = f" {'lam':>5}" if channel else ""
    print(f"{'k':>2} {'w_R2L':>6}{lam_head} {'bonus':>6} {'PER %':>14} {'WER %':>14}  (mean +- std over {len(data)} files)")
    for r in rows[: args.top] + [base]:
        mark = ("  <- untuned (session 38)" if two else "  <- the model's own beam") if r is base else ""
        lam = f" {r['lam']:>5.2f}" if channel else ""
        w = f"{r['w']:>6.2f}" if two else f"{'-':>6}"
        print(f"{r['k']:>2} {w}{lam} {r['b']:>6.2f} {r['per']:>7.3f} +- {r['per_std']:.3f} "
              f"{r['wer']:>7.3f} +- {r['wer_std']:.3f}{mark}")
    for k in NBEST:
        oracle = [oracle_rates(words, k) for words in data.values()]
        print(f"oracle of the {k}-best proposals (the closest per word): PER {statistics.mean(o[0] for o in oracle):.3f} %,"
              f" WER {statistics.mean(o[1] for o in oracle):.3f} %, {statistics.mean(o[2] for o in oracle):.2f} proposals a word")
    weights = f" --ensemble-weights {1 - rows[0]['w']:g},{rows[0]['w']:g}" if two else ""
    lam = f" --channel-weights {rows[0]['lam']:g}" if channel else ""
    print(f"chosen: --nbest {rows[0]['k']}{weights}{lam} --length-bonus {rows[0]['b']:g}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
