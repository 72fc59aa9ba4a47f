#!/usr/bin/env bash
# Builds the Java modules when any source or pom is newer than the last build; quiet and quick otherwise.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stamp="$root/experiments/target/.seqrl-build-stamp"
if [[ -f "$stamp" ]] && [[ -z "$(find "$root/pom.xml" "$root"/{metrics,rl-core,agents,experiments}/{pom.xml,src/main} -newer "$stamp" -print -quit 2>/dev/null)" ]]; then
  exit 0
fi
# a one-line message when there is no Java 17+ (./mvnw brings Maven itself, from Maven Central, on first use)
source "$root/scripts/java-env.sh"
echo "seqrl: building (./mvnw package, tests skipped)..." >&2
if ! (cd "$root" && ./mvnw -B -q package -DskipTests > "$root/.build.log" 2>&1); then
  echo "seqrl: build failed; see $root/.build.log" >&2
  tail -n 30 "$root/.build.log" >&2
  exit 1
fi
touch "$stamp"
