"""What `seqrl score` should print, computed by nltk, sacrebleu and python-Levenshtein.

Usage: python -O score_reference.py METRIC HYPS REFS [corpus] [OPTION]
  METRIC: bleu (OPTION = nltk smoothing method0..method7), sacrebleu (OPTION = exp|floor|add-k|none),
  chrf, levenshtein. Prints one repr() a line, like `seqrl score`.
"""
import sys
import warnings

import Levenshtein
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu, sentence_bleu
from sacrebleu.metrics import BLEU, CHRF

warnings.filterwarnings("ignore")


def read_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def main(metric, hyps_path, refs_path, *rest):
    corpus = "corpus" in rest
    option = [r for r in rest if r and r != "corpus"]
    hyps = read_lines(hyps_path)
    refs = [line.split("\t") for line in read_lines(refs_path)]
    if metric == "bleu":
        method = getattr(SmoothingFunction(), option[0] if option else "method0")
        if corpus:
            print(repr(float(corpus_bleu([[r.split() for r in rs] for rs in refs], [h.split() for h in hyps],
                                         smoothing_function=method))))
        else:
            for h, rs in zip(hyps, refs):
                print(repr(float(sentence_bleu([r.split() for r in rs], h.split(), smoothing_function=method))))
    elif metric in ("sacrebleu", "chrf"):
        smooth = option[0] if option else "exp"
        if corpus:
            nrefs = max(len(rs) for rs in refs)
            streams = [[rs[i] if i < len(rs) else None for rs in refs] for i in range(nrefs)]
            scorer = BLEU(smooth_method=smooth) if metric == "sacrebleu" else CHRF()
            print(repr(scorer.corpus_score(hyps, streams).score))
        else:
            scorer = BLEU(smooth_method=smooth, effective_order=True) if metric == "sacrebleu" else CHRF()
            for h, rs in zip(hyps, refs):
                print(repr(scorer.sentence_score(h, rs).score))
    elif metric == "levenshtein":
        dists = [min(Levenshtein.distance(h, r) for r in rs) for h, rs in zip(hyps, refs)]
        if corpus:
            print(repr(sum(dists) / len(dists)))
        else:
            for d in dists:
                print(d)


if __name__ == "__main__":
    main(*sys.argv[1:])
