#!/usr/bin/env bash
# Sweep throughput (issue 20): cells per hour of one fixed sweep as the cells run at once (P, the
# sweep's --parallel) and the BLAS threads per cell (T, SEQRL_CELL_THREADS) vary, with the real CLI:
#   SEQRL_CELL_THREADS=T ./seqrl sweep benchmarks/sweep-throughput.yaml --parallel P --no-tracking --output <fresh dir>
# The sweep is examples/sweep.yaml's grid (8 cells of 600 MLE + 300 RL steps on the reverse task); on 2
# quiet cores a configuration should take 2-5 minutes.
#
# Configurations: every P x T with P and T powers of two (or the core count) and P*T <= the cores this
# process may use (nproc, which follows taskset); on 2 cores (1,1), (1,2), (2,1). Each round runs every
# configuration once (the order reversed every other round, so that a slow stretch of the machine does
# not always land on the same one), each into a fresh folder. Per configuration it records the sweep's
# wall time and the CPU time (user + sys) of the whole process tree (/usr/bin/time: the cells are
# children the sweep waits for), the largest process's peak RSS, the CPU time the whole machine spent
# meanwhile (/proc/stat, to see other load) and the load average; per cell its summary.json (wall time,
# steps, the BLAS threads it ran with) and its metrics.jsonl step rates (perf/pretrain_steps_per_s,
# perf/rl_steps_per_s).
#
# benchmarks/sweep_throughput.py then prints the table (cells/hour, CPU utilisation, per-cell step rates),
# says whether the measured best configuration beats the one sweep.parallel's default picks, and
# projects cells/hour to --project cores (default 16 and 64) with a stated model (measured single-cell
# times at 1..T threads, contention measured with all cores busy here; see the script). The full run
# appends that section to BENCHMARKS.md; --quick does not.
#
# --quick: 2 of the cells (bleu, both baselines, seed 1), 40 MLE + 20 RL steps each, evaluation every 20,
# one round (a smoke run of the harness; its numbers are not results). --cores N picks the configurations for N cores instead of nproc's count
# (with more than the process may use, the cells oversubscribe its cores: only for a smoke run).
# --configs "1x1 2x1" runs those P x T instead. Needs /usr/bin/time (Debian package `time`).
#
# Usage: benchmarks/sweep-throughput.sh [--quick] [--rounds 2] [--cores N] [--configs "PxT ..."]
#                                       [--project 16,64] [--markdown BENCHMARKS.md|none]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=no; rounds=2; cores=""; configs=""; project="16,64"; markdown="$root/BENCHMARKS.md"
given=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=yes; shift ;;
    --rounds) rounds="$2"; given+=(rounds); shift 2 ;;
    --cores) cores="$2"; shift 2 ;;
    --configs) configs="$2"; shift 2 ;;
    --project) project="$2"; shift 2 ;;
    --markdown) markdown="$2"; given+=(markdown); shift 2 ;;
    *) echo "sweep-throughput.sh: unknown option $1; expected --quick, --rounds, --cores, --configs, --project, --markdown" >&2; exit 2 ;;
  esac
done
is_given() { [[ " ${given[*]-} " == *" $1 "* ]]; }
sets=()
if [[ "$quick" == yes ]]; then
  # 2 cells (bleu x 2 baselines, seed 1): enough for 2 at once, short on a loaded machine
  sets=(--set pretrain.steps=40 --set rl.steps=20 --set eval.every=20 --set "sweep.grid.rl.reward=[bleu]" --set "sweep.grid.seed=[1]")
  is_given rounds || rounds=1
  is_given markdown || markdown=none
