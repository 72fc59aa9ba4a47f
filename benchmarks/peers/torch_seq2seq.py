"""PyTorch peer of SeqRL's reference model and RL step, for the benchmark harness.

The model matches SeqRL's reference setup (docs/design.md, Practical RL seq2seq): embedding 64,
one-layer GRU encoder, dense tanh bridge from the encoder's final state to the decoder's
initial state, GRU decoder with hidden 256, dense output layer; optionally additive (Bahdanau)
attention whose context is fed into the decoder cell at the next step. The cases and sizes
mirror benchmarks/run.sh's Java side: batch 32, character sequences of length 20-30
(target = reversed source), vocabulary 30 with ids 0-3 reserved (pad, start, end, unknown).

Prints one JSON line per case: {"side", "case", "attention", "threads", "median_s", "q1_s", "q3_s", "reps"}.
"""
import argparse
import json
import random
import statistics
import time

import Levenshtein
import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, START, END = 0, 1, 2
VOCAB, BATCH, MAX_LEN = 30, 32, 35


class Seq2Seq(nn.Module):
    def __init__(self, vocab=VOCAB, emb=64, hidden=256, attention="none", att_size=256):
        super().__init__()
        self.attention = attention
        self.src_emb = nn.Embedding(vocab, emb)
        self.tgt_emb = nn.Embedding(vocab, emb)
        self.encoder = nn.GRU(emb, hidden, batch_first=True)
        self.bridge = nn.Linear(hidden, hidden)
        ctx = hidden if attention == "additive" else 0
        self.cell = nn.GRUCell(emb + ctx, hidden)
        self.out = nn.Linear(hidden, vocab)
        if attention == "additive":
            self.att_enc = nn.Linear(hidden, att_size, bias=False)
            self.att_dec = nn.Linear(hidden, att_size)
            self.att_v = nn.Linear(att_size, 1, bias=False)

    def encode(self, src, src_len):
        packed = nn.utils.rnn.pack_padded_sequence(self.src_emb(src), src_len, batch_first=True, enforce_sorted=False)
        outputs, h_n = self.encoder(packed)
        enc, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True)
        state = torch.tanh(self.bridge(h_n[0]))
        mask = torch.arange(enc.shape[1])[None, :] < src_len[:, None]
        keys = self.att_enc(enc) if self.attention == "additive" else None
        return enc, keys, mask, state

    def step(self, token, h, ctx, enc, keys, mask):
        x = self.tgt_emb(token)
        if self.attention == "additive":
            x = torch.cat([x, ctx], dim=-1)
        h = self.cell(x, h)
        if self.attention == "additive":
            # Bahdanau scores from the new state; the context feeds the cell at the next step.
            scores = self.att_v(torch.tanh(keys + self.att_dec(h)[:, None, :])).squeeze(-1)
            scores = scores.masked_fill(~mask, float("-inf"))
            ctx = torch.bmm(torch.softmax(scores, dim=-1)[:, None, :], enc).squeeze(1)
        return self.out(h), h, ctx

    def initial(self, src, src_len):
        enc, keys, mask, h = self.encode(src, src_len)
        ctx = torch.zeros_like(h) if self.attention == "additive" else None
        return enc, keys, mask, h, ctx

    def teacher_forced_logits(self, src, src_len, tgt_in):
        enc, keys, mask, h, ctx = self.initial(src, src_len)
        logits = []
        for t in range(tgt_in.shape[1]):
            lt, h, ctx = self.step(tgt_in[:, t], h, ctx, enc, keys, mask)
            logits.append(lt)
        return torch.stack(logits, dim=1)

    def decode(self, src, src_len, greedy, max_len=MAX_LEN):
        """Returns tokens [B, T], log-probs [B, T], entropies [B, T], mask [B, T]."""
        enc, keys, mask, h, ctx = self.initial(src, src_len)
        b = src.shape[0]
        token = torch.full((b,), START, dtype=torch.long)
        done = torch.zeros(b, dtype=torch.bool)
        toks, logps, ents, masks = [], [], [], []
        for _ in range(max_len):
            logits, h, ctx = self.step(token, h, ctx, enc, keys, mask)
            logits = logits.clone()
            logits[:, PAD] = float("-inf")
            logits[:, START] = float("-inf")
            logp = F.log_softmax(logits, dim=-1)
            token = logp.argmax(-1) if greedy else torch.multinomial(logp.exp(), 1).squeeze(-1)
            masks.append(~done)
            toks.append(token)
            logps.append(logp.gather(1, token[:, None]).squeeze(1))
            p = logp.exp()
            ents.append(-(p * torch.where(p > 0, logp, torch.zeros_like(logp))).sum(-1))
            done = done | (token == END)
            if bool(done.all()):
                break
        return torch.stack(toks, 1), torch.stack(logps, 1), torch.stack(ents, 1), torch.stack(masks, 1).float()

    @torch.no_grad()
    def beam_search(self, src, src_len, width=5, max_len=MAX_LEN):
        """Batched beam search: beams are rows of a [B*width] batch."""
        b = src.shape[0]
        enc, keys, mask, h, ctx = self.initial(src, src_len)
        rep = lambda x: None if x is None else x.repeat_interleave(width, dim=0)
        enc, keys, mask, h, ctx = rep(enc), rep(keys), rep(mask), rep(h), rep(ctx)
        scores = torch.full((b, width), float("-inf"))
        scores[:, 0] = 0.0
        token = torch.full((b * width,), START, dtype=torch.long)
        finished = torch.zeros(b, width, dtype=torch.bool)
        history = torch.zeros(b, width, 0, dtype=torch.long)
        for _ in range(max_len):
            logits, h, ctx = self.step(token, h, ctx, enc, keys, mask)
            logits[:, PAD] = float("-inf")
            logits[:, START] = float("-inf")
            logp = F.log_softmax(logits, -1).view(b, width, -1)
            # A finished beam keeps its score and only extends with padding.
            logp = torch.where(finished[..., None], torch.full_like(logp, float("-inf")), logp)
            logp[..., PAD] = torch.where(finished, torch.zeros_like(scores), torch.full_like(scores, float("-inf")))
            total = (scores[..., None] + logp).view(b, -1)
            scores, idx = total.topk(width, dim=-1)
            beam, tok = idx // logp.shape[-1], idx % logp.shape[-1]
            flat = (beam + torch.arange(b)[:, None] * width).view(-1)
            h = h[flat]
            ctx = None if ctx is None else ctx[flat]
            history = torch.cat([history.gather(1, beam[..., None].expand(-1, -1, history.shape[2])), tok[..., None]], 2)
            finished = finished.gather(1, beam) | (tok == END)
            token = tok.view(-1)
            if bool(finished.all()):
                break
        return history[:, 0]


