#!/usr/bin/env bash
# session 40 addendum 2: a second draw of the budget triple
set -u
O=/work/runs/s40
cd /work/wt/eval40
date -u +%FT%TZ > $O/draw2.started
OPENBLAS_NUM_THREADS=1 taskset -c 0 ./seqrl train examples/g2p.yaml --no-tracking --max-time 30m --set seed=15 --set pretrain.steps=10000 --set model.output_order=right-to-left --output $O/rtl10-s15 > $O/rtl10-s15.log 2>&1 &
OPENBLAS_NUM_THREADS=1 taskset -c 1 ./seqrl train examples/g2p.yaml --no-tracking --max-time 30m --set seed=16 --set pretrain.steps=10000 --set data.pronunciation.direction=phonemes-to-spelling --output $O/p2g10-s16 > $O/p2g10-s16.log 2>&1
wait
date -u +%FT%TZ >> $O/draw2.started
run() { # $1 core, $2 proposer seed, $3 proposer dir
  s=$(date +%s)
  OPENBLAS_NUM_THREADS=1 taskset -c $1 ./seqrl eval --checkpoint $3 --checkpoint $O/rtl10-s15 --channel $O/p2g10-s16 --split test --beam 5 \
    --coverage-penalty 1 --nbest 5 --ensemble-weights 0.5,0.5 --channel-weights 0.4 --length-bonus 0 \
    --proposals $O/ch-s$2-r15-ch16-test-proposals.tsv --output $O/ch-s$2-r15-ch16-test.json > $O/ch-s$2-r15-ch16-test.log 2>&1
  echo "ch-s$2-r15-ch16-test rc=$? $(( $(date +%s) - s )) s" >> $O/draw2.done
}
run 0 5 /work/runs/s37/ls-s5 &
run 1 8 /work/runs/s38/ls-s8
wait
