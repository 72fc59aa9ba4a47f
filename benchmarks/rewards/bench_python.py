"""Python side of the reward benchmark: nltk sentence_bleu (method1), sacrebleu sentence BLEU
(13a, effective order, exp) and python-Levenshtein on the same corpus, one thread.
One warm-up pass is excluded; the median of REPS timed passes is reported.
Prints one line per implementation: name<TAB>metric<TAB>sentences_per_s<TAB>checksum<TAB>all pass times (s).
Usage: python bench_python.py CORPUS.tsv [REPS]
"""
import statistics
import sys
import time
import warnings

import Levenshtein
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from sacrebleu.metrics import BLEU

warnings.filterwarnings("ignore")


def measure(name, metric, fn, n, reps):
    fn()  # warm-up, excluded
    times = []
    checksum = 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        checksum = fn()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(f"{name}\t{metric}\t{n / med:.1f}\t{checksum!r}\t{' '.join(f'{t:.3f}' for t in times)}", flush=True)


def main(path, reps=3):
    pairs = [line.rstrip("\n").split("\t") for line in open(path, encoding="utf-8")]
    hyps = [p[0] for p in pairs]
    refs = [p[1] for p in pairs]
    hyp_tok = [h.split() for h in hyps]
    ref_tok = [[r.split()] for r in refs]
    n = len(pairs)
    method1 = SmoothingFunction().method1

    def nltk_bleu():
        s = 0.0
        for h, r in zip(hyp_tok, ref_tok):
            s += sentence_bleu(r, h, smoothing_function=method1)
        return s

    sacre = BLEU(effective_order=True)
    ref_lists = [[r] for r in refs]

    def sacre_bleu():
        s = 0.0
        for h, r in zip(hyps, ref_lists):
            s += sacre.sentence_score(h, r).score
        return s

    def lev():
        s = 0
        for h, r in zip(hyps, refs):
            s += Levenshtein.distance(h, r)
        return float(s)

    measure("nltk", "bleu-method1", nltk_bleu, n, reps)
    measure("sacrebleu", "sacrebleu-exp", sacre_bleu, n, reps)
    measure("python-Levenshtein", "levenshtein-char", lev, n, reps)


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
