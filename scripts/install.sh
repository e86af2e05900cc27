#!/bin/sh
# Install what briefpack needs on Debian 12, and only what is missing (quick when all is there):
#   system  Debian's chromium, chromium-headless-shell, fonts and poppler-utils (apt-get);
#   python  a project virtual environment in .venv/ with the package and its test extras
#           (`pip install -e .[test]`, again only when pyproject.toml changed); never the system
#           interpreter, which Debian protects (PEP 668); python3 and python3-venv come from apt
#           when missing;
#   node    when package.json exists: `npm ci` into node_modules/ (again only when the lock
#           changed); nodejs and npm come from apt only when npm is missing.
# As root it runs apt-get itself; a normal user is asked for sudo, and only when a package is missing.
#
# Usage: sh scripts/install.sh [system] [python] [node]        (default: all three)
# Environment: PYTHON            the interpreter that creates .venv (default: python3 on PATH)
#              BRIEFPACK_WITH_POSTGRES=1  also Debian's postgresql (for the database tests; .ci/run)
#              BRIEFPACK_EXTRAS  the extras to install (default: test; e.g. test,lab)
set -eu
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
EXTRAS="${BRIEFPACK_EXTRAS:-test}"
VENV=.venv
STAMP="$VENV/.briefpack-installed"
NODE_STAMP=node_modules/.briefpack-installed
SYSTEM_PACKAGES="chromium chromium-headless-shell fonts-dejavu-core fonts-liberation2 poppler-utils"
# The database tests' PostgreSQL (scripts/test_postgres.sh starts a temporary cluster): CI asks for it.
[ -z "${BRIEFPACK_WITH_POSTGRES:-}" ] || SYSTEM_PACKAGES="$SYSTEM_PACKAGES postgresql"

say() { echo "install: $*"; }
die() { echo "install: error: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

digest() {  # digest FILE: a checksum of the file's bytes
  if have sha256sum; then sha256sum "$1" | cut -d' ' -f1; else cksum "$1" | cut -d' ' -f1,2; fi
}

missing_debs() {  # missing_debs PKG...: those not installed (nothing when this is not Debian)
  have dpkg-query || return 0
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q ' installed$' || printf ' %s' "$pkg"
  done
}

apt_install() {  # apt_install PKG...: as root, or through sudo for a normal user
  have apt-get || die "apt-get not found: install$(printf ' %s' "$@") with your system's package manager, then run this again."
  if [ "$(id -u)" = 0 ]; then
    as_root=""
  elif have sudo; then
    as_root="sudo"
  else
    die "installing$(printf ' %s' "$@") needs root: run this as root, or install sudo."
  fi
  say "apt-get install$(printf ' %s' "$@")"
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

install_system() {
  if ! have dpkg-query; then
    say "not Debian: make sure Chromium (or BRIEFPACK_CHROMIUM), fonts and poppler-utils are installed."
    return 0
  fi
  # shellcheck disable=SC2086  # word splitting of the package lists is wanted
  need="$(missing_debs $SYSTEM_PACKAGES)"
  # shellcheck disable=SC2086
  [ -z "$need" ] || apt_install $need
}

venv_works() { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import sys" >/dev/null 2>&1; }

make_venv() {
  if [ -e "$VENV" ] && [ ! -f "$VENV/pyvenv.cfg" ]; then
    die "$VENV exists but is not a virtual environment; move it away and run this again."
  fi
  if ! have "$PYTHON"; then
    [ "$PYTHON" = python3 ] || die "PYTHON=$PYTHON not found."
    apt_install python3 python3-venv
  fi
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$PYTHON is $("$PYTHON" -V 2>&1); briefpack needs Python 3.11 or newer (set PYTHON=...)."
  if ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
    apt_install python3-venv  # Debian ships venv's pip bootstrap (ensurepip) separately
  fi
  rm -rf "$VENV"
  say "$PYTHON -m venv $VENV"
  "$PYTHON" -m venv "$VENV"
}

install_python() {
  venv_works || make_venv
  key="$(digest pyproject.toml)"
  done_key="$(sed -n 1p "$STAMP" 2>/dev/null || true)"
  done_extras="$(sed -n 2p "$STAMP" 2>/dev/null || true)"
  wanted="$EXTRAS"
  if [ "$key" = "$done_key" ]; then
    up_to_date=yes
    for extra in $(echo "$EXTRAS" | tr ',' ' '); do
      case ",$done_extras," in *",$extra,"*) ;; *) up_to_date=no ;; esac
    done
    [ "$up_to_date" = no ] || return 0
  fi
  # pyproject.toml changed: keep the extras installed before (e.g. lab) in step with it.
  for extra in $(echo "$done_extras" | tr ',' ' '); do
    case ",$wanted," in *",$extra,"*) ;; *) wanted="$wanted,$extra" ;; esac
  done
  say "pip install -e .[$wanted] into $VENV (the first time takes a few minutes)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[$wanted]"
  printf '%s\n%s\n' "$key" "$wanted" >"$STAMP"
}

install_node() {
  [ -f package.json ] || return 0
  have npm || apt_install nodejs npm  # only when npm is missing: a newer node may own npm already
  lock=package-lock.json
  [ -f "$lock" ] || lock=package.json
  key="$(digest "$lock")"
  [ "$(cat "$NODE_STAMP" 2>/dev/null || true)" != "$key" ] || return 0
  # Browsers come from Debian (chromium-headless-shell), never from a download.
  if [ "$lock" = package-lock.json ]; then
    say "npm ci"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  else
    say "npm install (package.json has no package-lock.json yet: commit the one npm writes)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund
    [ ! -f package-lock.json ] || key="$(digest package-lock.json)"
  fi
  echo "$key" >"$NODE_STAMP"
}

[ $# -gt 0 ] || set -- system python node
for part in "$@"; do
  case "$part" in
    system) install_system ;;
    python) install_python ;;
    node) install_node ;;
    *) die "unknown part '$part': use system, python or node." ;;
  esac
done
