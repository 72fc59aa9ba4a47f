#!/usr/bin/env bash
# Interleaved A/B of stacked and NTM models (benchmarks/StackBench.java: thread CPU ms per MLE step
# and per greedy batch, median over reps) between two built checkouts (scripts/build.sh), the model
# benchmark's cases being one-layer GRUs only. A B A B ... so that machine load hits both alike.
# Usage: taskset -c 1 benchmarks/stack-ab.sh <checkout A> <checkout B> [rounds 4] [reps 12] [case]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
a="$(cd "$1" && pwd)"; b="$(cd "$2" && pwd)"; rounds="${3:-4}"; reps="${4:-12}"; only="${5:-}"
source "$root/scripts/native-env.sh"
source "$root/scripts/java-env.sh" 2>/dev/null || true
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
out="$root/benchmarks/results"; mkdir -p "$out"
results="$out/stack-ab-$(date -u +%Y%m%d-%H%M%S).jsonl"
for side in a b; do
  dir="$a"; [[ "$side" == b ]] && dir="$b"
  mkdir -p "$work/$side" && javac -d "$work/$side" -cp "$dir/experiments/target/lib/*" "$root/benchmarks/StackBench.java"
done
for ((i = 1; i <= rounds; i++)); do
  for side in a b; do
    dir="$a"; [[ "$side" == b ]] && dir="$b"
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java -Xmx2g -cp "$work/$side:$dir/experiments/target/lib/*" StackBench "$reps" $only \
      | sed "s/^{/{\"round\": $i, \"side\": \"$side\", /" >> "$results"
  done
done
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for c in sorted({r["case"] for r in rows}):
    for f in ("mle_cpu_ms", "greedy_cpu_ms"):
        a = [r[f] for r in rows if r["case"] == c and r["side"] == "a"]
        b = [r[f] for r in rows if r["case"] == c and r["side"] == "b"]
        per = [rb[f] / ra[f] for ra in rows for rb in rows if ra["case"] == c == rb["case"] and ra["side"] == "a"
               and rb["side"] == "b" and ra["round"] == rb["round"]]
        print(f"{c:24s} {f:14s} A {statistics.median(a):7.2f}  B {statistics.median(b):7.2f}  B/A {statistics.median(b) / statistics.median(a):.3f}"
              f"  per round {', '.join('%.2f' % x for x in per)}")
print("raw:", sys.argv[1])
PY
