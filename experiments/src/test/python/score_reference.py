"""What `seqrl score` should print for a pair of files, computed by nltk, sacrebleu and
python-Levenshtein, for every metric and option the test covers, in one process (importing
nltk and sacrebleu takes seconds).

Usage: python -O score_reference.py HYPS REFS
Prints a JSON object: {"bleu method0": [lines...], "bleu method0 corpus": [line], ...,
"sacrebleu exp": [...], "chrf": [...], "levenshtein": [...]}, each line a repr() as `seqrl score`
prints it. nltk's method6 raises on some inputs; its entries are left out.
"""
import json
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


def main(hyps_path, refs_path):
    hyps = read_lines(hyps_path)
    refs = [line.split("\t") for line in read_lines(refs_path)]
    out = {}
    hyp_tok = [h.split() for h in hyps]
    ref_tok = [[r.split() for r in rs] for rs in refs]
    for m in ["method0", "method1", "method2", "method3", "method4", "method5", "method7"]:
        fn = getattr(SmoothingFunction(), m)
        out[f"bleu {m}"] = [repr(float(sentence_bleu(r, h, smoothing_function=fn))) for h, r in zip(hyp_tok, ref_tok)]
        out[f"bleu {m} corpus"] = [repr(float(corpus_bleu(ref_tok, hyp_tok, smoothing_function=fn)))]
    nrefs = max(len(rs) for rs in refs)
    streams = [[rs[i] if i < len(rs) else None for rs in refs] for i in range(nrefs)]
    for s in ["exp", "floor", "add-k", "none"]:
        sent = BLEU(smooth_method=s, effective_order=True)
        out[f"sacrebleu {s}"] = [repr(sent.sentence_score(h, rs).score) for h, rs in zip(hyps, refs)]
        out[f"sacrebleu {s} corpus"] = [repr(BLEU(smooth_method=s).corpus_score(hyps, streams).score)]
    chrf = CHRF()
    out["chrf"] = [repr(chrf.sentence_score(h, rs).score) for h, rs in zip(hyps, refs)]
    out["chrf corpus"] = [repr(CHRF().corpus_score(hyps, streams).score)]
    dists = [min(Levenshtein.distance(h, r) for r in rs) for h, rs in zip(hyps, refs)]
    out["levenshtein"] = [str(d) for d in dists]
    out["levenshtein corpus"] = [repr(sum(dists) / len(dists))]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:])
