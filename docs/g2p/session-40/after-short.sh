#!/usr/bin/env bash
# after the short models: the budget triple's dev proposals (core 0) and the full triple's test, its dev-chosen setting (core 1)
set -u
O=/work/runs/s40
until [ "$(wc -l < $O/short.started)" -ge 2 ]; do sleep 5; done
cd $O
./triple2.sh 0 dev &
./triple.sh 1 test "5 0.5 0.3 0"
wait
