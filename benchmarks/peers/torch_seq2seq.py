"""PyTorch peer of SeqRL's reference model and RL step, for the benchmark harness.

The model matches SeqRL's reference setup (docs/design.md, Practical RL seq2seq): embedding 64,
one-layer GRU encoder, dense tanh bridge from the encoder's final state to the decoder's
initial state, GRU decoder with hidden 256, dense output layer; optionally additive (Bahdanau)
attention whose context is fed into the decoder cell at the next step. The cases and sizes
mirror benchmarks/run.sh's Java side: batch 32, character sequences of length 20-30
(target = reversed source), vocabulary 30 with ids 0-3 reserved (pad, start, end, unknown).
--batch, --hidden, --length and --target-vocab change the sizes as ModelBenchmark's options do
(sources of length L to 1.5 L, decodes capped at 1.5 L + 5, an output layer target-vocab wide whose
extra ids never occur in the data); --peak-rss ends with the process's peak resident size.

Written as a PyTorch user who cares about speed would write it (issue #20): nn.GRU over the whole
teacher-forced sequence where nothing feeds back (no attention), one output projection over all
steps, one encoder pass per SCST step shared by the greedy baseline, the sample and the update,
torch.inference_mode for every decode that needs no gradient, and --compile for a torch.compile row.
Decoder steps are counted as SeqRL's ModelBenchmark counts them (the longest decoded row, END
included; for beam search the longest returned hypothesis plus one).

Prints one JSON line per case: {"side", "case", "attention", "threads", "median_s", "q1_s", "q3_s", "reps", ...}.
"""
import argparse
import json
import random
import resource

import torch
import torch.nn as nn
import torch.nn.functional as F

from peer_common import (CASES, END, PAD, PRETRAIN_LR, START, add_run_args, beam_choose, beam_extend, beam_start,
                         decode_case, mle_update, optimizer_step, print_row, scst_loss, start, timed)

# the reference sizes; main() sets them from the options (ModelBenchmark.Sizes on SeqRL's side)
VOCAB, BATCH, MAX_LEN = 30, 32, 35
MIN_LEN, MAX_SOURCE, TARGET_VOCAB = 20, 30, 30


