#!/usr/bin/env bash
# Creates or updates the project-local Python environment in .venv/ from python/requirements.txt.
# Idempotent: when the requirements have not changed since the last successful install it returns at once.
# Extra requirement files (e.g. benchmarks/requirements.txt) can be passed as arguments.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
reqs=("$root/python/requirements.txt" "$@")

stamp_of() { cat "${reqs[@]}" | sha256sum | cut -d' ' -f1; }
want="$(stamp_of)"
stamp_file="$venv/.seqrl-stamp-$(printf '%s\n' "${reqs[@]}" | sha256sum | cut -c1-12)"

if [[ -x "$venv/bin/python" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$want" ]]; then
  exit 0
fi

python_bin="${SEQRL_PYTHON:-$(command -v python3 || true)}"
if [[ -z "$python_bin" ]]; then
  echo "setup-python: no python3 on PATH; install Python 3.10+ or set SEQRL_PYTHON" >&2
  exit 2
fi
if [[ ! -x "$venv/bin/python" ]]; then
  echo "setup-python: creating $venv" >&2
  "$python_bin" -m venv "$venv"
fi
echo "setup-python: installing ${reqs[*]##$root/} into .venv (first time takes a few minutes)" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
for r in "${reqs[@]}"; do
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$r" >&2
done
echo "$want" > "$stamp_file"
