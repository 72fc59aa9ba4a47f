#!/usr/bin/env bash
# Runs an agents benchmark main class (not a test), e.g.
#   scripts/agents-bench.sh StepBenchmark 7 0 none,additive    # step timings
#   scripts/agents-bench.sh StepBenchmark 0 2000 none          # resident memory over 2000 SCST steps
#   scripts/agents-bench.sh SameDiffComparison 25 5            # SameDiff vs hand-written MLE gradient
# OMP_NUM_THREADS defaults to 1 (faster at these sizes on 2 cores); JAVA_OPTS is passed to java.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cls="${1:?usage: agents-bench.sh StepBenchmark|SameDiffComparison [args...]}"
shift
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"' EXIT
mvn -o -q -pl agents -am compile dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$cpfile" >/dev/null
cp="agents/target/classes:rl-core/target/classes:metrics/target/classes:$(cat "$cpfile")"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec java ${JAVA_OPTS:--Xmx1g} -cp "$cp" "org.seqrl.agents.bench.$cls" "$@"
