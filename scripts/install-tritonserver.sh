#!/usr/bin/env bash
# Installs the real tritonserver 2.51.0 into .venv, the oracle of the differential tests (test/differential/) and a
# way to compare nereid with Triton by hand (README "Differential testing against tritonserver").
#
# tritonserver ships, CPU-only and complete (core, HTTP/gRPC front ends, Python backend, local response cache), inside
# the PyPI wheel nvidia-pytriton==0.7.0 (manylinux_2_35 x86_64). Triton's ONNX Runtime backend is not in it: the
# differential tests run each ONNX model as a Python-backend "twin" that runs the same file with the onnxruntime Python
# package (test/differential/twin-repository.ts). This script:
#   1. checks the platform (Linux x86_64; elsewhere it says why and exits 0, and the differential tests skip),
#   2. makes sure the Python backend stub's interpreter is there: Debian's libpython3.11 and python3-numpy (installed
#      with apt-get when missing; the stub runs the system Python 3.11 and does not inherit PYTHONPATH),
#   3. downloads the pinned wheel with pip into .venv/cache/tritonserver and checks its sha256,
#   4. extracts only the server, its libraries, the Python backend (with the 3.11 stub next to it) and the local cache
#      into .venv/tritonserver,
#   5. pip-installs onnxruntime (pinned, no dependencies: inference needs none) into .venv/tritonserver/stub-site-packages
#      and names that folder in a .pth file (one per checkout) in the system Python's /usr/local/lib/python3.11/dist-packages,
#   6. writes .venv/bin/tritonserver, a wrapper that sets LD_LIBRARY_PATH and passes --backend-directory and
#      --cache-directory (later flags on its command line win).
# Idempotent: a stamp records the pins and this script's hash; when it matches and the wrapper runs, nothing is done.
# The reason the platform cannot run it is written to .venv/tritonserver.unsupported (the tests print it).
# Usage: bash scripts/install-tritonserver.sh
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
PYTRITON_VERSION=0.7.0
WHEEL="nvidia_pytriton-$PYTRITON_VERSION-py3-none-manylinux_2_35_x86_64.whl"
WHEEL_SHA256=21f063ff93bb426d0c06b7a55e7eb9efcfe62c0dddd9a908e9877e18710128df
STUB_PYTHON=3.11
ONNXRUNTIME_VERSION=1.20.1
CACHE="$VENV/cache/tritonserver"
HOME_DIR="$VENV/tritonserver"
WRAPPER="$VENV/bin/tritonserver"
STAMP="$VENV/.nereid-tritonserver"
UNSUPPORTED="$VENV/tritonserver.unsupported"
PTH_DIR="/usr/local/lib/python$STUB_PYTHON/dist-packages"
# One .pth per checkout (named by its path), so clones (e.g. .ci/run's) never redirect each other's twins.
PTH="$PTH_DIR/nereid-tritonserver-stub-$(pwd | sha256sum | cut -c1-12).pth"

say() { echo "[install-tritonserver] $*"; }
fail() { echo "[install-tritonserver] ERROR: $*" >&2; exit 1; }
unsupported() {
  echo "$*" > "$UNSUPPORTED"
  say "SKIPPED: $* (the differential tests will be skipped)"
  exit 0
}

[ -x "$VENV/bin/python" ] || fail "$VENV/bin/python is missing: run \`bash scripts/setup-python-env.sh\` first"
[ "$(uname -s)/$(uname -m)" = "Linux/x86_64" ] ||
  unsupported "tritonserver 2.51 ships only as a Linux x86_64 binary (this is $(uname -s)/$(uname -m))"
command -v apt-get >/dev/null 2>&1 || [ -x /usr/bin/python$STUB_PYTHON ] ||
  unsupported "the Python backend stub needs Debian/Ubuntu's python$STUB_PYTHON (libpython$STUB_PYTHON, python3-numpy)"
rm -f "$UNSUPPORTED"

# `tritonserver --help` prints its usage and exits 1, so success is the usage text.
wrapper_runs() { local usage; usage="$("$WRAPPER" --help 2>&1 || true)"; [[ "$usage" == *--model-repository* ]]; }

want="nvidia-pytriton $PYTRITON_VERSION $WHEEL_SHA256 onnxruntime $ONNXRUNTIME_VERSION script $(sha256sum scripts/install-tritonserver.sh | cut -d' ' -f1) home $(pwd)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ "$(cat "$PTH" 2>/dev/null)" = "$(pwd)/$HOME_DIR/stub-site-packages" ] && wrapper_runs; then
  say "$WRAPPER is up to date (tritonserver 2.51.0 from nvidia-pytriton $PYTRITON_VERSION)"
  exit 0
fi
rm -f "$STAMP"

# 2. The stub's interpreter: the system Python 3.11 as a shared library, with numpy.
apt_install() {
  [ "$(id -u)" = 0 ] || unsupported "$* missing and this script is not running as root: run \`sudo apt-get install -y $*\`, then re-run"
  say "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null || fail "apt-get install $* failed"
}
ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
if ! "$ldconfig_bin" -p | grep -q "libpython$STUB_PYTHON\.so\.1\.0"; then
  command -v apt-get >/dev/null 2>&1 || unsupported "libpython$STUB_PYTHON.so.1.0 is missing and apt-get is not available"
  apt_install "libpython$STUB_PYTHON"
fi
if ! "/usr/bin/python$STUB_PYTHON" -c 'import numpy' >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || unsupported "/usr/bin/python$STUB_PYTHON has no numpy and apt-get is not available"
  apt_install python3-numpy
fi

