#!/usr/bin/env bash
# Interleaved A/B of the model benchmark between two built checkouts (e.g. a worktree of the commit
# before a change, and this one): A B A B ... in one run, so that machine load hits both alike.
# Each side must have been built (scripts/build.sh). Prints per case the median of the per-round
# medians (wall time, and the timing thread's CPU time) and their range, and the CPU seconds (user + sys) of each side's whole benchmark process,
# which load on a shared machine inflates much less than wall time. Raw JSON lines go to
# benchmarks/results/ab-<time>-{a,b}.jsonl.
#
# Usage: benchmarks/ab.sh <checkout A> <checkout B> [rounds 3] [ModelBenchmark options...]
#   e.g. benchmarks/ab.sh /work/wt/base . 4 --reps 10 --pretrain 150 --attention none,additive
# AB_THREADS=N runs both sides with N BLAS threads (default 1; with more, the thread CPU time counts
# only the timing thread, so read the wall times and the whole process's CPU).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
a="$(cd "$1" && pwd)"; b="$(cd "$2" && pwd)"; rounds="${3:-3}"; shift 3 || shift $#
source "$root/scripts/native-env.sh"
out="$root/benchmarks/results"; mkdir -p "$out"
threads="${AB_THREADS:-1}"
if ! [[ "$threads" =~ ^[1-9][0-9]*$ ]]; then
  echo "ab.sh: AB_THREADS=$threads; expected a whole number >= 1" >&2
  exit 2
fi
stamp="$(date -u +%Y%m%d-%H%M%S)"
# Two A/Bs started in the same second must not append to the same files: claim the name atomically
# (noclobber), else take the next second's.
while ! (set -C; : > "$out/ab-$stamp-a.jsonl") 2>/dev/null; do
  sleep 1
  stamp="$(date -u +%Y%m%d-%H%M%S)"
done
for ((i = 1; i <= rounds; i++)); do
  for side in a b; do
    dir="$a"; [[ "$side" == b ]] && dir="$b"
    echo "== round $i side $side ($dir)" >&2
    OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads /usr/bin/time -f "%U %S" -o "$out/ab-$stamp-$side.cpu.tmp" \
      java -Xmx2g -cp "$dir/experiments/target/classes:$dir/experiments/target/lib/*" \
      org.seqrl.experiments.bench.ModelBenchmark "$@" | grep '^{' | sed "s/^{/{\"round\": $i, /" >> "$out/ab-$stamp-$side.jsonl"
    awk '{print $1 + $2}' "$out/ab-$stamp-$side.cpu.tmp" >> "$out/ab-$stamp-$side.cpu"
    rm -f "$out/ab-$stamp-$side.cpu.tmp"
  done
done
python3 - "$out/ab-$stamp-a.jsonl" "$out/ab-$stamp-b.jsonl" <<'PY'
import json, statistics, sys
def load(f, field):
    d = {}
    for line in open(f):
        r = json.loads(line)
        if field in r:
            d.setdefault((r["case"], r["attention"]), []).append(r[field] * 1000)
    return d
for field, what in (("median_s", "wall"), ("cpu_median_s", "thread CPU")):
    A, B = load(sys.argv[1], field), load(sys.argv[2], field)
    if not A:
        continue
    print(f"| case | attention | A {what} ms, median of rounds [range] | B {what} ms [range] | B/A |")
    print("|---|---|---|---|---|")
    for k in A:
        a, b = A[k], B.get(k, [float("nan")])
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"| {k[0]} | {k[1]} | {ma:.1f} [{min(a):.1f}-{max(a):.1f}] | {mb:.1f} [{min(b):.1f}-{max(b):.1f}] | {mb/ma:.3f} |")
    print()
cpu = [[float(x) for x in open(f.replace(".jsonl", ".cpu"))] for f in sys.argv[1:]]
ca, cb = statistics.median(cpu[0]), statistics.median(cpu[1])
print(f"| whole process, CPU s | | {ca:.1f} [{min(cpu[0]):.1f}-{max(cpu[0]):.1f}] | {cb:.1f} [{min(cpu[1]):.1f}-{max(cpu[1]):.1f}] | {cb/ca:.3f} |")
print(f"raw: {sys.argv[1]} {sys.argv[2]}")
PY