class Seq2Seq(nn.Module):
    def __init__(self, vocab=VOCAB, emb=64, hidden=256, attention="none", att_size=256, target_vocab=None):
        super().__init__()
        target_vocab = target_vocab or vocab
        self.attention = attention
        self.src_emb = nn.Embedding(vocab, emb)
        self.tgt_emb = nn.Embedding(target_vocab, emb)
        self.encoder = nn.GRU(emb, hidden, batch_first=True)
        self.bridge = nn.Linear(hidden, hidden)
        ctx = hidden if attention == "additive" else 0
        # One nn.GRU holds the decoder's weights. Without attention nothing feeds back from one
        # step's output into the next step's input, so teacher forcing runs it over the whole
        # sequence in one call (ATen's fused loop); decoding and input-feeding attention step it
        # one token at a time with torch.gru_cell on the same weights.
        self.decoder = nn.GRU(emb + ctx, hidden, batch_first=True)
        self.out = nn.Linear(hidden, target_vocab)
        if attention == "additive":
            self.att_enc = nn.Linear(hidden, att_size, bias=False)
            self.att_dec = nn.Linear(hidden, att_size)
            self.att_v = nn.Linear(att_size, 1, bias=False)
        # added to every step's logits: the decoder never emits padding or the start token
        forbid = torch.zeros(target_vocab)
        forbid[PAD] = forbid[START] = float("-inf")
        self.register_buffer("forbid", forbid)

    def encode(self, src, src_len):
        """The encoder pass: (enc, keys, mask, initial state, initial context)."""
        packed = nn.utils.rnn.pack_padded_sequence(self.src_emb(src), src_len, batch_first=True, enforce_sorted=False)
        outputs, h_n = self.encoder(packed)
        enc, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True)
        state = torch.tanh(self.bridge(h_n[0]))
        mask = torch.arange(enc.shape[1])[None, :] < src_len[:, None]
        keys = self.att_enc(enc) if self.attention == "additive" else None
        ctx = torch.zeros_like(state) if self.attention == "additive" else None
        return enc, keys, mask, state, ctx

    def cell(self, x, h, ctx, enc, keys, mask):
        """One decoder step from input embedding x: the new state and attention context."""
        d = self.decoder
        if self.attention == "additive":
            x = torch.cat([x, ctx], dim=-1)
        h = torch.gru_cell(x, h, d.weight_ih_l0, d.weight_hh_l0, d.bias_ih_l0, d.bias_hh_l0)
        if self.attention == "additive":
            # Bahdanau scores from the new state; the context feeds the cell at the next step.
            scores = self.att_v(torch.tanh(keys + self.att_dec(h)[:, None, :])).squeeze(-1)
            scores = scores.masked_fill(~mask, float("-inf"))
            ctx = torch.bmm(torch.softmax(scores, dim=-1)[:, None, :], enc).squeeze(1)
        return h, ctx

    def teacher_forced_logits(self, encoded, tgt_in):
        """Logits [B, T, V] for the given decoder inputs: one projection over all steps."""
        enc, keys, mask, h, ctx = encoded
        x = self.tgt_emb(tgt_in)
        if self.attention == "none":
            states, _ = self.decoder(x, h[None])
        else:
            hs = []
            for t in range(x.shape[1]):
                h, ctx = self.cell(x[:, t], h, ctx, enc, keys, mask)
                hs.append(h)
            states = torch.stack(hs, 1)
        return self.out(states) + self.forbid

    def decode(self, encoded, greedy, max_len=None):
        """Tokens [B, T] (END included, then whatever follows in rows that ended earlier), the
        mask [B, T] of the steps each row really took, and the logits [B, T, V]."""
        enc, keys, mask, h, ctx = encoded
        max_len = max_len or MAX_LEN
        b = h.shape[0]
        token = torch.full((b,), START, dtype=torch.long)
        done = torch.zeros(b, dtype=torch.bool)
        toks, masks, steps = [], [], []
        for _ in range(max_len):
            h, ctx = self.cell(self.tgt_emb(token), h, ctx, enc, keys, mask)
            logits = self.out(h) + self.forbid
            token = logits.argmax(-1) if greedy else torch.multinomial(torch.softmax(logits, -1), 1).squeeze(-1)
            steps.append(logits)
            masks.append(~done)
            toks.append(token)
            done = done | (token == END)
            if bool(done.all()):
                break
        return torch.stack(toks, 1), torch.stack(masks, 1).float(), torch.stack(steps, 1)

    @torch.inference_mode()
    def beam_search(self, src, src_len, width=5, max_len=None):
        """Batched beam search: beams are rows of a [B*width] batch. Returns the best row's tokens
        [B, T] and the decoder steps run."""
        b = src.shape[0]
        max_len = max_len or MAX_LEN
        enc, keys, mask, h, ctx = self.encode(src, src_len)
        rep = lambda x: None if x is None else x.repeat_interleave(width, dim=0)
        enc, keys, mask, h, ctx = rep(enc), rep(keys), rep(mask), rep(h), rep(ctx)
        scores, token, finished, history = beam_start(b, width)
        for _ in range(max_len):
            h, ctx = self.cell(self.tgt_emb(token), h, ctx, enc, keys, mask)
            logp = F.log_softmax(self.out(h) + self.forbid, -1).view(b, width, -1)
            scores, beam, tok = beam_choose(scores, logp, finished)
            flat = (beam + torch.arange(b)[:, None] * width).view(-1)
            h = h[flat]
            ctx = None if ctx is None else ctx[flat]
            history, finished, token = beam_extend(history, finished, beam, tok)
            if bool(finished.all()):
                break
        return history[:, 0], history.shape[2]


def make_batch(rng):
    lens = [rng.randint(MIN_LEN, MAX_SOURCE) for _ in range(BATCH)]
    src = torch.full((BATCH, max(lens)), PAD, dtype=torch.long)
    refs = []
    for i, n in enumerate(lens):
        s = [rng.randint(4, VOCAB - 1) for _ in range(n)]
        src[i, :n] = torch.tensor(s)
        refs.append(list(reversed(s)))
    return src, torch.tensor(lens), refs


def mle_step(model, opt, rng):
    mle_update(model, opt, make_batch(rng))


def scst_step(model, opt, rng, update):
    """One SCST step; returns the number of decoder steps the sample ran.

    One encoder pass serves the greedy baseline, the sample and the update. update="replay":
    both decodes run under inference_mode (no graph), then the sampled tokens are fed back
    teacher-forced (without attention one fused nn.GRU call and one output projection), and the
    update backpropagates through that; update="kept": the sample is decoded with autograd on and
    the update backpropagates through its kept graph, as SeqRL's update does.
    """
    src, src_len, refs = make_batch(rng)
    encoded = model.encode(src, src_len)
    with torch.inference_mode():
        greedy, _, _ = model.decode(encoded, greedy=True)
    if update == "replay":
        with torch.inference_mode():
            tokens, mask, _ = model.decode(encoded, greedy=False)
        tokens, mask = tokens.clone(), mask.clone()  # out of inference mode, so autograd may save them
        tgt_in = torch.cat([torch.full((BATCH, 1), START, dtype=torch.long), tokens[:, :-1]], 1)
        logits = model.teacher_forced_logits(encoded, tgt_in)
    else:
        tokens, mask, logits = model.decode(encoded, greedy=False)
    loss, _ = scst_loss(logits, tokens, mask, greedy, refs)
    optimizer_step(model, opt, loss)
    return tokens.shape[1]


