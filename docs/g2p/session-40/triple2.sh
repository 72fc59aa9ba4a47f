#!/usr/bin/env bash
# session 40 addendum: the budget triple, left-to-right 10 (21,000 steps) + right-to-left 13 + channel 14 (10,000 steps each); $1 = core, $2 = dev|test, $3 = "K W LAM B" for test
set -u
O=/work/runs/s40
cd /work/wt/eval40
core=$1; split=$2
s=$(date +%s)
common="--checkpoint /work/runs/s39/ls21-s10 --checkpoint $O/rtl10-s13 --channel $O/p2g10-s14 --beam 5 --coverage-penalty 1"
if [ "$split" = dev ]; then
  OPENBLAS_NUM_THREADS=1 taskset -c $core ./seqrl eval $common --split dev --set eval.dev_size=0 --nbest 5 --channel-weights 1 \
    --proposals $O/dev-s10-r13-ch14-proposals.tsv --output $O/dev-s10-r13-ch14.json > $O/dev-s10-r13-ch14.log 2>&1
  echo "dev-s10-r13-ch14 rc=$? $(( $(date +%s) - s )) s" >> $O/triple.done
else
  read -r K W LAM B <<< "$3"
  OPENBLAS_NUM_THREADS=1 taskset -c $core ./seqrl eval $common --split test --nbest $K --ensemble-weights $(python3 -c "print(f'{1-$W:g},{$W:g}')") \
    --channel-weights $LAM --length-bonus $B \
    --proposals $O/ch-s10-r13-ch14-test-proposals.tsv --predictions $O/ch-s10-r13-ch14-test-predictions.tsv --output $O/ch-s10-r13-ch14-test.json > $O/ch-s10-r13-ch14-test.log 2>&1
  echo "ch-s10-r13-ch14-test rc=$? $(( $(date +%s) - s )) s" >> $O/triple.done
fi
