"""Writes the expected outputs of ScoreCommandTest's exact-text check: for the pairs in HYPS / REFS,
nltk 3.8.1's sentence_bleu (method1) and sacrebleu 2.6.0's sentence BLEU (13a, effective order, exp),
one repr() a line, as the Python peer of `seqrl score` prints them
(benchmarks/rewards/score_python.py).

Usage: python score_exact_reference.py HYPS REFS OUT_DIR
"""
import sys
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu  # noqa: E402
from sacrebleu.metrics import BLEU  # noqa: E402


def read_lines(path):
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def main(hyps_path, refs_path, out_dir):
    hyps = read_lines(hyps_path)
    refs = [line.split("\t") for line in read_lines(refs_path)]
    out = Path(out_dir)
    fn = SmoothingFunction().method1
    with open(out / "nltk-method1.txt", "w", encoding="utf-8") as f:
        for h, rs in zip(hyps, refs):
            f.write(repr(float(sentence_bleu([r.split() for r in rs], h.split(), smoothing_function=fn))) + "\n")
    bleu = BLEU(effective_order=True)
    with open(out / "sacrebleu-exp.txt", "w", encoding="utf-8") as f:
        for h, rs in zip(hyps, refs):
            f.write(repr(bleu.sentence_score(h, rs).score) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
