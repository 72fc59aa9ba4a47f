#!/usr/bin/env bash
# session 39: the test evaluations of the plan, after the training: $1 = core, rest = jobs
set -u
O=/work/runs/s39
while [ ! -f $O/train.done ]; do sleep 10; done
cd /work/wt/eval
core=$1; shift
dir() { case $1 in 3|4) echo /work/runs/s36/ls-s$1;; 5|6) echo /work/runs/s37/ls-s$1;; 8) echo /work/runs/s38/ls-s8;; 7|9) echo /work/runs/s38/rtl-s$1;;
  10) echo $O/ls21-s10;; 11) echo $O/rtl21-s11;; esac; }
ev() { OPENBLAS_NUM_THREADS=1 taskset -c $core ./seqrl eval "$@"; }
TUNED="--nbest 2 --ensemble-weights 0.5,0.5 --length-bonus 0.25"
for job in "$@"; do
  s=$(date +%s)
  case $job in
    tuned-*) lr=${job#tuned-}; l=${lr%,*}; r=${lr#*,}; name=tuned-s$l-r$r
      ev --checkpoint $(dir $l) --checkpoint $(dir $r) --split test --beam 5 --coverage-penalty 1 $TUNED \
        --proposals $O/$name-test-proposals.tsv --output $O/$name-test.json --predictions $O/$name-test-predictions.tsv > $O/$name-test.log 2>&1 ;;
    plain-*) lr=${job#plain-}; l=${lr%,*}; r=${lr#*,}; name=plain-s$l-r$r
      ev --checkpoint $(dir $l) --checkpoint $(dir $r) --split test --beam 5 --coverage-penalty 1 \
        --output $O/$name-test.json --predictions $O/$name-test-predictions.tsv > $O/$name-test.log 2>&1 ;;
    single-*) m=${job#single-}; name=single-s$m
      ev --checkpoint $(dir $m) --split test --beam 5 --output $O/$name-test.json --predictions $O/$name-test-predictions.tsv > $O/$name-test.log 2>&1 ;;
  esac
  echo "$job rc=$? $(( $(date +%s) - s )) s" >> $O/test.done
done
