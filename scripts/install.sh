#!/bin/sh
# Install everything briefpack needs on Debian (12, Python 3.11): Chromium for PDFs, fonts, and the
# Python package with its test dependencies. Safe to run again: it installs only what is missing.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
need=""
for pkg in chromium chromium-headless-shell fonts-dejavu-core fonts-liberation2 poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
if [ -n "$need" ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "install: apt-get install$need"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
echo "install: pip install -e .[test]"
"$PYTHON" -m pip install -q --disable-pip-version-check -e ".[test]"
