#!/usr/bin/env bash
# Creates .venv (the Python environment the client tests use) and installs test/python/requirements.txt into it,
# with the versions of their dependencies fixed by test/python/constraints.txt; then installs Triton's perf_analyzer
# into .venv/bin (scripts/install-perf-analyzer.sh, which may apt-get install libb64-0d).
# Idempotent: a stamp file records the hash of both files and the interpreter version; when they still match, pip is
# not run (and install-perf-analyzer.sh keeps its own stamp). Usage: bash scripts/setup-python-env.sh
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
REQUIREMENTS=test/python/requirements.txt
CONSTRAINTS=test/python/constraints.txt
STAMP="$VENV/.nereid-requirements.sha256"

say() { echo "[setup-python-env] $*"; }
fail() { echo "[setup-python-env] ERROR: $*" >&2; exit 1; }

command -v python3 >/dev/null 2>&1 || fail "python3 not found on PATH (Python 3.11+ with the venv module is needed)"
[ -f "$REQUIREMENTS" ] || fail "$REQUIREMENTS is missing"
[ -f "$CONSTRAINTS" ] || fail "$CONSTRAINTS is missing"

base_version="$(python3 -c 'import sys; print(sys.version.split()[0])')" || fail "python3 does not run"
want="$( (sha256sum "$REQUIREMENTS" "$CONSTRAINTS" | cut -d' ' -f1; echo "python $base_version") | tr '\n' ' ')"

# The venv is usable when its interpreter runs and is the same version as python3 (a venv built by another
# interpreter, or one whose base interpreter moved, is rebuilt).
venv_ok=false
if [ -x "$VENV/bin/python" ]; then
  venv_version="$("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || true)"
  [ "$venv_version" = "$base_version" ] && venv_ok=true
fi

if $venv_ok && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  say "$VENV is up to date ($REQUIREMENTS and $CONSTRAINTS unchanged, python $base_version)"
else
  if ! $venv_ok; then
    say "creating $VENV with python3 $base_version"
    rm -rf "$VENV"
    python3 -m venv "$VENV" || fail "python3 -m venv $VENV failed (on Debian/Ubuntu: apt-get install python3-venv)"
  fi

  rm -f "$STAMP"
  say "installing $REQUIREMENTS into $VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off -r "$REQUIREMENTS" \
    -c "$CONSTRAINTS" || fail "pip install -r $REQUIREMENTS -c $CONSTRAINTS failed"
  "$VENV/bin/python" -c 'import numpy, tritonclient.http' || fail "the installed packages do not import"
  echo "$want" > "$STAMP"
  say "done: $("$VENV/bin/python" -m pip freeze --disable-pip-version-check |
    grep -iE '^(tritonclient|numpy|nvidia-cuda-runtime-cu12)==' | tr '\n' ' ')"
fi

bash scripts/install-perf-analyzer.sh
