#!/usr/bin/env bash
# session 40: the channel model p(spelling | phonemes), the recipe of examples/g2p.yaml turned round, 21,000 steps (the hour's schedule of session 39's pair)
set -u
O=/work/runs/s40
cd /work/wt/p2g
date -u +%FT%TZ > $O/p2g.started
OPENBLAS_NUM_THREADS=1 taskset -c 1 ./seqrl train examples/g2p.yaml --no-tracking --max-time 62m --set seed=12 --set pretrain.steps=21000 \
  --set data.pronunciation.direction=phonemes-to-spelling --output $O/p2g21-s12 > $O/p2g21-s12.log 2>&1
echo "rc=$?" >> $O/p2g.started
date -u +%FT%TZ >> $O/p2g.started