# 3. The pinned wheel, kept in the cache so a re-install needs no download.
mkdir -p "$CACHE"
if [ -f "$CACHE/$WHEEL" ] && [ "$(sha256sum "$CACHE/$WHEEL" | cut -d' ' -f1)" = "$WHEEL_SHA256" ]; then
  say "using the cached $CACHE/$WHEEL"
else
  say "downloading $WHEEL (55 MB) with pip"
  rm -f "$CACHE/$WHEEL"
  "$VENV/bin/python" -m pip download --disable-pip-version-check --no-input --progress-bar off --quiet \
    "nvidia-pytriton==$PYTRITON_VERSION" --no-deps --only-binary=:all: --platform manylinux_2_35_x86_64 -d "$CACHE" ||
    fail "pip download nvidia-pytriton==$PYTRITON_VERSION failed"
  [ -f "$CACHE/$WHEEL" ] || fail "pip did not produce $CACHE/$WHEEL"
  got="$(sha256sum "$CACHE/$WHEEL" | cut -d' ' -f1)"
  if [ "$got" != "$WHEEL_SHA256" ]; then
    rm -f "$CACHE/$WHEEL"
    fail "$WHEEL has sha256 $got, expected $WHEEL_SHA256"
  fi
fi

# 4. Only what the server needs, laid out as Triton expects it (the stub sits next to libtriton_python.so).
say "extracting tritonserver to $HOME_DIR"
rm -rf "$HOME_DIR.tmp"
"$VENV/bin/python" - "$CACHE/$WHEEL" "$HOME_DIR.tmp" "$STUB_PYTHON" <<'EOF' || fail "could not extract tritonserver from $CACHE/$WHEEL"
import os, shutil, sys, zipfile
wheel, target, stub_python = sys.argv[1:]
root = 'pytriton/tritonserver/'
places = {  # wheel prefix -> folder under target
    root + 'bin/': 'bin/',
    root + 'backends/python/': 'backends/python/',
    root + f'python_backend_stubs/{stub_python}/': 'backends/python/',
    root + 'caches/local/': 'caches/local/',
    'nvidia_pytriton.libs/': 'lib/',
}
executables = {'tritonserver', 'triton_python_backend_stub'}
with zipfile.ZipFile(wheel) as archive:
    for member in archive.infolist():
        for prefix, folder in places.items():
            rest = member.filename[len(prefix):]
            if member.filename.startswith(prefix) and rest and '/' not in rest:
                path = os.path.join(target, folder, rest)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with archive.open(member) as source, open(path, 'wb') as out:
                    shutil.copyfileobj(source, out)
                os.chmod(path, 0o755 if rest in executables or '.so' in rest else 0o644)
EOF
for needed in bin/tritonserver backends/python/libtriton_python.so backends/python/triton_python_backend_stub \
  caches/local/libtritoncache_local.so; do
  [ -f "$HOME_DIR.tmp/$needed" ] || fail "the wheel has no $needed"
done

# 5. onnxruntime for the twins, where the stub's Python finds it.
say "installing onnxruntime $ONNXRUNTIME_VERSION for the stub's Python $STUB_PYTHON"
"$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off --quiet --no-deps \
  --only-binary=:all: --python-version "$STUB_PYTHON" --implementation cp --abi "cp${STUB_PYTHON/./}" \
  --platform manylinux_2_27_x86_64 --target "$HOME_DIR.tmp/stub-site-packages" "onnxruntime==$ONNXRUNTIME_VERSION" ||
  fail "pip install onnxruntime==$ONNXRUNTIME_VERSION failed"
rm -rf "$HOME_DIR"
mv "$HOME_DIR.tmp" "$HOME_DIR"
if [ ! -w "$PTH_DIR" ] && ! mkdir -p "$PTH_DIR" 2>/dev/null; then
  fail "cannot write $PTH_DIR: as root, run \`echo $(pwd)/$HOME_DIR/stub-site-packages > $PTH\`, then re-run"
fi
echo "$(pwd)/$HOME_DIR/stub-site-packages" > "$PTH"
"/usr/bin/python$STUB_PYTHON" -c 'import numpy, onnxruntime' ||
  fail "the stub's Python (/usr/bin/python$STUB_PYTHON) cannot import numpy and onnxruntime"

# 6. The wrapper; it finds the venv from its own location.
say "writing $WRAPPER"
cat > "$WRAPPER.tmp" <<'EOF'
#!/bin/sh
# tritonserver 2.51.0 from the nvidia-pytriton wheel, installed by scripts/install-tritonserver.sh (CPU-only; ONNX
# models run as Python-backend twins, see test/differential/twin-repository.ts). Later flags override these defaults.
home="$(cd "$(dirname "$(readlink -f "$0")")/../tritonserver" && pwd)"
LD_LIBRARY_PATH="$home/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "$home/bin/tritonserver" --backend-directory="$home/backends" --cache-directory="$home/caches" "$@"
EOF
chmod +x "$WRAPPER.tmp"
mv -f "$WRAPPER.tmp" "$WRAPPER"

missing="$( (LD_LIBRARY_PATH="$HOME_DIR/lib" ldd "$HOME_DIR/bin/tritonserver"
  LD_LIBRARY_PATH="$HOME_DIR/lib" ldd "$HOME_DIR/backends/python/triton_python_backend_stub") | grep 'not found' || true)"
[ -z "$missing" ] || fail "tritonserver cannot find these shared libraries:
$missing"
wrapper_runs || fail "$WRAPPER --help does not print tritonserver's usage: $("$WRAPPER" --help 2>&1 | head -5)"
echo "$want" > "$STAMP"
say "done: $WRAPPER (tritonserver 2.51.0, Python backend stub $STUB_PYTHON, onnxruntime $ONNXRUNTIME_VERSION)"
