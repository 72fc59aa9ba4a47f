#!/usr/bin/env bash
# Measures what a local MLflow server costs: starts `.venv/bin/mlflow server` as SeqRL does (sqlite,
# proxied artifacts, 127.0.0.1, a temp state dir), waits until /health answers and SETTLE seconds more,
# then prints the number of processes in its tree and their summed resident memory (RSS), and stops it.
# Usage: scripts/mlflow-server-footprint.sh MODE [MODE ...]   MODE: lean | jobs-1w | full
#   lean    --workers 1, MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false   (SeqRL's default)
#   jobs-1w --workers 1, job execution on (MLflow's default)         (SeqRL before issue 22)
#   full    MLflow's defaults: 4 workers, job execution on           (SEQRL_MLFLOW_SERVER=full)
# Modes given several times run interleaved in the order given (e.g. lean full lean full).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
settle="${SETTLE:-20}"

tree_pids() { # pid and all its descendants
  local p="$1"; echo "$p"
  for c in $(pgrep -P "$p" || true); do tree_pids "$c"; done
}

for mode in "$@"; do
  state="$(mktemp -d /tmp/seqrl-footprint.XXXXXX)"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  args=(server --backend-store-uri "sqlite:///$state/mlflow.db" --artifacts-destination "$state/artifacts"
        --host 127.0.0.1 --port "$port")
  envs=(env -u MLFLOW_TRACKING_URI)
  case "$mode" in
    lean)    args+=(--workers 1); envs+=(MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false) ;;
    jobs-1w) args+=(--workers 1) ;;
    full)    ;;
    *) echo "mode: '$mode' is not a mode; expected lean, jobs-1w or full" >&2; exit 2 ;;
  esac
  "${envs[@]}" "$root/.venv/bin/mlflow" "${args[@]}" >"$state/server.log" 2>&1 &
  pid=$!
  start=$(date +%s.%N)
  until curl -fs "http://127.0.0.1:$port/health" >/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "$mode: server exited; log:" >&2; tail -20 "$state/server.log" >&2; exit 1; fi
    sleep 0.25
  done
  ready=$(echo "$(date +%s.%N) - $start" | bc)
  sleep "$settle"
  pids=$(tree_pids "$pid")
  n=$(echo "$pids" | wc -l)
  rss_kb=$(ps -o rss= -p $(echo $pids | tr ' ' ',') | awk '{s+=$1} END {print s}')
  printf '%-8s processes %2d  rss %6.0f MB  ready after %.1f s\n' "$mode" "$n" "$(echo "$rss_kb / 1024" | bc -l)" "$ready"
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  wait "$pid" 2>/dev/null || true
  sleep 2
  for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$state"
done
