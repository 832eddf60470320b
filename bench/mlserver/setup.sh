#!/usr/bin/env bash
# Creates .bench-venv (the Python environment of the MLServer peer in bench/run.ts; separate from the client tests'
# .venv) and installs bench/mlserver/requirements.txt into it, with every other version fixed by
# bench/mlserver/constraints.txt. Idempotent (see scripts/lib/pinned-venv.sh). Usage: bash bench/mlserver/setup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/pinned-venv.sh

ensure_pinned_venv bench/mlserver/setup .bench-venv bench/mlserver/requirements.txt bench/mlserver/constraints.txt \
  'import mlserver, onnxruntime, numpy' '^(mlserver|onnxruntime|numpy|uvloop)=='
[ -x .bench-venv/bin/mlserver ] || { echo "[bench/mlserver/setup] ERROR: .bench-venv/bin/mlserver is missing" >&2; exit 1; }
