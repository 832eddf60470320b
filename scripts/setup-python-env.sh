#!/usr/bin/env bash
# Creates .venv (the Python environment the client tests use) and installs test/python/requirements.txt into it,
# with the versions of their dependencies fixed by test/python/constraints.txt; then installs Triton's perf_analyzer
# into .venv/bin (scripts/install-perf-analyzer.sh, which may apt-get install libb64-0d).
# Idempotent (see scripts/lib/pinned-venv.sh; install-perf-analyzer.sh keeps its own stamp).
# Usage: bash scripts/setup-python-env.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/pinned-venv.sh

ensure_pinned_venv setup-python-env .venv test/python/requirements.txt test/python/constraints.txt \
  'import numpy, tritonclient.http, tritonclient.grpc' '^(tritonclient|numpy|nvidia-cuda-runtime-cu12)=='
bash scripts/install-perf-analyzer.sh
bash scripts/install-tritonserver.sh
bash scripts/install-chromium.sh