def main():
    global BATCH, MAX_LEN, MIN_LEN, MAX_SOURCE, TARGET_VOCAB
    ap = argparse.ArgumentParser()
    add_run_args(ap)
    ap.add_argument("--attention", default="none,additive")
    ap.add_argument("--cases", default=CASES)
    ap.add_argument("--scst-update", choices=["auto", "replay", "kept"], default="auto",
                    help="how the SCST update gets its graph (see scst_step); auto: replay without attention, kept with it")
    ap.add_argument("--compile", action="store_true",
                    help="torch.compile the decoder step and the teacher-forced pass (side pytorch-compile); needs a C++ compiler")
    ap.add_argument("--batch", type=int, default=BATCH)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--length", type=int, default=MIN_LEN, help="sources of length L to 1.5 L")
    ap.add_argument("--target-vocab", type=int, default=TARGET_VOCAB, help="width of the output layer (>= 30)")
    ap.add_argument("--peak-rss", action="store_true", help="end with the process's peak resident size")
    args = ap.parse_args()
    if args.batch < 1 or args.hidden < 1 or args.length < 2 or args.target_vocab < VOCAB:
        raise SystemExit(f"sizes batch={args.batch} hidden={args.hidden} length={args.length} "
                         f"target-vocab={args.target_vocab}: expected batch >= 1, hidden >= 1, length >= 2, target-vocab >= {VOCAB}")
    BATCH, MIN_LEN, TARGET_VOCAB = args.batch, args.length, args.target_vocab
    MAX_SOURCE = MIN_LEN + MIN_LEN // 2
    MAX_LEN = MAX_SOURCE + 5
    sizes = {"batch": BATCH, "hidden": args.hidden, "length": MIN_LEN, "target_vocab": TARGET_VOCAB}
    side = start(args)
    for attention in args.attention.split(","):
        model = Seq2Seq(hidden=args.hidden, attention=attention, att_size=args.hidden, target_vocab=TARGET_VOCAB)
        if args.compile:
            # the parts that run per step or per sequence; the packed encoder and the Python
            # loops around them stay eager
            model.cell = torch.compile(model.cell)
            model.teacher_forced_logits = torch.compile(model.teacher_forced_logits)
        update = args.scst_update if args.scst_update != "auto" else ("replay" if attention == "none" else "kept")
        rng = random.Random(5)
        pre = torch.optim.Adam(model.parameters(), lr=PRETRAIN_LR)
        for _ in range(args.pretrain):
            mle_step(model, pre, rng)
        for case in args.cases.split(","):
            decoded = []  # decoder steps per timed call, counted as SeqRL's ModelBenchmark counts them
            loops = []  # decoder steps the peer's loop ran (beam search runs on until every beam ends)
            if case == "mle_step":
                opt = torch.optim.Adam(model.parameters(), lr=1e-3)
                body = lambda: mle_step(model, opt, rng)
            elif case == "scst_step":
                opt = torch.optim.Adam(model.parameters(), lr=1e-5)
                body = lambda: decoded.append(scst_step(model, opt, rng, update))
            else:
                body = decode_case(case, model, lambda: make_batch(rng), decoded, loops)
            med, q1, q3, cpu = timed(body, args.warmup, args.reps)
            row = {"side": side, "case": case, "attention": attention, "threads": args.threads,
                   "median_s": med, "q1_s": q1, "q3_s": q3, "reps": args.reps, "pretrain": args.pretrain,
                   "version": torch.__version__, **sizes}
            if args.threads == 1:
                row["cpu_median_s"] = cpu
            if case == "scst_step":
                row["scst_update"] = update
            print_row(row, decoded, loops)
    if args.peak_rss:
        # ru_maxrss is in kB on Linux
        print(json.dumps({"side": side, "case": "peak_rss", "attention": args.attention, "threads": args.threads,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, **sizes}), flush=True)


if __name__ == "__main__":
    main()
