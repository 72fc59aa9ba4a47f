#!/usr/bin/env bash
# Model benchmark: SeqRL against a PyTorch peer of the same model and step, in one run, on the
# same machine and thread counts. Installs the peer (torch) into .venv, builds SeqRL, runs every
# case on both sides, prints the table, writes benchmarks/results/model-<time>.json and appends
# the table to BENCHMARKS.md.
#
# Both sides first take --pretrain MLE steps (same learning rate), so that decodes run to about the
# references' length on both sides instead of wherever an untrained model happens to stop.
#
# The sides run interleaved: for each thread count, --rounds rounds of SeqRL then PyTorch (then
# PyTorch with torch.compile), each round a fresh process with --reps timed repetitions, so that a
# slow stretch of a shared machine lands on both sides; compare.py reports the median over rounds
# and the spread of the per-round medians and ratios.
#
# --compile auto (default) adds the torch.compile row when a C++ compiler is on PATH (inductor
# compiles its CPU kernels with one); yes / no force it. PEER_PYTHON=/path/to/python runs the peer
# with another interpreter (then .venv is not given the benchmark requirements).
#
# --samediff yes (default) also runs the same model on the SameDiff engine (model.engine: samediff; side
# seqrl-samediff) in every round, after SeqRL's fast engine: MLE and SCST steps only, --samediff-reps timed
# repetitions (default 3: its steps take seconds), after the same --pretrain MLE steps. compare.py puts
# its times beside the fast engine's with the cost ratio SameDiff / fast.
#
# --model transformer (default recurrent) runs the transformer of issue 16 instead
# (Seq2SeqConfig.Transformer.defaults(): 2+2 layers, width 256, 4 heads, feed-forward 1024, pre-norm,
# sinusoids, tied output) against benchmarks/peers/torch_transformer.py, with the same cases,
# batch, data, pretraining and rounds; --attention does not apply to it.
#
# --warmup N (default 20) untimed repetitions of each case before the timed ones, on both sides alike.
# Java needs them: until C2 has compiled a case's code, its steps run interpreted or half-compiled, and
# with the run pinned to one core (taskset -c 0) the compiler threads share that core with the step
# (measured 2026-12-02: SCST without attention, 3 warm-up repetitions, 10 timed: 0.16 s wall for 0.08 s
# of the main thread's CPU; after 60 repetitions 0.07-0.08 s, wall equal to CPU).
#
# Usage: benchmarks/run.sh [--model recurrent|transformer] [--threads "1 2"] [--reps 10] [--rounds 3] [--warmup 20] [--pretrain 150]
#                          [--memory-steps 10000] [--attention none,additive] [--compile auto|yes|no] [--samediff yes|no] [--samediff-reps 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
threads="1 2"; reps=10; rounds=3; warmup=20; pretrain=150; memory_steps=10000; attention="none,additive"; compile=auto
samediff=yes; samediff_reps=3; model=recurrent
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --samediff) samediff="$2"; shift 2 ;;
    --samediff-reps) samediff_reps="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --compile) compile="$2"; shift 2 ;;
    --pretrain) pretrain="$2"; shift 2 ;;
    --memory-steps) memory_steps="$2"; shift 2 ;;
    --attention) attention="$2"; shift 2 ;;
    *) echo "run.sh: unknown option $1; expected --model, --threads, --reps, --warmup, --rounds, --pretrain, --memory-steps, --attention, --compile, --samediff, --samediff-reps" >&2; exit 2 ;;
  esac
done
case "$model" in
  recurrent) peer_script=(torch_seq2seq.py --attention "$attention") ;;
  transformer) peer_script=(torch_transformer.py) ;;
  *) echo "run.sh: --model $model; expected recurrent or transformer" >&2; exit 2 ;;
esac
case "$samediff" in
  yes|no) ;;
  *) echo "run.sh: --samediff $samediff; expected yes or no" >&2; exit 2 ;;
esac
# the BLAS kernel choice of ./seqrl (the thread count is set per run below)
source "$root/scripts/native-env.sh"
# the JVM and the flags its version needs (scripts/java-env.sh)
source "$root/scripts/java-env.sh"
if [[ -n "${PEER_PYTHON:-}" ]]; then
  peer_python="$PEER_PYTHON"
  "$root/scripts/setup-python.sh"
