#!/usr/bin/env bash
# Installs the Debian 12 packages koban needs to build, run and test, only those missing.
# Idempotent: a second run installs nothing and takes a second.
#   scripts/install-deps.sh            build + run + test packages
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config ccache mold
  libboost1.81-dev libboost-system1.81-dev
  libsqlite3-dev sqlite3 libpq-dev libsodium-dev libssl-dev zlib1g-dev
  nlohmann-json3-dev libkainjow-mustache-dev libcmark-gfm-dev libqrencode-dev
  # tests
  libgtest-dev libgmock-dev googletest postgresql postfix clang-14 libclang-rt-14-dev
  # tools used by scripts and tests
  curl procps iproute2 openssl python3
  # xmllint: CAP 1.2 documents validated against the OASIS schema (tests/alerts/cap_xmllint_test.sh)
  libxml2-utils
  # browser tests (tests/browser): Debian's Chromium, driven by playwright-core from npm
  chromium
)
# Node and npm for the browser tests: Debian's, unless a node is already there (a NodeSource
# nodejs carries its own npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "koban: installing ${#missing[@]} Debian package(s): ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Postfix is only used for its smtp-sink/smtp-source test tools: no mail system configuration.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
