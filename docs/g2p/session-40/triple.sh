#!/usr/bin/env bash
# session 40, beyond the budget (plan's last paragraph): left-to-right 10 + right-to-left 11 + the channel; $1 = core, $2 = dev|test, $3 = "K W LAM B" for test
set -u
O=/work/runs/s40
P=$O/p2g21-s12
cd /work/wt/eval40
core=$1; split=$2
s=$(date +%s)
if [ "$split" = dev ]; then
  OPENBLAS_NUM_THREADS=1 taskset -c $core ./seqrl eval --checkpoint /work/runs/s39/ls21-s10 --checkpoint /work/runs/s39/rtl21-s11 --channel $P \
    --split dev --set eval.dev_size=0 --beam 5 --coverage-penalty 1 --nbest 5 --channel-weights 1 \
    --proposals $O/dev-s10-r11-ch-proposals.tsv --output $O/dev-s10-r11-ch.json > $O/dev-s10-r11-ch.log 2>&1
  echo "dev-s10-r11-ch rc=$? $(( $(date +%s) - s )) s" >> $O/triple.done
else
  read -r K W LAM B <<< "$3"
  OPENBLAS_NUM_THREADS=1 taskset -c $core ./seqrl eval --checkpoint /work/runs/s39/ls21-s10 --checkpoint /work/runs/s39/rtl21-s11 --channel $P \
    --split test --beam 5 --coverage-penalty 1 --nbest $K --ensemble-weights $(python3 -c "print(f'{1-$W:g},{$W:g}')") --channel-weights $LAM --length-bonus $B \
    --proposals $O/ch-s10-r11-test-proposals.tsv --predictions $O/ch-s10-r11-test-predictions.tsv --output $O/ch-s10-r11-test.json > $O/ch-s10-r11-test.log 2>&1
  echo "ch-s10-r11-test rc=$? $(( $(date +%s) - s )) s" >> $O/triple.done
fi
