#!/usr/bin/env bash
# Sets everything up (project-local Python environment with MLflow, Maven dependencies) and runs every test,
# then the smoke test on Java 25.
# Tests start their own MLflow server on 127.0.0.1 from .venv; nothing needs to be running beforehand.
# The browser test needs Debian's chromium and chromium-driver, which scripts/setup-browser.sh installs (as root);
# the PostgreSQL and Slurm tests need Debian's postgresql, slurm-wlm and munge (setup-postgres.sh, slurm-local.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup-python.sh"
# Headless Chromium + chromedriver from Debian for the MLflow UI browser test (no-op when present).
"$root/scripts/setup-browser.sh"
# Debian's PostgreSQL for the tests of MLflow on a PostgreSQL store (no-op when present; the tests start their own).
"$root/scripts/setup-postgres.sh"
# Debian's slurm-wlm and munge for the sweep-on-Slurm test (SlurmSweepTest starts the local cluster itself).
"$root/scripts/slurm-local.sh" install
source "$root/scripts/native-env.sh"
# ./mvnw: Maven itself comes from Maven Central on first use; a JDK 17+ is all it needs.
"$root/mvnw" -B test "$@"
# Then the newest LTS (a fresh build, score and a tracked train on Java 25; scripts/smoke-java25.sh), on a full
# run only: arguments choose tests of the suite.
if [[ $# -eq 0 ]]; then
  "$root/scripts/smoke-java25.sh"
  # One closing line for the whole run (Maven's counts above are per module): the suite passed, so
  # every test that ran passed; skipped ones are counted apart; the Java 25 smoke test is one more.
  read -r ran skipped < <(cat "$root"/*/target/surefire-reports/TEST-*.xml | grep -o '<testsuite [^>]*' |
    sed -E 's/.* tests="([0-9]+)".* skipped="([0-9]+)".*/\1 \2/; s/.* skipped="([0-9]+)".* tests="([0-9]+)".*/\2 \1/' |
    awk '{t += $1; s += $2} END {print t, s}')
  echo "seqrl tests: $((ran - skipped + 1)) passed, 0 failed, $skipped skipped"
fi
