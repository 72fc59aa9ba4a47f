#!/usr/bin/env bash
# Scaling curves (issue 20): MLE and SCST step time and peak resident memory of SeqRL and the
# PyTorch peer (benchmarks/peers/torch_seq2seq.py) as one size grows at a time from the reference
# setup (batch 32, hidden 256, sources of 20-30 symbols, target vocabulary 30):
#   batch 8-256, hidden 128-1024, length 10-100 (sources of L to 1.5 L), target vocabulary 30-30k.
# Each point is a fresh process per side (so that its peak RSS is its own) with --pretrain MLE steps
# first, then --reps timed MLE and SCST steps; the sides run interleaved (for each round, for each
# point: SeqRL then PyTorch), so that a slow stretch of a shared machine lands on both. The plotter
# (benchmarks/scaling_plot.py) draws time and memory against size per axis, log-log, with the
# matmul FLOP lower bound (compare.py's count at those sizes over the measured sgemm rate), and
# writes a table; the full run appends both to BENCHMARKS.md, --quick does not.
#
# --time wall (default) plots wall time; --time cpu the timing thread's CPU time on both sides (at one
# thread), for a loaded machine where wall time measures the other processes (the run records both:
# benchmarks/scaling_plot.py --time cpu|wall --dir <folder> replots).
# --quick: two points per axis, one round, 2 timed reps, no pre-training (a smoke run of the harness,
# minutes; its numbers are not results). PEER_PYTHON=/path/to/python runs the peer and the plotter with
# that interpreter and installs nothing; otherwise .venv gets benchmarks/requirements.txt.
#
# Usage: benchmarks/scaling.sh [--quick] [--threads 1] [--rounds 3] [--reps 5] [--warmup 2] [--pretrain 20]
#                              [--attention none] [--axes batch,hidden,length,vocab] [--markdown BENCHMARKS.md|none]
#                              [--time wall|cpu]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=no; threads=1; rounds=3; reps=5; warmup=2; pretrain=20; attention=none; axes="batch,hidden,length,vocab"
markdown="$root/BENCHMARKS.md"; timing=wall
given=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=yes; shift ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; given+=(rounds); shift 2 ;;
    --reps) reps="$2"; given+=(reps); shift 2 ;;
    --warmup) warmup="$2"; given+=(warmup); shift 2 ;;
    --pretrain) pretrain="$2"; given+=(pretrain); shift 2 ;;
    --attention) attention="$2"; shift 2 ;;
    --axes) axes="$2"; shift 2 ;;
    --markdown) markdown="$2"; given+=(markdown); shift 2 ;;
    --time) timing="$2"; shift 2 ;;
    *) echo "scaling.sh: unknown option $1; expected --quick, --threads, --rounds, --reps, --warmup, --pretrain, --attention, --axes, --markdown, --time" >&2; exit 2 ;;
  esac
done
# the points of each axis; the reference value is in every axis and runs once per round
declare -A points=(
  [batch]="8 16 32 64 128 256"
  [hidden]="128 256 512 1024"
  [length]="10 20 50 100"
  [vocab]="30 1000 10000 30000"
)
if [[ "$quick" == yes ]]; then
  points=([batch]="8 64" [hidden]="128 512" [length]="10 40" [vocab]="30 10000")
  is_given() { [[ " ${given[*]-} " == *" $1 "* ]]; }
  is_given rounds || rounds=1
  is_given reps || reps=2
  is_given warmup || warmup=1
  is_given pretrain || pretrain=0
  is_given markdown || markdown=none
fi
case "$timing" in
  wall) ;;
  cpu) [[ "$threads" == 1 ]] || { echo "scaling.sh: --time cpu needs --threads 1 (the CPU time is the timing thread's); got --threads $threads" >&2; exit 2; } ;;
  *) echo "scaling.sh: --time $timing; expected wall or cpu" >&2; exit 2 ;;
esac
for a in ${axes//,/ }; do
  [[ -n "${points[$a]+x}" ]] || { echo "scaling.sh: --axes $axes: '$a' is not an axis; expected batch, hidden, length, vocab" >&2; exit 2; }
done
source "$root/scripts/native-env.sh"
source "$root/scripts/java-env.sh"
if [[ -n "${PEER_PYTHON:-}" ]]; then
  python="$PEER_PYTHON"
else
  "$root/scripts/setup-python.sh" "$root/benchmarks/requirements.txt"
  python="$root/.venv/bin/python"
fi
"$root/scripts/build.sh"
stamp="$(date -u +%Y%m%d-%H%M%S)"
out="$root/benchmarks/results/scaling-$stamp"; mkdir -p "$out"
cp="$root/experiments/target/classes:$root/experiments/target/lib/*"
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
started=$SECONDS

# the sizes of one point: every size at its reference value but the axis's
sizes() { # axis value -> "batch hidden length vocab"
  local b=32 h=256 l=20 v=30
  case "$1" in batch) b=$2 ;; hidden) h=$2 ;; length) l=$2 ;; vocab) v=$2 ;; esac
  echo "$b $h $l $v"
}

echo "== matmul rate" >&2
"$SEQRL_JAVA" "${SEQRL_JAVA_FLAGS[@]}" -cp "$cp" org.seqrl.experiments.bench.ModelBenchmark --cases "" --matmul \
  | grep '^{' > "$out/matmul.jsonl"
for round in $(seq 1 "$rounds"); do
  declare -A done_points=()
  for axis in ${axes//,/ }; do
    for value in ${points[$axis]}; do
      read -r b h l v <<< "$(sizes "$axis" "$value")"
      key="b$b-h$h-l$l-v$v"
      [[ -n "${done_points[$key]+x}" ]] && continue
      done_points[$key]=1
      echo "== round $round of $rounds: $key ($((SECONDS - started)) s)" >&2
      common=(--reps "$reps" --warmup "$warmup" --pretrain "$pretrain" --attention "$attention" --cases mle_step,scst_step
              --batch "$b" --hidden "$h" --length "$l" --target-vocab "$v" --peak-rss)
      "$SEQRL_JAVA" "${SEQRL_JAVA_FLAGS[@]}" -Xmx6g -cp "$cp" org.seqrl.experiments.bench.ModelBenchmark "${common[@]}" \
        | grep '^{' | sed "s/^{/{\"round\": $round, /" > "$out/seqrl-$key-r$round.jsonl"
      "$python" "$root/benchmarks/peers/torch_seq2seq.py" --threads "$threads" "${common[@]}" \
        | sed "s/^{/{\"round\": $round, /" > "$out/pytorch-$key-r$round.jsonl"
    done
  done
done
label="full"
[[ "$quick" == yes ]] && label="quick smoke run (not results)"
md=(); [[ "$markdown" != none ]] && md=(--markdown "$markdown")
"$python" "$root/benchmarks/scaling_plot.py" --dir "$out" --png "$out/scaling.png" --label "$label" --time "$timing" "${md[@]}" \
  --command "benchmarks/scaling.sh$([[ $quick == yes ]] && echo ' --quick') --threads $threads --rounds $rounds --reps $reps --warmup $warmup --pretrain $pretrain --attention $attention --axes $axes --time $timing"
echo "scaling.sh: $((SECONDS - started)) s; results and plot in $out" >&2
