#!/usr/bin/env bash
# Creates or updates the project-local Python environment in .venv/ from python/requirements.txt.
# Idempotent: when the requirements have not changed since the last successful install it returns at once.
# Extra requirement files (e.g. benchmarks/requirements.txt) can be passed as arguments.
#
# Before it installs anything it checks for what it needs, and when something is missing it ends with
# one line saying what to install: a python3 (or SEQRL_PYTHON pointing at one), Python 3.10 or newer
# (mlflow 3.17.2 requires it), its venv and ensurepip modules (Debian and Ubuntu ship them apart, in
# python3-venv), and the package index (pip's output is kept in .setup-python.log).
# A failed run leaves nothing that the next run takes for done: the stamp of a requirement set is
# written only after its install succeeded, and a .venv without a working pip is made anew.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
log="$root/.setup-python.log"
reqs=("$root/python/requirements.txt" "$@")
min_major=3 min_minor=10 # mlflow 3.17.2: Requires-Python >=3.10

stamp_of() { cat "${reqs[@]}" | sha256sum | cut -d' ' -f1; }
want="$(stamp_of)"
stamp_file="$venv/.seqrl-stamp-$(printf '%s\n' "${reqs[@]}" | sha256sum | cut -c1-12)"

if [[ -x "$venv/bin/python" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$want" ]]; then
  exit 0
fi

fail() {
  echo "setup-python: $*" >&2
  exit 2
}
venv_works() { [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -m pip --version >/dev/null 2>&1; }

# The Python that makes .venv: SEQRL_PYTHON, else python3 on PATH.
python_for_venv() {
  local py
  if [[ -n "${SEQRL_PYTHON:-}" ]]; then
    py="$(command -v "$SEQRL_PYTHON" || true)"
    [[ -n "$py" && -x "$py" ]] ||
      fail "SEQRL_PYTHON=$SEQRL_PYTHON is not an executable file; point it at a Python $min_major.$min_minor or newer (e.g. /usr/bin/python3.12)"
  else
    py="$(command -v python3 || true)"
    [[ -n "$py" ]] ||
      fail "no python3 on PATH; install Python $min_major.$min_minor or newer (Debian/Ubuntu: apt-get install python3 python3-venv) or set SEQRL_PYTHON to one"
  fi
  # One probe for the version and the two modules a venv with pip needs.
  local probe version
  probe="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])
try:
    import venv, ensurepip
    print("venv-ok")
except ImportError as e:
    print("missing", e.name)' 2>/dev/null || true)"
  version="$(head -n1 <<<"$probe")"
  [[ "$version" =~ ^[0-9]+\.[0-9]+$ ]] ||
    fail "$py did not run as a Python (it printed '$(head -c 80 <<<"$probe" | tr '\n' ' ')'); install Python $min_major.$min_minor or newer or set SEQRL_PYTHON to one"
  local major="${version%%.*}" minor="${version#*.}"
  if (( major < min_major || (major == min_major && minor < min_minor) )); then
    fail "$py is Python $version; SeqRL's tracking server (mlflow 3.17.2) needs Python $min_major.$min_minor or newer: install one and set SEQRL_PYTHON to it (e.g. SEQRL_PYTHON=/usr/bin/python3.12)"
  fi
  if [[ "$(sed -n 2p <<<"$probe")" != venv-ok ]]; then
    fail "$py (Python $version) lacks the $(sed -n '2s/^missing //p' <<<"$probe") module that creating .venv needs; install it (Debian/Ubuntu: apt-get install python$version-venv) or set SEQRL_PYTHON to another Python $min_major.$min_minor+"
  fi
  printf '%s\n' "$py"
}

# pip's failure as one line: the package index out of reach, or pip's own last error.
pip_failed() {
  local what="$1" reason
  reason="$(grep -o -m1 -E 'Connection refused|Network is unreachable|No route to host|Temporary failure in name resolution|Name or service not known|timed out|ProxyError|SSLError|CERTIFICATE_VERIFY_FAILED' "$log" || true)"
  if [[ -n "$reason" ]]; then
    fail "pip could not reach the package index${PIP_INDEX_URL:+ $PIP_INDEX_URL} ($reason) while installing $what; connect to it (or set PIP_INDEX_URL / HTTPS_PROXY for a mirror or proxy) and rerun; pip's output is in ${log#$root/}"
  fi
  fail "pip failed installing $what: $(grep -E '^ERROR' "$log" | tail -n1 || true); pip's output is in ${log#$root/}"
}

if ! venv_works; then
  python_bin="$(python_for_venv)"
  if [[ -e "$venv" || -L "$venv" ]]; then
    echo "setup-python: $venv has no working pip (an earlier setup stopped part way); making it anew" >&2
    rm -rf "$venv"
  fi
  echo "setup-python: creating $venv with $python_bin" >&2
  if ! "$python_bin" -m venv "$venv" >"$log" 2>&1 || ! venv_works; then
    rm -rf "$venv"
    fail "$python_bin could not create a virtual environment with pip (Debian/Ubuntu: apt-get install python3-venv); its output is in ${log#$root/}"
  fi
fi
echo "setup-python: installing ${reqs[*]##$root/} into .venv (first time takes a few minutes)" >&2
# An index out of reach leaves the installed pip in place and succeeds; the requirements below then say why.
"$venv/bin/python" -m pip install --disable-pip-version-check --upgrade pip >"$log" 2>&1 || pip_failed pip
for r in "${reqs[@]}"; do
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$r" >>"$log" 2>&1 || pip_failed "${r#$root/}"
done
echo "$want" > "$stamp_file"
