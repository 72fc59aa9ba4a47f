#!/usr/bin/env bash
# Sets everything up and runs the main job: MLE pre-training then self-critical RL on the
# reverse task (examples/quickstart.yaml), tracked on the embedded local MLflow server.
# Extra arguments go to `seqrl train` (e.g. --set rl.steps=100).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup-python.sh"
"$root/scripts/build.sh"
out="runs/quickstart-$(date +%Y%m%d-%H%M%S)"
"$root/seqrl" train examples/quickstart.yaml --output "$out" "$@"
echo
echo "Run directory: $out (summary.json, checkpoints, resolved config)"
"$root/seqrl" mlflow
