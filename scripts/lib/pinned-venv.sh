# Sourced by the venv setup scripts (the client tests' .venv, the benchmark's .bench-venv).
#
# ensure_pinned_venv <log tag> <venv dir> <requirements> <constraints> <python import check> <freeze pattern>
#   Creates the venv with python3 when it is missing or was built by another interpreter version, and pip-installs the
#   requirements with every dependency version fixed by the constraints. A stamp (the hash of both files and the
#   interpreter version) makes a second run a no-op. Exits the script with a clear message on any failure.
ensure_pinned_venv() {
  local tag=$1 venv=$2 requirements=$3 constraints=$4 import_check=$5 freeze_pattern=$6
  local stamp="$venv/.nereid-requirements.sha256"
  say() { echo "[$tag] $*"; }
  fail() { echo "[$tag] ERROR: $*" >&2; exit 1; }

  command -v python3 >/dev/null 2>&1 || fail "python3 not found on PATH (Python 3 with the venv module is needed)"
  [ -f "$requirements" ] || fail "$requirements is missing"
  [ -f "$constraints" ] || fail "$constraints is missing"
  local base_version want venv_version venv_ok=false
  base_version="$(python3 -c 'import sys; print(sys.version.split()[0])')" || fail "python3 does not run"
  want="$( (sha256sum "$requirements" "$constraints" | cut -d' ' -f1; echo "python $base_version") | tr '\n' ' ')"

  # Usable when its interpreter runs and is python3's version (a venv whose base interpreter moved is rebuilt).
  if [ -x "$venv/bin/python" ]; then
    venv_version="$("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || true)"
    [ "$venv_version" = "$base_version" ] && venv_ok=true
  fi
  if $venv_ok && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "$venv is up to date ($requirements and $constraints unchanged, python $base_version)"
    return 0
  fi
  if ! $venv_ok; then
    say "creating $venv with python3 $base_version"
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "python3 -m venv $venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
  fi
  rm -f "$stamp"
  say "installing $requirements into $venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off -r "$requirements" \
    -c "$constraints" || fail "pip install -r $requirements -c $constraints failed"
  "$venv/bin/python" -c "$import_check" || fail "the installed packages do not import"
  echo "$want" > "$stamp"
  say "done: $("$venv/bin/python" -m pip freeze --disable-pip-version-check | grep -iE "$freeze_pattern" | tr '\n' ' ')"
}
