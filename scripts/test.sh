#!/usr/bin/env bash
# Sets everything up (project-local Python environment with MLflow, Maven dependencies) and runs every test,
# then the smoke test on Java 25.
# Tests start their own MLflow server on 127.0.0.1 from .venv; nothing needs to be running beforehand.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup-python.sh"
source "$root/scripts/native-env.sh"
# ./mvnw: Maven itself comes from Maven Central on first use; a JDK 17+ is all it needs.
"$root/mvnw" -B test "$@"
# Then the newest LTS (a fresh build, score and a tracked train on Java 25; scripts/smoke-java25.sh), on a full
# run only: arguments choose tests of the suite.
if [[ $# -eq 0 ]]; then
  "$root/scripts/smoke-java25.sh"
fi
