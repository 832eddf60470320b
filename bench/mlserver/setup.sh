#!/usr/bin/env bash
# Creates .bench-venv (the Python environment of the MLServer peer in bench/run.ts; separate from the client tests'
# .venv) and installs bench/mlserver/requirements.txt into it, with every other version fixed by
# bench/mlserver/constraints.txt. Idempotent: a stamp file records the hash of both files and the interpreter version;
# when they still match, nothing is done. Usage: bash bench/mlserver/setup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=.bench-venv
REQUIREMENTS=bench/mlserver/requirements.txt
CONSTRAINTS=bench/mlserver/constraints.txt
STAMP="$VENV/.nereid-bench-requirements.sha256"

say() { echo "[bench/mlserver/setup] $*"; }
fail() { echo "[bench/mlserver/setup] ERROR: $*" >&2; exit 1; }

command -v python3 >/dev/null 2>&1 || fail "python3 not found on PATH (Python 3.9-3.12 with the venv module is needed)"
base_version="$(python3 -c 'import sys; print(sys.version.split()[0])')" || fail "python3 does not run"
want="$( (sha256sum "$REQUIREMENTS" "$CONSTRAINTS" | cut -d' ' -f1; echo "python $base_version") | tr '\n' ' ')"

venv_ok=false
if [ -x "$VENV/bin/python" ]; then
  venv_version="$("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || true)"
  [ "$venv_version" = "$base_version" ] && venv_ok=true
fi

if $venv_ok && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  say "$VENV is up to date ($REQUIREMENTS and $CONSTRAINTS unchanged, python $base_version)"
  exit 0
fi

if ! $venv_ok; then
  say "creating $VENV with python3 $base_version"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || fail "python3 -m venv $VENV failed (on Debian/Ubuntu: apt-get install python3-venv)"
fi

rm -f "$STAMP"
say "installing $REQUIREMENTS into $VENV"
"$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off -r "$REQUIREMENTS" \
  -c "$CONSTRAINTS" || fail "pip install -r $REQUIREMENTS -c $CONSTRAINTS failed"
"$VENV/bin/python" -c 'import mlserver, onnxruntime, numpy' || fail "the installed packages do not import"
[ -x "$VENV/bin/mlserver" ] || fail "$VENV/bin/mlserver is missing after the install"
echo "$want" > "$STAMP"
say "done: $("$VENV/bin/python" -m pip freeze --disable-pip-version-check | grep -iE '^(mlserver|onnxruntime|numpy|uvloop)==' | tr '\n' ' ')"
