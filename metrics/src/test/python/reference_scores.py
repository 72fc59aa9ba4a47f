"""Scores the cases a SeqRL test wrote with the reference libraries themselves.

Usage: python -O reference_scores.py CASES.jsonl OUT.json

Each input line is {"hypothesis": str, "references": [str, ...]}. The output holds, per case,
nltk sentence_bleu (whitespace tokens, smoothing methods 0-7, 4-gram and 2-gram weights),
sacrebleu sentence BLEU (13a, effective order, exp/floor/add-k/none), sacrebleu chrF and the
smallest python-Levenshtein distance; and, over all cases, nltk corpus_bleu (methods 0-7),
sacrebleu corpus BLEU (each smoothing, with its signature) and corpus chrF.

Run it with -O: nltk's method6 asserts a non-zero trigram precision; SeqRL defines that case
as what nltk computes with assertions disabled. When the bigram precision is 0 as well, nltk
raises ZeroDivisionError; such values are written as null (SeqRL takes the prior as 0 there).
"""
import json
import sys
import warnings

import Levenshtein
import sacrebleu
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu, sentence_bleu
from sacrebleu.metrics import BLEU, CHRF

warnings.filterwarnings("ignore")
SMOOTH = SmoothingFunction()
METHODS = [getattr(SMOOTH, f"method{i}") for i in range(8)]
SACRE_SMOOTH = ["exp", "floor", "add-k", "none"]


def nltk_sentence(refs_tok, hyp_tok, weights, method):
    # nltk raises in method6 when a bigram precision is 0 (a Fraction(0, d) compares unequal
    # to 0 and is then divided by); that case has no nltk value to compare with: None.
    try:
        return float(sentence_bleu(refs_tok, hyp_tok, weights=weights, smoothing_function=method))
    except ZeroDivisionError:
        return None


def nltk_corpus(refs_tok, hyps_tok, method):
    try:
        return float(corpus_bleu(refs_tok, hyps_tok, smoothing_function=method))
    except ZeroDivisionError:
        return None


def main(cases_path, out_path):
    cases = [json.loads(line) for line in open(cases_path, encoding="utf-8") if line.strip()]
    out = {"sentences": [], "corpus": {}}
    sacre_sentence = {m: BLEU(smooth_method=m, effective_order=True) for m in SACRE_SMOOTH}
    chrf = CHRF()
    for case in cases:
        hyp, refs = case["hypothesis"], case["references"]
        hyp_tok, refs_tok = hyp.split(), [r.split() for r in refs]
        row = {
            "nltk": [nltk_sentence(refs_tok, hyp_tok, (0.25, 0.25, 0.25, 0.25), m) for m in METHODS],
            "nltk_bigram": [nltk_sentence(refs_tok, hyp_tok, (0.5, 0.5), m) for m in METHODS],
            "sacrebleu": [sacre_sentence[m].sentence_score(hyp, refs).score for m in SACRE_SMOOTH],
            "chrf": chrf.sentence_score(hyp, refs).score,
            "levenshtein": min(Levenshtein.distance(hyp, r) for r in refs),
        }
        out["sentences"].append(row)
    hyps = [c["hypothesis"] for c in cases]
    # sacrebleu takes reference streams; a case with fewer references is padded with None
    nrefs = max(len(c["references"]) for c in cases)
    ref_streams = [[c["references"][i] if i < len(c["references"]) else None for c in cases] for i in range(nrefs)]
    out["corpus"]["nltk"] = [nltk_corpus([[r.split() for r in c["references"]] for c in cases],
                                         [h.split() for h in hyps], m) for m in METHODS]
    out["corpus"]["sacrebleu"] = []
    out["corpus"]["signature"] = []
    for m in SACRE_SMOOTH:
        bleu = BLEU(smooth_method=m)
        out["corpus"]["sacrebleu"].append(bleu.corpus_score(hyps, ref_streams).score)
        out["corpus"]["signature"].append(str(bleu.get_signature()))
    out["corpus"]["chrf"] = CHRF().corpus_score(hyps, ref_streams).score
    out["versions"] = {"sacrebleu": sacrebleu.__version__}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
