#!/usr/bin/env bash
# session 40: the test split, once, with the dev-chosen setting (docs/g2p/session-40/plan.md); $1 = core, $2 = "K LAM B", rest = proposer seeds
set -u
O=/work/runs/s40
P=$O/p2g21-s12
cd /work/wt/eval40
core=$1; read -r K LAM B <<< "$2"; shift 2
dir() { case $1 in 3|4) echo /work/runs/s36/ls-s$1;; 5|6) echo /work/runs/s37/ls-s$1;; 8) echo /work/runs/s38/ls-s8;; 10) echo /work/runs/s39/ls21-s10;; esac; }
for l in "$@"; do
  name=ch-s$l-test
  s=$(date +%s)
  OPENBLAS_NUM_THREADS=1 taskset -c $core ./seqrl eval --checkpoint $(dir $l) --channel $P \
    --split test --beam 5 --coverage-penalty 1 --nbest $K --channel-weights $LAM --length-bonus $B \
    --proposals $O/$name-proposals.tsv --predictions $O/$name-predictions.tsv --output $O/$name.json > $O/$name.log 2>&1
  echo "$name rc=$? $(( $(date +%s) - s )) s" >> $O/test.done
done
