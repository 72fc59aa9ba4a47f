#!/usr/bin/env bash
# session 39 addendum: the pair that fills the hour, started when the dev evaluations are done
set -u
O=/work/runs/s39
while [ "$(wc -l < $O/dev.done 2>/dev/null || echo 0)" -lt 10 ]; do sleep 5; done
cd /work/wt/run
date -u +%FT%TZ > $O/train.started
OPENBLAS_NUM_THREADS=1 taskset -c 0 ./seqrl train examples/g2p.yaml --no-tracking --max-time 62m --set seed=10 --set pretrain.steps=21000 --output $O/ls21-s10 > $O/ls21-s10.log 2>&1 &
OPENBLAS_NUM_THREADS=1 taskset -c 1 ./seqrl train examples/g2p.yaml --no-tracking --max-time 62m --set seed=11 --set pretrain.steps=21000 --set model.output_order=right-to-left --output $O/rtl21-s11 > $O/rtl21-s11.log 2>&1
wait
date -u +%FT%TZ > $O/train.done
