#!/usr/bin/env bash
# session 40: whole-dev proposals of each left-to-right proposer with the channel model (docs/g2p/session-40/plan.md); $1 = core, rest = proposer seeds
set -u
O=/work/runs/s40
P=$O/p2g21-s12
until grep -q "rc=" $O/p2g.started 2>/dev/null; do sleep 10; done
cd /work/wt/eval40
core=$1; shift
dir() { case $1 in 3|4) echo /work/runs/s36/ls-s$1;; 5|6) echo /work/runs/s37/ls-s$1;; 8) echo /work/runs/s38/ls-s8;; 10) echo /work/runs/s39/ls21-s10;; esac; }
for l in "$@"; do
  name=dev-s$l-ch
  s=$(date +%s)
  OPENBLAS_NUM_THREADS=1 taskset -c $core ./seqrl eval --checkpoint $(dir $l) --channel $P \
    --split dev --set eval.dev_size=0 --beam 5 --coverage-penalty 1 --nbest 5 --channel-weights 1 \
    --proposals $O/$name-proposals.tsv --output $O/$name.json > $O/$name.log 2>&1
  echo "$name rc=$? $(( $(date +%s) - s )) s" >> $O/dev.done
done