fi
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "sweep-throughput.sh: --rounds $rounds; expected a whole number >= 1" >&2; exit 2; }
[[ "$project" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] \
  || { echo "sweep-throughput.sh: --project $project; expected core counts separated by commas, e.g. 16,64" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "sweep-throughput.sh: /usr/bin/time is missing (it measures the sweep's CPU time); install the Debian package 'time'" >&2; exit 2; }
usable="$(nproc)"
if [[ -z "$cores" ]]; then
  cores="$usable"
elif ! [[ "$cores" =~ ^[1-9][0-9]*$ ]]; then
  echo "sweep-throughput.sh: --cores $cores; expected a whole number >= 1" >&2; exit 2
fi
if [[ -z "$configs" ]]; then
  sizes=(); v=1
  while ((v <= cores)); do sizes+=("$v"); v=$((v * 2)); done
  [[ " ${sizes[*]} " == *" $cores "* ]] || sizes+=("$cores")
  for p in "${sizes[@]}"; do for t in "${sizes[@]}"; do
    ((p * t <= cores)) && configs+="${configs:+ }${p}x${t}"
  done; done
fi
for c in $configs; do
  [[ "$c" =~ ^([1-9][0-9]*)x([1-9][0-9]*)$ ]] \
    || { echo "sweep-throughput.sh: --configs: '$c' is not PxT (cells at once x threads per cell), e.g. 2x1" >&2; exit 2; }
  if ((BASH_REMATCH[1] * BASH_REMATCH[2] > usable)); then
    echo "sweep-throughput.sh: $c needs $((BASH_REMATCH[1] * BASH_REMATCH[2])) cores and this process may use $usable: oversubscribed, a smoke run only" >&2
  fi
done
python="$root/.venv/bin/python"; [[ -x "$python" ]] || python=python3

"$root/scripts/build.sh"
stamp="$(date -u +%Y%m%d-%H%M%S)"
out="$root/benchmarks/results/sweep-throughput-$stamp"; mkdir -p "$out"
clk="$(getconf CLK_TCK)"; machine_cpus="$(getconf _NPROCESSORS_ONLN)"
# busy and all jiffies of the whole machine (every CPU, not only ours): user nice system idle iowait irq softirq steal
machine_jiffies() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
started=$SECONDS
order=($configs)
for round in $(seq 1 "$rounds"); do
  list=("${order[@]}")
  if ((round % 2 == 0)); then list=(); for ((i = ${#order[@]} - 1; i >= 0; i--)); do list+=("${order[i]}"); done; fi
  for c in "${list[@]}"; do
    p="${c%x*}"; t="${c#*x}"
    d="$out/r$round-p$p-t$t"
    echo "== round $round of $rounds: $p cell(s) at once x $t thread(s) each ($((SECONDS - started)) s)" >&2
    mkdir -p "$d"
    load_before="$(loadavg)"
    read -r busy0 all0 <<< "$(machine_jiffies)"
    set +e
    SEQRL_CELL_THREADS="$t" /usr/bin/time -f '%e %U %S %M' -o "$d/time.txt" \
      "$root/seqrl" sweep "$root/benchmarks/sweep-throughput.yaml" --parallel "$p" --no-tracking --output "$d" \
      "${sets[@]}" > "$d/sweep.log" 2>&1
    rc=$?
    set -e
    read -r busy1 all1 <<< "$(machine_jiffies)"
    # the last line is the format's (a failed command's status line comes before it)
    wall=null user=null sys=null rss=null
    last="$(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$d/time.txt" | tail -n 1 || true)"
    [[ -n "$last" ]] && read -r wall user sys rss <<< "$last"
    printf '{"round": %d, "parallel": %d, "threads": %d, "cores": %d, "usable_cores": %d, "machine_cpus": %d, "exit_code": %d, "wall_s": %s, "user_s": %s, "sys_s": %s, "max_rss_kb": %s, "machine_busy_s": %s, "machine_all_s": %s, "load_before": "%s", "load_after": "%s", "quick": %s}\n' \
      "$round" "$p" "$t" "$cores" "$usable" "$machine_cpus" "$rc" "$wall" "$user" "$sys" "$rss" \
      "$(awk -v a="$busy0" -v b="$busy1" -v k="$clk" 'BEGIN{print (b - a) / k}')" \
      "$(awk -v a="$all0" -v b="$all1" -v k="$clk" 'BEGIN{print (b - a) / k}')" \
      "$load_before" "$(loadavg)" "$([[ $quick == yes ]] && echo true || echo false)" > "$d/meta.json"
    if ((rc != 0)); then
      echo "sweep-throughput.sh: the sweep at $c exited with $rc; see $d/sweep.log (kept out of the table)" >&2
    fi
  done
done
label="full"
[[ "$quick" == yes ]] && label="quick smoke run (not results)"
md=(); [[ "$markdown" != none ]] && md=(--markdown "$markdown")
"$python" "$root/benchmarks/sweep_throughput.py" --dir "$out" --project "$project" --label "$label" \
  --png "$out/sweep-throughput.png" "${md[@]}" \
  --command "benchmarks/sweep-throughput.sh$([[ $quick == yes ]] && echo ' --quick') --rounds $rounds --cores $cores --configs \"$configs\" --project $project"
echo "sweep-throughput.sh: $((SECONDS - started)) s; runs and table in $out" >&2
