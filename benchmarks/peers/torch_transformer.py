"""PyTorch peer of SeqRL's transformer (model.type: transformer) and its RL step, for benchmarks/run.sh --model transformer.

The model is SeqRL's Seq2SeqConfig.Transformer.defaults() (docs/agents.md, "The transformer"):
2 encoder + 2 decoder layers, width 256, 4 heads, feed-forward 1024 with GELU (tanh form), no
dropout, pre-norm residuals (x + f(LN(x))) with a final layer norm on each side, sinusoidal
positions (sin in even columns, cos in odd ones), inputs sqrt(D) E[id] + position, separate source
and target embeddings, the output tied to the target embedding (h E^T + b), layer-norm eps 1e-5,
biases on every projection. Initialised as SeqRL initialises it (embeddings N(0, 1/D), weights
U(+-1/sqrt(fan_in)), zero biases, unit gains), so both sides pretrain alike. Same data and sizes as
the recurrent peer (torch_seq2seq.py): batch 32, reverse task, lengths 20-30, vocabulary 30.

Written as a PyTorch expert would write it for speed on a CPU:
- the encoder is nn.TransformerEncoder (norm_first, batch_first, the padding mask);
- the decoder is hand-written on F.scaled_dot_product_attention, because nn.TransformerDecoder
  has no key/value cache: teacher forcing runs every position as one block (is_causal), decoding
  runs one position per step against per-layer preallocated K/V cache tensors written in place;
- the cross-attention keys and values of every layer are projected once per encoder pass and
  shared by every decode of that pass; in beam search the 5 beams of a source are 5 query rows
  against that source's keys (no copy of the memory per beam), and only the self-attention cache
  is reordered (index_select) each step;
- SCST encodes once: the greedy baseline and the sample decode under torch.inference_mode from
  that pass, then the sampled tokens are replayed teacher-forced (one block) for the update;
- torch.inference_mode for greedy and beam decoding.
Decoder steps are counted as SeqRL's ModelBenchmark counts them (see torch_seq2seq.py).

Prints one JSON line per case, as torch_seq2seq.py does, with "model": "transformer" and
"attention": "multi-head", plus a "parameters" line with the parameter count.
"""
import argparse
import json
import math
import random
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from peer_common import (CASES, END, PAD, PRETRAIN_LR, START, add_run_args, beam_choose, beam_extend, beam_start,
                         decode_case, mle_update, optimizer_step, print_row, scst_loss, start, timed)
from torch_seq2seq import BATCH, MAX_LEN, VOCAB, make_batch


def gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


