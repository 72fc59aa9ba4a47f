#!/usr/bin/env bash
# Reward-throughput benchmark: our Java metrics against nltk, sacrebleu and python-Levenshtein,
# on the same generated corpus, one thread each (pinned to one CPU when taskset exists).
# Usage: benchmarks/rewards/run.sh [N_PAIRS=100000] [JAVA_REPS=5] [PYTHON_REPS=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/benchmarks/rewards"
n="${1:-100000}"
java_reps="${2:-5}"
py_reps="${3:-3}"
out="$root/experiments/target/rewards-bench"
mkdir -p "$out"

"$root/scripts/setup-python.sh"
"$root/scripts/build.sh"
# the JVM and the flags its version needs (scripts/java-env.sh)
source "$root/scripts/java-env.sh"
py="$root/.venv/bin/python"
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

corpus="$out/corpus-$n.tsv"
[[ -f "$corpus" ]] || "$py" "$here/generate_corpus.py" "$corpus" "$n"

echo "benchmark: $n sentence pairs, java reps $java_reps, python reps $py_reps, ${pin[*]:-unpinned}" >&2
"${pin[@]}" "$SEQRL_JAVA" "${SEQRL_JAVA_FLAGS[@]}" -XX:+UseSerialGC -XX:ActiveProcessorCount=1 -Xmx2g \
  -cp "$root/experiments/target/classes:$root/experiments/target/lib/*" \
  org.seqrl.experiments.bench.RewardBenchmark "$corpus" "$java_reps" | tee "$out/java.tsv" >&2
"${pin[@]}" "$py" "$here/bench_python.py" "$corpus" "$py_reps" | tee "$out/python.tsv" >&2

"$py" - "$out/java.tsv" "$out/python.tsv" "$n" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for f in sys.argv[1:3] for l in open(f) if l.strip()]
n = sys.argv[3]
peer = {r[0]: float(r[2]) for r in rows}
peers = {"bleu-method1": ["nltk", "sacrebleu"], "sacrebleu-exp": ["nltk", "sacrebleu"],
         "levenshtein-char": ["python-Levenshtein"]}
print(f"| metric | implementation | sentences/s (median) | vs nltk | vs sacrebleu | vs python-Levenshtein | checksum |")
print("|---|---|---:|---:|---:|---:|---|")
for name, metric, rate, checksum, _ in sorted(rows, key=lambda r: (r[1].startswith("lev"), r[1], -float(r[2]))):
    cells = []
    for p in ["nltk", "sacrebleu", "python-Levenshtein"]:
        r = float(rate) / peer[p] if p in peers[metric] and p != name else None
        cells.append("" if r is None else f"{r:.1f}x" if r >= 1 else f"{r:.2f}x")
    print(f"| {metric} | {name} | {float(rate):,.0f} | " + " | ".join(cells) + f" | {float(checksum):.6f} |")
PY