else
  "$root/scripts/setup-python.sh" "$root/benchmarks/requirements.txt"
  peer_python="$root/.venv/bin/python"
fi
case "$compile" in
  auto) if command -v c++ >/dev/null || command -v g++ >/dev/null; then compile=yes; else compile=no
          echo "run.sh: no C++ compiler on PATH, so no torch.compile row" >&2; fi ;;
  yes|no) ;;
  *) echo "run.sh: --compile $compile; expected auto, yes or no" >&2; exit 2 ;;
esac
"$root/scripts/build.sh"
out="$root/benchmarks/results"; mkdir -p "$out"
stamp="$(date -u +%Y%m%d-%H%M%S)"
[[ "$model" == transformer ]] && stamp="transformer-$stamp"
cp="$root/experiments/target/classes:$root/experiments/target/lib/*"
ours=(); peer=()
for t in $threads; do
  for round in $(seq 1 "$rounds"); do
    echo "== threads $t, round $round of $rounds" >&2
    f="$out/seqrl-$stamp-t$t-r$round.jsonl"
    # only the first round measures the matmul rate (it takes seconds and is not a side of the race)
    mm=(); [[ "$round" == 1 ]] && mm=(--matmul)
    OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t "$SEQRL_JAVA" "${SEQRL_JAVA_FLAGS[@]}" -Xmx2g -cp "$cp" org.seqrl.experiments.bench.ModelBenchmark --reps "$reps" \
      --model "$model" --warmup "$warmup" --pretrain "$pretrain" --attention "$attention" "${mm[@]}" | grep '^{' > "$f"
    ours+=("$f")
    if [[ "$samediff" == yes ]]; then
      f="$out/seqrl-samediff-$stamp-t$t-r$round.jsonl"
      OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t "$SEQRL_JAVA" "${SEQRL_JAVA_FLAGS[@]}" -Xmx2g -cp "$cp" org.seqrl.experiments.bench.ModelBenchmark \
        --engine samediff --cases mle_step,scst_step --reps "$samediff_reps" --warmup 1 --pretrain "$pretrain" \
        --model "$model" --attention "$attention" | grep '^{' > "$f"
      ours+=("$f")
    fi
    f="$out/pytorch-$stamp-t$t-r$round.jsonl"
    OMP_NUM_THREADS=$t "$peer_python" "$root/benchmarks/peers/${peer_script[0]}" "${peer_script[@]:1}" --threads "$t" \
      --reps "$reps" --warmup "$warmup" --pretrain "$pretrain" > "$f"
    peer+=("$f")
    if [[ "$compile" == yes ]]; then
      f="$out/pytorch-compile-$stamp-t$t-r$round.jsonl"
      OMP_NUM_THREADS=$t "$peer_python" "$root/benchmarks/peers/${peer_script[0]}" "${peer_script[@]:1}" --threads "$t" \
        --reps "$reps" --warmup "$warmup" --pretrain "$pretrain" --compile > "$f"
      peer+=("$f")
    fi
  done
done
if [[ "$memory_steps" -gt 0 ]]; then
  echo "== memory over $memory_steps SCST steps" >&2
  # the heap committed and touched up front, so that the resident size grows only if native or
  # non-heap memory does (without it, RSS rises while G1 first touches more of its regions)
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$SEQRL_JAVA" "${SEQRL_JAVA_FLAGS[@]}" -Xms512m -Xmx512m -XX:+AlwaysPreTouch -cp "$cp" \
    org.seqrl.experiments.bench.ModelBenchmark --cases "" --model "$model" --attention none \
    --memory-steps "$memory_steps" | grep '^{' > "$out/seqrl-$stamp-memory.jsonl"
  ours+=("$out/seqrl-$stamp-memory.jsonl")
fi
# the command as run (--attention does not apply to the transformer)
attention_opt=" --attention $attention"; [[ "$model" == transformer ]] && attention_opt=""
"$root/.venv/bin/python" "$root/benchmarks/compare.py" --ours "${ours[@]}" --peer "${peer[@]}" \
  --json-out "$out/model-$stamp.json" --markdown "$root/BENCHMARKS.md" \
  --command "benchmarks/run.sh --model $model --threads \"$threads\" --reps $reps --rounds $rounds --warmup $warmup --pretrain $pretrain --memory-steps $memory_steps$attention_opt --compile $compile --samediff $samediff --samediff-reps $samediff_reps"
