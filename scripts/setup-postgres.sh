#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries (package postgresql) for the tests that run MLflow on a
# PostgreSQL store (PostgresTrackingTest, the load test), when they are missing. Idempotent: returns at once
# when /usr/lib/postgresql/*/bin/postgres exists. The tests start their own server (temp data dir, 127.0.0.1,
# a free port); this script starts nothing, and the package's own cluster is not used.
# Needs root (or sudo) and Debian's package archive. SEQRL_SKIP_POSTGRES=1 skips the install.
set -euo pipefail
if [[ "${SEQRL_SKIP_POSTGRES:-}" == 1 ]]; then
  exit 0
fi
if compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "setup-postgres: no apt-get here; install a PostgreSQL server (initdb, postgres, psql) by hand" >&2
  exit 0
fi
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null; then sudo=(sudo -n); else
    echo "setup-postgres: not root and no sudo; install the Debian package postgresql" >&2
    exit 0
  fi
fi
echo "setup-postgres: installing postgresql from Debian (first time takes a minute)" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql >/dev/null
