#!/usr/bin/env python3
"""Writes examples/data/translit.tsv: a deterministic toy transliteration (no randomness, no downloads).

Each source is a pronounceable lowercase word built from syllables; its reference is the word in upper
case with a fixed letter substitution (c->K, x->KS, w->V, y->J, q->KW), so that the mapping is
learnable but not a plain copy. Every 7th word also gets a second reference (ph read as F).
"""
import itertools
import pathlib

ONSETS = ["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "ph", "q", "r", "s", "t", "w", "x", "y", "z"]
VOWELS = ["a", "e", "i", "o", "u"]
SUB = {"c": "K", "x": "KS", "w": "V", "y": "J", "q": "KW"}


def translit(word, ph_as_f=False):
    if ph_as_f:
        word = word.replace("ph", "f")
    return "".join(SUB.get(ch, ch.upper()) for ch in word)


def main():
    syllables = [o + v for o, v in itertools.product(ONSETS, VOWELS)]
    words = []
    for i in range(200):
        n = 2 + i % 3
        parts = [syllables[(i * 37 + k * 11 + k * k * 5) % len(syllables)] for k in range(n)]
        words.append("".join(parts))
    out = pathlib.Path(__file__).resolve().parent.parent / "examples" / "data" / "translit.tsv"
    with out.open("w") as f:
        for i, w in enumerate(words):
            refs = [translit(w)]
            if i % 7 == 0 and "ph" in w:
                refs.append(translit(w, ph_as_f=True))
            f.write(w + "\t" + "\t".join(refs) + "\n")


if __name__ == "__main__":
    main()
