#!/usr/bin/env bash
# Sets everything up (project-local Python environment with MLflow, Maven dependencies) and runs every test.
# Tests start their own MLflow server on 127.0.0.1 from .venv; nothing needs to be running beforehand.
# The browser test needs Debian's chromium and chromium-driver, which scripts/setup-browser.sh installs (as root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup-python.sh"
# Headless Chromium + chromedriver from Debian for the MLflow UI browser test (no-op when present).
"$root/scripts/setup-browser.sh"
source "$root/scripts/native-env.sh"
exec mvn -B test "$@"
