"""Trains a byte-level BPE tokenizer (HuggingFace tokenizers) on one text per line; writes tokenizer.json.

SeqRL calls this for data.tsv.level: bpe (experiments' SubwordTokenizer) and loads the result in Java through
DJL's binding of the same Rust library, so that training, encoding and decoding are one implementation.
Byte-level: the 256 byte symbols are the initial alphabet, so no text is ever out of vocabulary and
decode(encode(x)) == x for every string x. No special tokens: SeqRL reserves its own ids (pad, start, end, unk).

usage: train_tokenizer.py INPUT_TEXT_FILE OUTPUT_JSON VOCAB_SIZE
"""
import sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers


def main(argv):
    if len(argv) != 4:
        print("usage: train_tokenizer.py INPUT_TEXT_FILE OUTPUT_JSON VOCAB_SIZE", file=sys.stderr)
        return 2
    source, output, vocab_size = argv[1], argv[2], int(argv[3])
    tokenizer = Tokenizer(models.BPE())
    # add_prefix_space=False: a leading space would not survive decode, and the round trip must be exact.
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    with open(source, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    tokenizer.train_from_iterator(lines, trainer=trainer, length=len(lines))
    tokenizer.save(output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
