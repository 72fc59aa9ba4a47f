#!/usr/bin/env python3
"""A rescoring chooser learned on dev: reranks the proposals of `seqrl eval --proposals` files.

Each file is what `seqrl eval --checkpoint L --checkpoint R --nbest K --proposals FILE` wrote for a
left-to-right model L and a right-to-left model R. Only the 2-best lists are used (a proposal counts if it
is among the 2 best of either model's beam). Per proposal the features are

  logprob_1, logprob_2, output tokens, proposed by L, proposed by R, L's first, R's first

and its score is their weighted sum; the highest score wins (the first of equal ones). The weights are
fitted on the --train files by minimising the expected edit distance to the closest reference under a
softmax over each word's proposals, plus 1e-3 times the squared weights (L-BFGS, from the weights of the
linear rule --nbest 2 --ensemble-weights 0.5,0.5 --length-bonus 0.25). It prints, for each --eval file,
PER and WER (scripts/g2p-score.py's definitions) of that linear rule and of the fitted weights. Usage:

  .venv/bin/python scripts/g2p-rerank.py --train FILE... --eval FILE... [--weights-out W.json]
"""
import argparse
import importlib.util
import json
import os
import statistics
import sys

import numpy as np
from scipy.optimize import minimize

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("g2p_score", os.path.join(_here, "g2p-score.py"))
g2p_score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(g2p_score)

FEATURES = ["logprob_1", "logprob_2", "tokens", "by_1", "by_2", "first_1", "first_2"]
LINEAR_RULE = np.array([0.5, 0.5, 0.25, 0, 0, 0, 0], dtype=float)
L2 = 1e-3


class Proposals:
    """One file's 2-best proposals: features X, edit distance d and reference length n per proposal, and
    where each word's proposals start (words in file order, proposals in file order)."""

    def __init__(self, path, prons):
        rows, dist, ref_len, starts, words = [], [], [], [], []
        current = None
        with open(path, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            want = ["search", "source", "proposal", "rank_1", "rank_2", "logprob_1", "logprob_2", "score", "chosen"]
            if header != want:
                sys.exit(f"{path}: header {header}; expected {want}")
            for n, line in enumerate(f, start=2):
                c = line.rstrip("\n").split("\t")
                if c[0] != "beam":
                    continue
                r1, r2 = int(c[3]), int(c[4])
                if not (0 < r1 <= 2 or 0 < r2 <= 2):
                    continue
                word = c[1].replace(" ", "")
                if word not in prons:
                    sys.exit(f"{path}:{n}: '{word}' is not in the CMU dictionary of .venv")
                if word != current:
                    if word in words:
                        sys.exit(f"{path}:{n}: the proposals of '{word}' are not together")
                    words.append(word)
                    starts.append(len(rows))
                    current = word
                hyp = c[2].split()
                rows.append([float(c[5]), float(c[6]), len(hyp), 0 < r1 <= 2, 0 < r2 <= 2, r1 == 1, r2 == 1])
                best, longest = g2p_score.closest(hyp, prons[word])
                dist.append(best)
                ref_len.append(longest)
        self.path = path
        self.X = np.array(rows, dtype=float)
        self.d = np.array(dist, dtype=float)
        self.n = np.array(ref_len, dtype=float)
        self.starts = np.array(starts)
        self.group = np.repeat(np.arange(len(starts)), np.diff(np.append(self.starts, len(rows))))

    def rates(self, w):
        """PER and WER (%) when each word takes its highest-scoring proposal (the first of equal ones)."""
        s = self.X @ w
        edits = length = wrong = 0.0
        bounds = np.append(self.starts, len(s))
        for a, b in zip(bounds[:-1], bounds[1:]):
            i = a + int(np.argmax(s[a:b]))
            edits += self.d[i]
            length += self.n[i]
            wrong += self.d[i] > 0
        return 100.0 * edits / length, 100.0 * wrong / len(self.starts)


def expected_edits(w, sets):
    """Mean over words of the softmax-weighted edit distance, plus the L2 term; and its gradient."""
    total, grad, words = 0.0, np.zeros_like(w), 0
    for p in sets:
        s = p.X @ w
        s = s - np.maximum.reduceat(s, p.starts)[p.group]
        e = np.exp(s)
        z = np.add.reduceat(e, p.starts)[p.group]
        q = e / z
        expected = np.add.reduceat(q * p.d, p.starts)
        total += expected.sum()
        ds = q * (p.d - expected[p.group])
        grad += p.X.T @ ds
        words += len(p.starts)
    return total / words + L2 * w @ w, grad / words + 2 * L2 * w


def fit(sets):
    result = minimize(expected_edits, LINEAR_RULE.copy(), args=(sets,), jac=True, method="L-BFGS-B")
    return result.x


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", nargs="+", required=True)
    ap.add_argument("--eval", nargs="+", required=True)
    ap.add_argument("--weights-out")
    args = ap.parse_args()
    prons = g2p_score.dictionary(True)
    train = [Proposals(p, prons) for p in args.train]
    w = fit(train)
    print("fitted weights: " + ", ".join(f"{f} {x:.4f}" for f, x in zip(FEATURES, w)))
    rows = []
    for p in args.eval:
        e = Proposals(p, prons)
        rows.append((p, e.rates(LINEAR_RULE), e.rates(w)))
    print(f"{'file':<48} {'linear rule PER / WER %':>24} {'reranker PER / WER %':>24}")
    for p, lin, rr in rows:
        print(f"{os.path.basename(p):<48} {lin[0]:>10.3f} / {lin[1]:>7.3f}  {rr[0]:>10.3f} / {rr[1]:>7.3f}")
    if len(rows) > 1:
        for name, i in (("PER", 0), ("WER", 1)):
            lin = [r[1][i] for r in rows]
            rr = [r[2][i] for r in rows]
            diff = [b - a for a, b in zip(lin, rr)]
            print(f"{name}: linear rule {statistics.mean(lin):.3f} +- {statistics.stdev(lin):.3f}, reranker"
                  f" {statistics.mean(rr):.3f} +- {statistics.stdev(rr):.3f}, paired {statistics.mean(diff):+.3f}"
                  f" +- {statistics.stdev(diff):.3f} ({sum(x < 0 for x in diff)} of {len(diff)} lower)")
    if args.weights_out:
        with open(args.weights_out, "w", encoding="utf-8") as f:
            json.dump({"features": FEATURES, "weights": list(w), "train": args.train}, f, indent=1)


if __name__ == "__main__":
    main()
