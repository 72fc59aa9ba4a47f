#!/usr/bin/env bash
# session 39: the dev proposals fixed in docs/g2p/session-39/plan.md; $1 = core, rest = "L,R" pairs
set -u
cd /work/wt/eval
O=/work/runs/s39
core=$1; shift
dir() { case $1 in 3|4) echo /work/runs/s36/ls-s$1;; 5|6) echo /work/runs/s37/ls-s$1;; 8) echo /work/runs/s38/ls-s8;; esac; }
for lr in "$@"; do
  l=${lr%,*}; r=${lr#*,}
  name=dev-s$l-r$r
  s=$(date +%s)
  OPENBLAS_NUM_THREADS=1 taskset -c $core ./seqrl eval --checkpoint $(dir $l) --checkpoint /work/runs/s38/rtl-s$r \
    --split dev --set eval.dev_size=0 --beam 5 --coverage-penalty 1 --nbest 5 \
    --proposals $O/$name-proposals.tsv --output $O/$name.json > $O/$name.log 2>&1
  echo "$name rc=$? $(( $(date +%s) - s )) s" >> $O/dev.done
done
