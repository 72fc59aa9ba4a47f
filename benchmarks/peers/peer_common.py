"""What the two PyTorch peers of the benchmark harness share (torch_seq2seq.py, torch_transformer.py).

The token ids, the options every peer takes, the timing, the MLE and SCST updates written on a
model's teacher-forced logits, the greedy and beam-search cases, and the JSON row each case prints.
The data (make_batch and its sizes) stays in torch_seq2seq.py, whose options change the sizes.
A batch is (src [B, S], src_len [B], refs: B lists of ids); a model has encode(src, src_len),
teacher_forced_logits(encoded, tgt_in), decode(encoded, greedy) and beam_search(src, src_len, width).
"""
import json
import statistics
import time

import Levenshtein
import torch
import torch.nn.functional as F

PAD, START, END = 0, 1, 2
# SeqRL's ModelBenchmark.PRETRAIN_LR: the learning rate of the MLE steps before timing
PRETRAIN_LR = 3e-3
CASES = "mle_step,scst_step,greedy_batch,beam5_batch"


def add_run_args(ap):
    """The options every peer takes first, as ModelBenchmark takes them: --threads, --reps, --warmup, --pretrain."""
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--pretrain", type=int, default=0, help="MLE steps before timing, so decodes have reference-like lengths")


def start(args):
    """One run's settings: torch's thread count, its seed (1), and the side the rows name."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    return "pytorch-compile" if args.compile else "pytorch"


def hyp(tokens, row):
    out = []
    for t in tokens[row].tolist():
        if t == END:
            break
        out.append(t)
    return out


def longest_plus_end(tokens):
    """SeqRL's count of beam-search decoder steps: the longest returned hypothesis, END excluded, plus one."""
    is_end = tokens == END
    ends = torch.where(is_end.any(1), is_end.float().argmax(1), torch.full((tokens.shape[0],), tokens.shape[1]))
    return int(ends.max()) + 1


def beam_start(b, width):
    """Beam search's start for b sources: scores [B, width] (only the first beam alive), the first input
    tokens [B * width] (START), finished [B, width] and the histories [B, width, 0]."""
    scores = torch.full((b, width), float("-inf"))
    scores[:, 0] = 0.0
    token = torch.full((b * width,), START, dtype=torch.long)
    finished = torch.zeros(b, width, dtype=torch.bool)
    history = torch.zeros(b, width, 0, dtype=torch.long)
    return scores, token, finished, history


def beam_choose(scores, logp, finished):
    """One beam-search step's choice from every beam's next-token log-probabilities logp [B, width, V]:
    a finished beam keeps its score and only extends with padding; each source keeps its best width
    extensions. Returns their scores [B, width], parent beams and tokens."""
    b, width = scores.shape
    logp = torch.where(finished[..., None], torch.full_like(logp, float("-inf")), logp)
    logp[..., PAD] = torch.where(finished, torch.zeros_like(scores), torch.full_like(scores, float("-inf")))
    scores, idx = (scores[..., None] + logp).view(b, -1).topk(width, dim=-1)
    return scores, idx // logp.shape[-1], idx % logp.shape[-1]


def beam_extend(history, finished, beam, tok):
    """The kept beams' histories with their new tokens, which of them have finished, and the next input tokens."""
    history = torch.cat([history.gather(1, beam[..., None].expand(-1, -1, history.shape[2])), tok[..., None]], 2)
    finished = finished.gather(1, beam) | (tok == END)
    return history, finished, tok.view(-1)


def target_tensors(refs):
    """Teacher forcing's decoder inputs (START + ref) and targets (ref + END), padded: [B, T] each."""
    t = max(len(r) for r in refs) + 1
    tgt_in = torch.full((len(refs), t), PAD, dtype=torch.long)
    tgt_out = torch.full((len(refs), t), PAD, dtype=torch.long)
    for i, r in enumerate(refs):
        tgt_in[i, : len(r) + 1] = torch.tensor([START] + r)
        tgt_out[i, : len(r) + 1] = torch.tensor(r + [END])
    return tgt_in, tgt_out


def optimizer_step(model, opt, loss):
    """Backward, the gradient norm clipped to 50 (as SeqRL's OptimizerSettings(lr, 50)), one optimizer step."""
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 50.0)
    opt.step()


def mle_update(model, opt, batch):
    """One MLE step on batch: the token NLL summed per sequence, averaged over the batch; returns the loss."""
    src, src_len, refs = batch
    tgt_in, tgt_out = target_tensors(refs)
    logits = model.teacher_forced_logits(model.encode(src, src_len), tgt_in)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=PAD,
                           reduction="sum") / len(refs)
    optimizer_step(model, opt, loss)
    return loss


def levenshtein_reward(tokens, refs):
    """Minus the Levenshtein distance of each row's hypothesis to its reference, on token ids via code
    points like SeqRL's int-array path: [B] floats."""
    text = lambda ids: "".join(chr(0x100 + i) for i in ids)
    return torch.tensor([-Levenshtein.distance(text(hyp(tokens, i)), text(refs[i])) for i in range(len(refs))],
                        dtype=torch.float)


def scst_loss(logits, tokens, mask, greedy, refs):
    """The SCST loss of the sampled tokens [B, T] (mask: the steps each row took, logits [B, T, V] the
    policy's at those steps): advantage = the sample's Levenshtein reward minus the greedy decode's,
    entropy weight 0.01, summed per sequence and averaged over the batch. Returns the loss and the
    tokens' log-probabilities [B, T]."""
    logp_all = F.log_softmax(logits, -1)
    logp = logp_all.gather(2, tokens[..., None]).squeeze(-1)
    p = logp_all.exp()
    ent = -(p * torch.where(p > 0, logp_all, torch.zeros_like(logp_all))).sum(-1)
    adv = (levenshtein_reward(tokens, refs) - levenshtein_reward(greedy, refs))[:, None]
    b = len(refs)
    return -(adv * logp * mask).sum() / b - 0.01 * (ent * mask).sum() / b, logp


def decode_case(case, model, batch, decoded, loops):
    """The timed body of greedy_batch or beam5_batch on a fresh batch() each call; appends the decoder
    steps as SeqRL's ModelBenchmark counts them to decoded, and beam search's loop steps to loops."""
    if case == "greedy_batch":
        def body():
            src, src_len, _ = batch()
            with torch.inference_mode():
                decoded.append(model.decode(model.encode(src, src_len), greedy=True)[0].shape[1])
    elif case == "beam5_batch":
        def body():
            src, src_len, _ = batch()
            best, ran = model.beam_search(src, src_len, width=5)
            decoded.append(longest_plus_end(best))
            loops.append(ran)
    else:
        raise SystemExit(f"unknown case {case!r}; expected mle_step, scst_step, greedy_batch, beam5_batch")
    return body


def timed(body, warmup, reps):
    """Median, first and third quartile of the wall time, and the median CPU time of this thread (with
    one thread, torch's ops run on it: as SeqRL's cpu_median_s, it moves less with other processes' load)."""
    for _ in range(warmup):
        body()
    times, cpu = [], []
    for _ in range(reps):
        c = time.thread_time()
        t = time.perf_counter()
        body()
        times.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return statistics.median(times), q[0], q[2], statistics.median(cpu)


def print_row(row, decoded, loops):
    """Prints a case's row as one JSON line, with the mean decoder steps (and loop steps) per timed call when counted."""
    if decoded:
        row["decoder_steps"] = sum(decoded) / len(decoded)
    if loops:
        row["loop_steps"] = sum(loops) / len(loops)
    print(json.dumps(row), flush=True)
