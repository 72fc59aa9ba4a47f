#!/usr/bin/env bash
# session 40 addendum: the budget triple's two short models, side by side, after the test evaluations
set -u
O=/work/runs/s40
while [ "$(wc -l < $O/test.done 2>/dev/null || echo 0)" -lt 6 ]; do sleep 5; done
cd /work/wt/eval40
date -u +%FT%TZ > $O/short.started
OPENBLAS_NUM_THREADS=1 taskset -c 0 ./seqrl train examples/g2p.yaml --no-tracking --max-time 30m --set seed=13 --set pretrain.steps=10000 --set model.output_order=right-to-left --output $O/rtl10-s13 > $O/rtl10-s13.log 2>&1 &
OPENBLAS_NUM_THREADS=1 taskset -c 1 ./seqrl train examples/g2p.yaml --no-tracking --max-time 30m --set seed=14 --set pretrain.steps=10000 --set data.pronunciation.direction=phonemes-to-spelling --output $O/p2g10-s14 > $O/p2g10-s14.log 2>&1
wait
date -u +%FT%TZ >> $O/short.started
