"""The Python peer of `seqrl score` as a whole process: reads the same two files, scores every
sentence with nltk (sentence_bleu, method1) or sacrebleu (sentence BLEU, 13a, effective order,
exp) and prints one repr() a line, as `seqrl score --metric bleu --smoothing method1` and
`seqrl score --metric sacrebleu` do. Import, reading and printing are part of the timed process.

Usage: python score_python.py nltk|sacrebleu HYPS REFS > OUT
"""
import sys
import warnings

warnings.filterwarnings("ignore")


def read_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def main(which, hyps_path, refs_path):
    hyps = read_lines(hyps_path)
    refs = [line.split("\t") for line in read_lines(refs_path)]
    out = sys.stdout
    if which == "nltk":
        from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
        fn = SmoothingFunction().method1
        for h, rs in zip(hyps, refs):
            out.write(repr(float(sentence_bleu([r.split() for r in rs], h.split(), smoothing_function=fn))) + "\n")
    elif which == "sacrebleu":
        from sacrebleu.metrics import BLEU
        bleu = BLEU(effective_order=True)
        for h, rs in zip(hyps, refs):
            out.write(repr(bleu.sentence_score(h, rs).score) + "\n")
    else:
        raise SystemExit(f"score_python.py: unknown scorer {which!r}; expected nltk or sacrebleu")


if __name__ == "__main__":
    main(*sys.argv[1:])
