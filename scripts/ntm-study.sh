#!/usr/bin/env bash
# The NTM-vs-LSTM length-generalisation study of docs/ntm.md (issue 17): examples/ntm-study.yaml for
# the NTM (the paper's sizes) and its same-budget LSTM peer (hidden 118), both decoders starting from the encoder's final
# c (model.carry_cell_state in the config), 3 seeds each, MLE with the
# length curriculum on lengths 1-20, then a short SCST phase; tested at lengths 30, 50, 80 and 120.
# Sized for about 30-40 min of one quiet core in total (docs/ntm.md, "The study"). Every process is
# pinned to one core with one BLAS thread.
#
#   scripts/ntm-study.sh [--core N] [--output OUT] [--config YAML] [--models "ntm ntm-lstm lstm"]
#                        [other seqrl sweep options, e.g. --tracking-uri URI]
#
# --config picks the study (default examples/ntm-study.yaml, copy; examples/ntm-repeat-copy-study.yaml
# is the repeat-copy one). Ends with a table per model, after MLE and after SCST: exact match and
# per-symbol error at each test length (mean ± std over seeds), and the CPU-bound wall time. A stopped
# study resumes where it stopped when the same command is run again.
set -euo pipefail
cd "$(dirname "$0")/.."

core=1
out=runs/ntm-study
config=examples/ntm-study.yaml
models="ntm ntm-lstm lstm"
pass=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --core) core="$2"; shift 2 ;;
    --output) out="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) pass+=("$1"); shift ;;
  esac
done

export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 SEQRL_CELL_THREADS=1
start=$(date +%s)
experiment=$(sed -n 's/^experiment: *//p' "$config")
# The config's own model is the NTM with a feed-forward controller, which must keep the string in its memory;
# ntm-lstm is the NTM with an LSTM controller whose decoder starts from the encoder's final controller c;
# lstm is the same-budget peer of ntm-lstm (hidden 118), its decoder starting from the encoder's final c.
declare -A model_sets=(
  [ntm]=""
  [ntm-lstm]="--set model.memory.controller=lstm --set model.carry_cell_state=true"
  [lstm]="--set model.cell=lstm --set model.hidden=118 --set model.carry_cell_state=true"
)
for model in $models; do
  [[ -v "model_sets[$model]" ]] || { echo "ntm-study: unknown model '$model' in --models; expected ntm, ntm-lstm or lstm" >&2; exit 2; }
  # shellcheck disable=SC2086  # the sets are words on purpose
  taskset -c "$core" ./seqrl sweep "$config" --output "$out/$model" ${model_sets[$model]} \
    --set "experiment=$experiment$([[ $model == ntm ]] || echo "-$model")" "${pass[@]}"
done
echo "ntm-study: $(( ($(date +%s) - start) / 60 )) min wall on core $core"

python3 - "$out" <<'PY'
import json, statistics, sys
from pathlib import Path

out = Path(sys.argv[1])

def ms(xs):
    if not xs:
        return "n/a"
    return f"{statistics.mean(xs):.3f}" + (f" ± {statistics.stdev(xs):.3f}" if len(xs) > 1 else "")

summaries = [json.loads(p.read_text()) for p in sorted(out.glob("*/*/*/summary.json"))]
lengths = sorted({L for r in summaries for L in r.get("test_lengths", {})}, key=int)
print("| model | phase | runs | " + " | ".join(f"len {L} exact | len {L} sym. err." for L in lengths)
      + " | dev exact | curriculum max | wall s (sum) |")
print("|" + "---|" * (6 + 2 * len(lengths)))
for model in [m for m in ("ntm", "ntm-lstm", "lstm") if (out / m).is_dir()]:
    for phase, folder in (("MLE", "pretrain"), ("MLE+SCST", "cells")):
        runs = [json.loads(p.read_text()) for p in sorted((out / model / folder).glob("*/summary.json"))]
        cols = []
        for L in lengths:
            for m in ("exact_match", "symbol_error"):
                cols.append(ms([r["test_lengths"][L][m] for r in runs if L in r.get("test_lengths", {})]))
        cols.append(ms([r["final"]["exact_match"] for r in runs]))
        cols.append(ms([r.get("curriculum_max_length", 0) for r in runs]))
        cols.append(f"{sum(r['wall_time_s'] for r in runs):.0f}")
        print(f"| {model} | {phase} | {len(runs)} | " + " | ".join(cols) + " |")
PY
