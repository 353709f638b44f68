#!/usr/bin/env bash
# Install the third-party verifiers that tests/test_interop.py runs. Idempotent: each part is
# redone only when its lock/requirements file (or the interpreter) changed.
#
#   tests/interop/setup.sh [npm] [ob2] [obl]     (default: all three)
#
#   npm  npm ci in tests/interop (Digital Bazaar vc/data-integrity/eddsa-rdfc-2022, jose,
#        DCC verifier-core, rdf-canonize, noble-ed25519, did-resolver + web-did-resolver)
#   ob2  tests/interop/.menteo-interop/ob2-venv with 1EdTech validator-core (openbadges 1.1.2)
#        and its pin overrides; PYTHON (default python3) makes the venv.
#   obl  tests/interop/.menteo-interop/obl-venv with openbadgeslib (obl-requirements.txt).
set -euo pipefail
cd "$(dirname "$0")"

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(npm ob2 obl)
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

setup_obl() {
  local venv=.menteo-interop/obl-venv
  local stamp="$venv/.menteo-setup"
  local want
  mkdir -p .menteo-interop
  exec 8>.menteo-interop/.obl-lock   # parallel test workers: one creates the venv, others wait
  flock 8
  want="$(sha256sum obl-requirements.txt | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "interop: openbadgeslib venv up to date"
    return
  fi
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
    -r obl-requirements.txt
  "$venv/bin/python" -c 'import openbadgeslib.ob3, pyld'
  echo "$want" > "$stamp"
}

for part in "${parts[@]}"; do
  case "$part" in
    npm) setup_npm ;;
    ob2) setup_ob2 ;;
    obl) setup_obl ;;
    *) echo "usage: $0 [npm] [ob2] [obl]" >&2; exit 2 ;;
  esac
done
