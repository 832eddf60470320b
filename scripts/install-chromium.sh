#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium), the browser test/client/browser.test.ts drives with playwright-core
# (never a browser download of Playwright's own: only Debian's packages are reachable here).
# Idempotent: when /usr/bin/chromium runs, nothing is done. Otherwise, as root, `apt-get update` then
# `apt-get install -y chromium`; without root or apt-get it fails saying what to run.
# Usage: bash scripts/install-chromium.sh
set -euo pipefail

CHROMIUM=/usr/bin/chromium

say() { echo "[install-chromium] $*"; }
fail() { echo "[install-chromium] ERROR: $*" >&2; exit 1; }

if [ -x "$CHROMIUM" ] && version="$("$CHROMIUM" --version 2>/dev/null)"; then
  say "$CHROMIUM is installed ($version)"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  fail "$CHROMIUM is missing and apt-get is not available: install Chromium with this system's package manager, then re-run"
[ "$(id -u)" = 0 ] ||
  fail "$CHROMIUM is missing and this script is not running as root: run \`sudo apt-get install -y chromium\`, then re-run"

export DEBIAN_FRONTEND=noninteractive
say "running apt-get update ($CHROMIUM is missing)"
apt-get update -qq || fail "apt-get update failed"
say "running apt-get install -y chromium"
apt-get install -y -qq chromium || fail "apt-get install chromium failed"
version="$("$CHROMIUM" --version 2>/dev/null)" || fail "chromium was installed but $CHROMIUM --version does not run"
say "installed $version"
