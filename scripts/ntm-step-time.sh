#!/usr/bin/env bash
# CPU seconds per training step of the NTM at the paper's sizes (examples/ntm-copy.yaml: memory
# 128 x 20, LSTM controller 100, batch 16, copy of lengths 1-20) and of its same-budget LSTM peer
# (hidden 118), as docs/ntm.md reports them. Each model trains four short runs pinned to one core
# with one BLAS thread: 20 MLE steps (A), 220 MLE steps (B), 20 MLE + 60 SCST steps (C), and 20 MLE
# steps with the final evaluation at lengths 30, 50, 80, 120 (D). Per-step CPU = the difference of
# user+sys CPU between runs / the difference of steps, so start-up and evaluations cancel out. CPU
# time rather than wall time, because the core may be shared; a shared core still inflates it.
#
#   scripts/ntm-step-time.sh [--core N] [--output DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
core=1
out=runs/ntm-step-time
while [[ $# -gt 0 ]]; do
  case "$1" in
    --core) core="$2"; shift 2 ;;
    --output) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
scripts/build.sh
rm -rf "$out"
mkdir -p "$out"
common=(--no-tracking --progress lines --set eval.every=100000 --set eval.dev_size=16 --set data.test_size=16
  --set data.train_size=2000 --set "data.test_lengths=[21, 25]" --set eval.samples=0 --set eval.heatmaps=0)
rl=(--set rl.baseline=scst --set rl.reward=levenshtein-normalized --set rl.batch_size=16 --set rl.learning_rate=0.0001)
cpu() { awk '{print $1 + $2}' "$out/$1.time"; }
for model in ntm lstm; do
  m=()
  [[ $model == lstm ]] && m=(--set model.cell=lstm --set model.hidden=118)
  for run in A B C D; do
    case $run in
      A) s=(--set pretrain.steps=20 --set rl.steps=0) ;;
      B) s=(--set pretrain.steps=220 --set rl.steps=0) ;;
      C) s=(--set pretrain.steps=20 --set rl.steps=60 "${rl[@]}") ;;
      D) s=(--set pretrain.steps=20 --set rl.steps=0 --set "data.test_lengths_each=[30, 50, 80, 120]" --set data.test_size=50) ;;
    esac
    /usr/bin/time -f "%U %S %e" -o "$out/$model-$run.time" taskset -c "$core" ./seqrl train examples/ntm-copy.yaml \
      "${common[@]}" "${m[@]}" "${s[@]}" --output "$out/$model-$run" > "$out/$model-$run.log" 2>&1
  done
  awk -v m="$model" -v a="$(cpu $model-A)" -v b="$(cpu $model-B)" -v c="$(cpu $model-C)" -v d="$(cpu $model-D)" \
    'BEGIN { printf "%s: MLE step %.3f CPU s, SCST step %.3f CPU s, evaluation at 30/50/80/120 %.2f CPU s\n",
             m, (b - a) / 200, (c - a) / 60, d - a }'
done
