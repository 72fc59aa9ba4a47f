"""Writes the reward benchmark's corpus: N lines of `hypothesis<TAB>reference`, whitespace tokens.

References are 5-30 tokens drawn from a Zipf-like vocabulary of 2000 pseudo-words; each
hypothesis is its reference with random substitutions, deletions, insertions and swaps, so
that BLEU is spread over its range, as for samples of a policy being trained.
Usage: python generate_corpus.py OUT.tsv [N] [SEED]
"""
import random
import sys


def main(out_path, n=100_000, seed=2026):
    rnd = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rnd.choice(letters) for _ in range(rnd.randint(1, 9))) for _ in range(2000)]
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    with open(out_path, "w", encoding="utf-8") as f:
        for _ in range(n):
            ref = rnd.choices(vocab, weights, k=rnd.randint(5, 30))
            noise = rnd.random() * 0.5
            hyp = []
            for tok in ref:
                r = rnd.random()
                if r < noise * 0.4:
                    hyp.append(rnd.choices(vocab, weights)[0])
                elif r < noise * 0.7:
                    continue
                elif r < noise:
                    hyp.extend([tok, rnd.choices(vocab, weights)[0]])
                else:
                    hyp.append(tok)
            if len(hyp) > 2 and rnd.random() < noise:
                i = rnd.randrange(len(hyp) - 1)
                hyp[i], hyp[i + 1] = hyp[i + 1], hyp[i]
            f.write(" ".join(hyp) + "\t" + " ".join(ref) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