def make_batch(rng):
    lens = [rng.randint(20, 30) for _ in range(BATCH)]
    src = torch.full((BATCH, max(lens)), PAD, dtype=torch.long)
    refs = []
    for i, n in enumerate(lens):
        s = [rng.randint(4, VOCAB - 1) for _ in range(n)]
        src[i, :n] = torch.tensor(s)
        refs.append(list(reversed(s)))
    return src, torch.tensor(lens), refs


def mle_step(model, opt, rng):
    src, src_len, refs = make_batch(rng)
    t = max(len(r) for r in refs) + 1
    tgt_in = torch.full((BATCH, t), PAD, dtype=torch.long)
    tgt_out = torch.full((BATCH, t), PAD, dtype=torch.long)
    for i, r in enumerate(refs):
        tgt_in[i, : len(r) + 1] = torch.tensor([START] + r)
        tgt_out[i, : len(r) + 1] = torch.tensor(r + [END])
    logits = model.teacher_forced_logits(src, src_len, tgt_in)
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), tgt_out.reshape(-1), ignore_index=PAD, reduction="sum") / BATCH
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 50.0)
    opt.step()


def hyp(tokens, row):
    out = []
    for t in tokens[row].tolist():
        if t == END:
            break
        out.append(t)
    return out


def scst_step(model, opt, rng):
    """Returns the number of decoder steps the sample ran."""
    src, src_len, refs = make_batch(rng)
    with torch.no_grad():
        greedy, _, _, _ = model.decode(src, src_len, greedy=True)
    tokens, logp, ent, mask = model.decode(src, src_len, greedy=False)
    # Levenshtein on token ids, via code points, like SeqRL's int-array path.
    text = lambda ids: "".join(chr(0x100 + i) for i in ids)
    r = torch.tensor([-Levenshtein.distance(text(hyp(tokens, i)), text(refs[i])) for i in range(BATCH)], dtype=torch.float)
    g = torch.tensor([-Levenshtein.distance(text(hyp(greedy, i)), text(refs[i])) for i in range(BATCH)], dtype=torch.float)
    adv = (r - g)[:, None]
    loss = -(adv * logp * mask).sum() / BATCH - 0.01 * (ent * mask).sum() / BATCH
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 50.0)
    opt.step()
    return tokens.shape[1]


def timed(body, warmup, reps):
    for _ in range(warmup):
        body()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        body()
        times.append(time.perf_counter() - t)
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return statistics.median(times), q[0], q[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--pretrain", type=int, default=0, help="MLE steps before timing, so decodes have reference-like lengths")
    ap.add_argument("--attention", default="none,additive")
    ap.add_argument("--cases", default="mle_step,scst_step,greedy_batch,beam5_batch")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    for attention in args.attention.split(","):
        model = Seq2Seq(attention=attention)
        rng = random.Random(5)
        pre = torch.optim.Adam(model.parameters(), lr=3e-3)  # SeqRL's ModelBenchmark.PRETRAIN_LR
        for _ in range(args.pretrain):
            mle_step(model, pre, rng)
        for case in args.cases.split(","):
            decoded = []  # decoder steps run per timed call
            if case == "mle_step":
                opt = torch.optim.Adam(model.parameters(), lr=1e-3)
                body = lambda: mle_step(model, opt, rng)
            elif case == "scst_step":
                opt = torch.optim.Adam(model.parameters(), lr=1e-5)
                body = lambda: decoded.append(scst_step(model, opt, rng))
            elif case == "greedy_batch":
                def body():
                    src, src_len, _ = make_batch(rng)
                    with torch.no_grad():
                        decoded.append(model.decode(src, src_len, greedy=True)[0].shape[1])
            elif case == "beam5_batch":
                def body():
                    src, src_len, _ = make_batch(rng)
                    decoded.append(model.beam_search(src, src_len, width=5).shape[1])
            else:
                raise SystemExit(f"unknown case {case!r}; expected mle_step, scst_step, greedy_batch, beam5_batch")
            med, q1, q3 = timed(body, args.warmup, args.reps)
            row = {"side": "pytorch", "case": case, "attention": attention, "threads": args.threads,
                   "median_s": med, "q1_s": q1, "q3_s": q3, "reps": args.reps, "pretrain": args.pretrain,
                   "version": torch.__version__}
            if decoded:
                row["decoder_steps"] = sum(decoded) / len(decoded)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
