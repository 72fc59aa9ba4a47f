#!/usr/bin/env bash
# Interleaved A/B of the model benchmark between two built checkouts, with the PyTorch peer as a third
# side in every round: A, B, peer, A, B, peer, ... in one run, so that machine load hits all three
# alike. Each checkout must have been built (scripts/build.sh). Prints per case the median over rounds
# of each side's median CPU time of the timing thread (at one thread, the work done; on a shared core
# it moves much less than wall time), its range, and the ratios B/A and peer/B. Raw JSON lines go to
# benchmarks/results/abp-<time>-{a,b,peer}.jsonl.
#
# Usage: benchmarks/ab-peer.sh <checkout A> <checkout B> <rounds> <peer script> [ModelBenchmark and peer options...]
#   e.g. taskset -c 1 benchmarks/ab-peer.sh /work/wt/base . 2 torch_transformer.py --reps 10 --warmup 20 --pretrain 50
# Options after the peer script go to both sides (ModelBenchmark gets --model transformer when the peer
# is torch_transformer.py); both run one thread.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
a="$(cd "$1" && pwd)"; b="$(cd "$2" && pwd)"; rounds="$3"; peer="$4"; shift 4
source "$root/scripts/native-env.sh"
source "$root/scripts/java-env.sh"
model=(); [[ "$peer" == torch_transformer.py ]] && model=(--model transformer)
python="${PEER_PYTHON:-$root/.venv/bin/python}"
out="$root/benchmarks/results"; mkdir -p "$out"
stamp="$(date -u +%Y%m%d-%H%M%S)"
# Two A/Bs started in the same second must not append to the same files: claim the name atomically
# (noclobber), else take the next second's.
while ! (set -C; : > "$out/abp-$stamp-a.jsonl") 2>/dev/null; do
  sleep 1
  stamp="$(date -u +%Y%m%d-%H%M%S)"
done
for ((i = 1; i <= rounds; i++)); do
  for side in a b peer; do
    echo "== round $i side $side" >&2
    if [[ "$side" == peer ]]; then
      OMP_NUM_THREADS=1 "$python" "$root/benchmarks/peers/$peer" --threads 1 "$@" | grep --line-buffered '^{' \
        | sed -u "s/^{/{\"round\": $i, /" >> "$out/abp-$stamp-peer.jsonl"
    else
      dir="$a"; [[ "$side" == b ]] && dir="$b"
      OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$SEQRL_JAVA" "${SEQRL_JAVA_FLAGS[@]}" -Xmx2g \
        -cp "$dir/experiments/target/classes:$dir/experiments/target/lib/*" org.seqrl.experiments.bench.ModelBenchmark \
        "${model[@]}" "$@" | grep --line-buffered '^{' | sed -u "s/^{/{\"round\": $i, /" >> "$out/abp-$stamp-$side.jsonl"
    fi
  done
done
python3 - "$out/abp-$stamp-a.jsonl" "$out/abp-$stamp-b.jsonl" "$out/abp-$stamp-peer.jsonl" <<'PY'
import json, statistics, sys
def load(f):
    d = {}
    for line in open(f):
        r = json.loads(line)
        if "cpu_median_s" in r:
            d.setdefault(r["case"], []).append(r["cpu_median_s"] * 1000)
    return d
A, B, P = (load(f) for f in sys.argv[1:4])
print("| case | A CPU ms, median of rounds [range] | B CPU ms [range] | peer CPU ms [range] | B/A | peer/B |")
print("|---|---|---|---|---|---|")
for k in A:
    a, b, p = A[k], B.get(k, [float("nan")]), P.get(k, [float("nan")])
    ma, mb, mp = (statistics.median(x) for x in (a, b, p))
    print(f"| {k} | {ma:.1f} [{min(a):.1f}-{max(a):.1f}] | {mb:.1f} [{min(b):.1f}-{max(b):.1f}] | "
          f"{mp:.1f} [{min(p):.1f}-{max(p):.1f}] | {mb/ma:.3f} | {mp/mb:.2f} |")
print("raw: " + " ".join(sys.argv[1:4]))
PY
