#!/usr/bin/env bash
# Install the third-party verifiers that tests/test_interop.py runs. Idempotent: each part is
# redone only when its lock/requirements file (or the interpreter) changed.
#
#   tests/interop/setup.sh [npm] [ob2]     (default: both)
#
#   npm  npm ci in tests/interop (Digital Bazaar vc/data-integrity/eddsa-rdfc-2022, jose)
#   ob2  tests/interop/.menteo-interop/ob2-venv with 1EdTech validator-core (openbadges 1.1.2)
#        and its pin overrides; PYTHON (default python3) makes the venv.
set -euo pipefail
cd "$(dirname "$0")"

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(npm ob2)
PYTHON="${PYTHON:-python3}"

setup_npm() {
  local stamp=node_modules/.menteo-setup
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1) node $(node --version)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "interop: node_modules up to date"
    return
  fi
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
}

setup_ob2() {
  local venv=.menteo-interop/ob2-venv
  local stamp="$venv/.menteo-setup"
  local want
  mkdir -p .menteo-interop
  exec 9>.menteo-interop/.lock   # parallel test workers: one creates the venv, others wait
  flock 9
  want="$(sha256sum ob2-requirements.txt | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "interop: OB 2.0 validator venv up to date"
    return
  fi
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
    -r ob2-requirements.txt
  # validator-core imports, and `cryptography` is absent (python-jose must use pycryptodome).
  "$venv/bin/python" - <<'EOF'
import importlib.util
import openbadges, responses  # noqa: F401
from jose.backends import RSAKey
assert RSAKey.__module__ == "jose.backends.pycrypto_backend", RSAKey.__module__
assert importlib.util.find_spec("cryptography") is None, "cryptography must not be installed"
EOF
  echo "$want" > "$stamp"
}

for part in "${parts[@]}"; do
  case "$part" in
    npm) setup_npm ;;
    ob2) setup_ob2 ;;
    *) echo "usage: $0 [npm] [ob2]" >&2; exit 2 ;;
  esac
done