def sinusoids(rows, d):
    """SeqRL's Positions.sinusoids: sin(t / 10000^(i/d)) in even column i, cos of the same angle in i+1."""
    t = torch.arange(rows, dtype=torch.float64)[:, None]
    i = torch.arange(0, d, 2, dtype=torch.float64)[None, :]
    angle = t / torch.pow(10000.0, i / d)
    pe = torch.zeros(rows, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.float()


class DecoderLayer(nn.Module):
    """Pre-norm: causal self-attention, cross-attention, feed-forward, each x + f(LN(x))."""

    def __init__(self, d, heads, ff):
        super().__init__()
        self.d, self.heads, self.dh = d, heads, d // heads
        self.ln1, self.ln2, self.ln3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.self_out = nn.Linear(d, d)
        self.q = nn.Linear(d, d)
        self.kv = nn.Linear(d, 2 * d)
        self.cross_out = nn.Linear(d, d)
        self.ff1 = nn.Linear(d, ff)
        self.ff2 = nn.Linear(ff, d)

    def heads_of(self, x):
        """[B, T, D] -> [B, H, T, dh]."""
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.dh).transpose(1, 2)

    def merge(self, x):
        """[B, H, T, dh] -> [B, T, D]."""
        b, _, t, _ = x.shape
        return x.transpose(1, 2).reshape(b, t, self.d)

    def cross_keys(self, memory):
        """Keys and values [B, H, S, dh] of the encoder outputs, once per encoder pass."""
        k, v = self.kv(memory).chunk(2, dim=-1)
        return self.heads_of(k), self.heads_of(v)

    def cross(self, x, keys, mask, group):
        """Cross-attention of x [R, T, D] where R = B * group (the group rows of a source in a row):
        each source's group rows are stacked as query positions against its keys [B, H, S, dh]."""
        r, t, _ = x.shape
        q = self.q(self.ln2(x))
        if group > 1:
            q = q.view(r // group, group * t, self.d)
        ctx = self.merge(F.scaled_dot_product_attention(self.heads_of(q), *keys, attn_mask=mask))
        return x + self.cross_out(ctx.reshape(r, t, self.d))

    def feed_forward(self, x):
        return x + self.ff2(gelu_tanh(self.ff1(self.ln3(x))))

    def block(self, x, keys, mask):
        """Teacher forcing: every position of x [B, T, D] at once."""
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        ctx = F.scaled_dot_product_attention(self.heads_of(q), self.heads_of(k), self.heads_of(v), is_causal=True)
        x = x + self.self_out(self.merge(ctx))
        return self.feed_forward(self.cross(x, keys, mask, 1))

    def step(self, x, t, cache_k, cache_v, keys, mask, group):
        """One position t of x [R, 1, D]; writes its key and value into the caches [R, H, cap, dh]."""
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        cache_k[:, :, t : t + 1] = self.heads_of(k)
        cache_v[:, :, t : t + 1] = self.heads_of(v)
        ctx = F.scaled_dot_product_attention(self.heads_of(q), cache_k[:, :, : t + 1], cache_v[:, :, : t + 1])
        x = x + self.self_out(self.merge(ctx))
        return self.feed_forward(self.cross(x, keys, mask, group))


class Transformer(nn.Module):
    def __init__(self, vocab=VOCAB, d=256, heads=4, ff=1024, enc_layers=2, dec_layers=2):
        super().__init__()
        self.d, self.heads = d, heads
        self.src_emb = nn.Embedding(vocab, d)
        self.tgt_emb = nn.Embedding(vocab, d)
        layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation=gelu_tanh, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, enc_layers, norm=nn.LayerNorm(d), enable_nested_tensor=False)
        self.layers = nn.ModuleList(DecoderLayer(d, heads, ff) for _ in range(dec_layers))
        self.dec_norm = nn.LayerNorm(d)
        self.out_b = nn.Parameter(torch.zeros(vocab))  # the output weight is tgt_emb (tied)
        self.register_buffer("pos", sinusoids(512, d), persistent=False)
        # added to every step's logits: the decoder never emits padding or the start token
        forbid = torch.zeros(vocab)
        forbid[PAD] = forbid[START] = float("-inf")
        self.register_buffer("forbid", forbid, persistent=False)
        self.reset_like_seqrl()

    @torch.no_grad()
    def reset_like_seqrl(self):
        """SeqRL's initialisation: embeddings N(0, 1/D), every weight U(+-1/sqrt(fan_in)), zero biases, unit LN gains."""
        for m in self.modules():
            if isinstance(m, nn.Embedding):
                m.weight.normal_(0.0, 1 / math.sqrt(self.d))
            elif isinstance(m, nn.LayerNorm):
                m.weight.fill_(1.0)
                m.bias.zero_()
            elif isinstance(m, nn.Linear):
                m.weight.uniform_(-1 / math.sqrt(m.in_features), 1 / math.sqrt(m.in_features))
                m.bias.zero_()
            elif isinstance(m, nn.MultiheadAttention):
                m.in_proj_weight.uniform_(-1 / math.sqrt(self.d), 1 / math.sqrt(self.d))
                m.in_proj_bias.zero_()

    def embed(self, emb, ids, t0=0):
        return math.sqrt(self.d) * emb(ids) + self.pos[t0 : t0 + ids.shape[1]]

    def encode(self, src, src_len):
        """The encoder pass: every decoder layer's cross keys/values and the padding mask [B, 1, 1, S] (True = attend)."""
        valid = torch.arange(src.shape[1])[None, :] < src_len[:, None]
        memory = self.encoder(self.embed(self.src_emb, src), src_key_padding_mask=~valid)
        return [layer.cross_keys(memory) for layer in self.layers], valid[:, None, None, :]

    def logits(self, h):
        return F.linear(self.dec_norm(h), self.tgt_emb.weight, self.out_b) + self.forbid

    def teacher_forced_logits(self, encoded, tgt_in):
        keys, mask = encoded
        x = self.embed(self.tgt_emb, tgt_in)
        for layer, kv in zip(self.layers, keys):
            x = layer.block(x, kv, mask)
        return self.logits(x)

    def caches(self, rows, cap):
        shape = (rows, self.heads, cap, self.d // self.heads)
        return [(torch.empty(shape), torch.empty(shape)) for _ in self.layers]

    def step(self, token, t, caches, encoded, group=1):
        """Logits [R, V] of position t given the previous tokens [R]."""
        keys, mask = encoded
        x = self.embed(self.tgt_emb, token[:, None], t)
        for layer, kv, (ck, cv) in zip(self.layers, keys, caches):
            x = layer.step(x, t, ck, cv, kv, mask, group)
        return self.logits(x[:, 0])

    def decode(self, encoded, greedy, max_len=MAX_LEN):
        """Tokens [B, T] (END included, then whatever follows in rows that ended earlier) and the
        mask [B, T] of the steps each row really took. Call under inference_mode."""
        b = encoded[1].shape[0]
        caches = self.caches(b, max_len)
        token = torch.full((b,), START, dtype=torch.long)
        done = torch.zeros(b, dtype=torch.bool)
        toks, masks = [], []
        for t in range(max_len):
            logits = self.step(token, t, caches, encoded)
            token = logits.argmax(-1) if greedy else torch.multinomial(torch.softmax(logits, -1), 1).squeeze(-1)
            masks.append(~done)
            toks.append(token)
            done = done | (token == END)
            if bool(done.all()):
                break
        return torch.stack(toks, 1), torch.stack(masks, 1).float()

    @torch.inference_mode()
    def beam_search(self, src, src_len, width=5, max_len=MAX_LEN):
        """Batched beam search: beams are rows of a [B*width] batch (the rows of a source adjacent);
        the finished-beam rule of peer_common.beam_choose, as in torch_seq2seq.py. Returns the best
        row's tokens [B, T] and the steps run."""
        b = src.shape[0]
        encoded = self.encode(src, src_len)
        caches = self.caches(b * width, max_len)
        scores, token, finished, history = beam_start(b, width)
        offsets = torch.arange(b)[:, None] * width
        for t in range(max_len):
            logp = F.log_softmax(self.step(token, t, caches, encoded, group=width), -1).view(b, width, -1)
            scores, beam, tok = beam_choose(scores, logp, finished)
            flat = (beam + offsets).view(-1)
            for ck, cv in caches:
                ck[:, :, : t + 1] = ck[:, :, : t + 1].index_select(0, flat)
                cv[:, :, : t + 1] = cv[:, :, : t + 1].index_select(0, flat)
            history, finished, token = beam_extend(history, finished, beam, tok)
            if bool(finished.all()):
                break
        return history[:, 0], history.shape[2]


def mle_step(model, opt, rng):
    """One MLE step; returns the loss (summed token NLL per sequence)."""
    return mle_update(model, opt, make_batch(rng)).item()


def scst_step(model, opt, rng, check=None):
    """One SCST step from one encoder pass; returns the number of decoder steps the sample ran.

    The greedy baseline and the sample decode under inference_mode from the shared pass (and its
    cross keys); the sampled tokens are then replayed teacher-forced in one block, and the update
    backpropagates through that replay and the shared encoder pass. With check (a list), appends
    the sampled tokens' log-probabilities summed per row (they must be finite).
    """
    src, src_len, refs = make_batch(rng)
    encoded = model.encode(src, src_len)
    with torch.inference_mode():
        greedy, _ = model.decode(encoded, greedy=True)
        tokens, mask = model.decode(encoded, greedy=False)
    tokens, mask = tokens.clone(), mask.clone()  # out of inference mode, so autograd may save them
    tgt_in = torch.cat([torch.full((BATCH, 1), START, dtype=torch.long), tokens[:, :-1]], 1)
    loss, logp = scst_loss(model.teacher_forced_logits(encoded, tgt_in), tokens, mask, greedy, refs)
    if check is not None:
        check.append((logp * mask).sum(1).detach())
    optimizer_step(model, opt, loss)
    return tokens.shape[1]


@torch.inference_mode()
def check_cache(model, rng, width=5):
    """The cached decode must give the teacher-forced log-probabilities of the tokens it sampled,
    and a beam step (the width rows of a source as query rows of its keys) those of the same rows
    attending one by one; raises if not. Runs once before timing, on a batch of its own."""
    src, src_len, _ = make_batch(rng)
    encoded = model.encode(src, src_len)
    caches = model.caches(BATCH, MAX_LEN)
    token = torch.full((BATCH,), START, dtype=torch.long)
    inputs, steps = [token], []
    for t in range(8):
        logits = model.step(token, t, caches, encoded)
        steps.append(F.log_softmax(logits, -1))
        token = torch.multinomial(torch.softmax(logits, -1), 1).squeeze(-1)
        inputs.append(token)
    forced = F.log_softmax(model.teacher_forced_logits(encoded, torch.stack(inputs[:-1], 1)), -1)
    cached = torch.stack(steps, 1)
    finite = torch.isfinite(forced)
    gap = (forced[finite] - cached[finite]).abs().max().item()
    if not torch.equal(finite, torch.isfinite(cached)) or gap > 1e-4:
        raise SystemExit(f"the cached decode disagrees with teacher forcing: largest log-prob gap {gap}")
    keys, mask = encoded
    rep = lambda x: x.repeat_interleave(width, 0)
    repeated = ([(rep(k), rep(v)) for k, v in keys], rep(mask))
    tok = torch.randint(4, VOCAB, (BATCH * width,))
    grouped = model.step(tok, 0, model.caches(BATCH * width, 1), encoded, group=width)
    single = model.step(tok, 0, model.caches(BATCH * width, 1), repeated)
    gap = (grouped - single)[:, 3:].abs().max().item()
    if gap > 1e-4:
        raise SystemExit(f"the beam step's shared cross-attention disagrees with per-row keys: largest logit gap {gap}")
    return gap


def main():
    ap = argparse.ArgumentParser()
    add_run_args(ap)
    ap.add_argument("--cases", default=CASES)
    ap.add_argument("--compile", action="store_true",
                    help="torch.compile the teacher-forced decoder and the encoder (side pytorch-compile); needs a C++ compiler")
    args = ap.parse_args()
    side = start(args)
    model = Transformer()
    if args.compile:
        # the whole-sequence parts; the cached decode step, whose cache slice grows each step, stays eager
        model.teacher_forced_logits = torch.compile(model.teacher_forced_logits)
        model.encoder = torch.compile(model.encoder)
    params = sum(p.numel() for p in model.parameters())
    common = {"side": side, "model": "transformer", "attention": "multi-head", "threads": args.threads}
    print(json.dumps({**common, "case": "parameters", "parameters": params}), flush=True)
    check_cache(model, random.Random(7))
    rng = random.Random(5)
    pre = torch.optim.Adam(model.parameters(), lr=PRETRAIN_LR)
    losses = [mle_step(model, pre, rng) for _ in range(args.pretrain)]
    if losses:
        # the pretraining must learn: first and last tenth's mean loss, on stderr beside the JSON
        k = max(1, len(losses) // 10)
        print(f"pretrain loss: first {sum(losses[:k]) / k:.2f}, last {sum(losses[-k:]) / k:.2f} over {len(losses)} steps",
              file=sys.stderr)
    for case in args.cases.split(","):
        decoded, loops = [], []
        if case == "mle_step":
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            body = lambda: mle_step(model, opt, rng)
        elif case == "scst_step":
            opt = torch.optim.Adam(model.parameters(), lr=1e-5)
            check = []
            scst_step(model, opt, rng, check)
            if not bool(torch.isfinite(check[0]).all()):
                raise SystemExit(f"the sample's log-probabilities are not finite: {check[0].tolist()}")
            print(f"sample log-prob per row: mean {float(check[0].mean()):.2f}", file=sys.stderr)
            body = lambda: decoded.append(scst_step(model, opt, rng))
        else:
            body = decode_case(case, model, lambda: make_batch(rng), decoded, loops)
        med, q1, q3, cpu = timed(body, args.warmup, args.reps)
        row = {**common, "case": case, "median_s": med, "q1_s": q1, "q3_s": q3, "cpu_median_s": cpu, "reps": args.reps,
               "pretrain": args.pretrain, "version": torch.__version__, "parameters": params}
        if case == "scst_step":
            row["scst_update"] = "replay"
        print_row(row, decoded, loops)


if __name__ == "__main__":
    main()
