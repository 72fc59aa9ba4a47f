# The no-attention LSTM seq2seq of SeqRL in PyTorch, on copy over 8 symbols (lengths 1-LMAX), to check
# how its decoder's start state changes learning speed (docs/ntm.md, "Why nothing copied").
#   .venv/bin/python scripts/copy-start-state-reference.py steps=400 bridge=tanh-h|h|tanh-h+c|hc [hidden= emb= batch= lr= clip= lmax= seed=]
import sys, time, random, torch, torch.nn as nn
torch.set_num_threads(1)
args = dict(a.split('=') for a in sys.argv[1:])
H = int(args.get('hidden', 118)); E = int(args.get('emb', 16)); B = int(args.get('batch', 16))
LR = float(args.get('lr', 0.005)); CLIP = float(args.get('clip', 5)); STEPS = int(args.get('steps', 400))
BRIDGE = args.get('bridge', 'tanh-h')  # tanh-h (SeqRL's): h0 = tanh(W h_enc + b), c0 = 0; 'hc': pass (h, c)
LMAX = int(args.get('lmax', 5)); SEED = int(args.get('seed', 1)); A = 8
torch.manual_seed(SEED); rnd = random.Random(SEED)
PAD, BOS, END = 0, 1, 2; V = A + 3
def s(): return [3 + rnd.randrange(A) for _ in range(rnd.randint(1, LMAX))]
train = [s() for _ in range(20000)]; seen = set(map(tuple, train)); dev = []
while len(dev) < 200:
    x = s()
    if tuple(x) not in seen or LMAX <= 3: dev.append(x)
class M(nn.Module):
    def __init__(s):
        super().__init__()
        s.se = nn.Embedding(V, E); s.te = nn.Embedding(V, E)
        s.enc = nn.LSTM(E, H, batch_first=True); s.dec = nn.LSTM(E, H, batch_first=True)
        s.br = nn.Linear(H, H); s.out = nn.Linear(H, V)
    def init(s, xs):
        L = torch.tensor([len(x) for x in xs]); X = torch.tensor([x + [PAD] * (max(L) - len(x)) for x in xs])
        pk = nn.utils.rnn.pack_padded_sequence(s.se(X), L, batch_first=True, enforce_sorted=False)
        _, (h, c) = s.enc(pk)
        if BRIDGE == 'hc': return (h, c)
        if BRIDGE == 'tanh-h+c': return (torch.tanh(s.br(h)), c)
        if BRIDGE == 'h': return (h, torch.zeros_like(c))
        return (torch.tanh(s.br(h)), torch.zeros_like(c))
m = M(); opt = torch.optim.Adam(m.parameters(), lr=LR)
def greedy(xs):
    with torch.no_grad():
        st = m.init(xs); y = torch.full((len(xs), 1), BOS); outs = [[] for _ in xs]; done = [False] * len(xs)
        for t in range(LMAX + 2):
            o, st = m.dec(m.te(y), st); y = m.out(o).argmax(-1)
            for i in range(len(xs)):
                if not done[i]:
                    if y[i, 0].item() == END: done[i] = True
                    else: outs[i].append(y[i, 0].item())
        return sum(o == x for o, x in zip(outs, xs)) / len(xs)
t0 = time.time(); log = []
order = list(range(len(train))); rnd.shuffle(order); pos = 0
for step in range(1, STEPS + 1):
    if pos + B > len(order): rnd.shuffle(order); pos = 0
    xs = [train[i] for i in order[pos:pos + B]]; pos += B
    T = max(len(x) for x in xs) + 1
    yin = torch.tensor([[BOS] + x + [PAD] * (T - 1 - len(x)) for x in xs])
    yout = torch.tensor([x + [END] + [PAD] * (T - 1 - len(x)) for x in xs])
    o, _ = m.dec(m.te(yin), m.init(xs)); logits = m.out(o)
    loss = nn.functional.cross_entropy(logits.reshape(-1, V), yout.reshape(-1), ignore_index=PAD, reduction='sum') / B
    opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(m.parameters(), CLIP); opt.step()
    if step % 100 == 0: log.append(f"{step}:{greedy(dev):.3f}")
print("torch", " ".join(f"{k}={v}" for k, v in args.items()), "exact:", " ".join(log), f"| {time.time() - t0:.1f}s")
