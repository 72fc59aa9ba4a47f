#!/usr/bin/env bash
# Installs Debian's headless Chromium and its WebDriver (chromium, chromium-driver) for the MLflow UI
# browser test, when they are missing. Idempotent: returns at once when both are installed.
# Needs root (or sudo) and Debian's package archive; it never downloads a browser from anywhere else.
# SEQRL_SKIP_BROWSER=1 skips the install (the browser test then fails with a message naming this script).
set -euo pipefail
if [[ "${SEQRL_SKIP_BROWSER:-}" == 1 ]]; then
  exit 0
fi
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "setup-browser: no apt-get here; install Chromium and chromedriver (/usr/bin/chromium, /usr/bin/chromedriver) by hand" >&2
  exit 0
fi
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null; then sudo=(sudo -n); else
    echo "setup-browser: not root and no sudo; install the Debian packages chromium and chromium-driver" >&2
    exit 0
  fi
fi
echo "setup-browser: installing chromium and chromium-driver from Debian (first time takes a minute)" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
