#!/usr/bin/env bash
# cblas_sgemm at the model benchmark's shapes under two OpenBLAS builds of JavaCPP (the one SeqRL ships,
# 0.3.19-1.5.7, and a newer one), interleaved old new old new ..., one BLAS thread; prints each shape's
# median over rounds of the per-round medians. Used to decide whether to move to a newer OpenBLAS
# (BENCHMARKS.md, "OpenBLAS 0.3.31 against 0.3.19").
#
# Usage: benchmarks/blas-versions/run.sh [rounds 3] [reps 300] [newer openblas 0.3.31-1.5.13] [its javacpp 1.5.13]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-3}"; reps="${2:-300}"; newblas="${3:-0.3.31-1.5.13}"; newcpp="${4:-1.5.13}"
repo="${MAVEN_REPO:-$HOME/.m2/repository}/org/bytedeco"
classpath() { # javacpp version, openblas version
  local jars=() a
  for a in "org.bytedeco:javacpp:$1" "org.bytedeco:javacpp:$1:jar:linux-x86_64" \
      "org.bytedeco:openblas:$2" "org.bytedeco:openblas:$2:jar:linux-x86_64"; do
    (cd "$root" && ./mvnw -B -q dependency:get -Dartifact="$a" -Dtransitive=false >/dev/null)
  done
  echo "$repo/javacpp/$1/javacpp-$1.jar:$repo/javacpp/$1/javacpp-$1-linux-x86_64.jar:$repo/openblas/$2/openblas-$2.jar:$repo/openblas/$2/openblas-$2-linux-x86_64.jar"
}
old="$(classpath 1.5.7 0.3.19-1.5.7)"
new="$(classpath "$newcpp" "$newblas")"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
javac -cp "$old" -d "$work/old" "$here/SgemmBench.java"
javac -cp "$new" -d "$work/new" "$here/SgemmBench.java"
for ((i = 1; i <= rounds; i++)); do
  OPENBLAS_NUM_THREADS=1 java -cp "$work/old:$old" SgemmBench "$reps" | tail -n +2 > "$work/old-$i.txt"
  OPENBLAS_NUM_THREADS=1 java -cp "$work/new:$new" SgemmBench "$reps" | tail -n +2 > "$work/new-$i.txt"
done
python3 - "$work" "$rounds" "$newblas" <<'PY'
import statistics, sys
work, rounds, newblas = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def load(side):
    d = {}
    for i in range(1, rounds + 1):
        for line in open(f"{work}/{side}-{i}.txt"):
            f = line.split()
            d.setdefault(f[0], []).append(float(f[1]))
    return d
o, n = load("old"), load("new")
print(f"| m x n x k | 0.3.19-1.5.7 us, median [per-round] | {newblas} us | new/old |")
print("|---|---|---|---|")
for k in o:
    mo, mn = statistics.median(o[k]), statistics.median(n[k])
    print(f"| {k} | {mo:.1f} {o[k]} | {mn:.1f} {n[k]} | {mn / mo:.2f} |")
PY
