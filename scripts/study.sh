#!/usr/bin/env bash
# The baseline-ranking study of docs/study.md: the reverse sweep (weak MLE start, where the
# baseline decides how fast RL learns) and the pronunciation sweep, each ending with its report
# (ranking with 95 % bootstrap intervals, paired-by-seed tests, learning curves over RL steps),
# written to OUT/<task>/report/ and logged to the sweep's MLflow run.
#
#   scripts/study.sh [--quick] [--output OUT] [other seqrl sweep options, e.g. --tracking-uri URI]
#
# --quick: a first look in a fraction of the time: four baselines (none, scst, value, rloo),
# 3 seeds and half the RL steps; its intervals are wide and its tests weak by design.
# A sweep that is stopped resumes where it stopped when the same command is run again.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
out=runs/study
pass=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --output) out="$2"; shift 2 ;;
    --output=*) out="${1#--output=}"; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) pass+=("$1"); shift ;;
  esac
done

reverse_set=()
pron_set=()
if [[ $quick == 1 ]]; then
  out="$out-quick"
  grid='{rl.reward: [bleu, levenshtein], rl.baseline: [none, scst, value, rloo], seed: [1, 2, 3]}'
  reverse_set=(--set "sweep.grid=$grid" --set rl.steps=200)
  pron_set=(--set "sweep.grid=$grid" --set rl.steps=100)
fi

start=$(date +%s)
./seqrl sweep examples/study-reverse.yaml --output "$out/reverse" "${reverse_set[@]}" "${pass[@]}"
./seqrl sweep examples/study.yaml --output "$out/pronunciation" "${pron_set[@]}" "${pass[@]}"
echo "study: $(( ($(date +%s) - start) / 60 )) min wall; reports in $out/reverse/report/report.md and $out/pronunciation/report/report.md"
